/* t_basic.c: small exports for the rt.call bridge tests: immediate results
 * of every type, errors, a sleep, the allocator's live bytes and stopping
 * flags. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "t_support.h"

/* An immediate future carrying a value (ready at the first poll). */
typedef struct now {
  cf_future_t base;
  int rc;
  cf_value_t v;
} now_t;

static cf_poll_t now_poll(cf_future_t *f, cf_context_t *cx) {
  (void)cx;
  f->rc = ((now_t *)f)->rc;
  return CF_READY;
}
static const cf_future_vtable_t now_vt = {"now", now_poll, NULL, 0};
static void now_result(const cf_future_t *f, cf_value_t *out) {
  *out = ((const now_t *)f)->v;
}

static int add_init(cf_future_t *f, const cf_args_t *a) {
  now_t *n = (now_t *)f;
  cf_future_init(f, &now_vt);
  n->v = cf_value_number(cf_args_number(a, 0) + cf_args_number(a, 1));
  return 0;
}
CF_EXPORT_ASYNC(add_export, "add", now_t, add_init, now_result)

/* echo(x): returns its argument with the same type. */
static int echo_init(cf_future_t *f, const cf_args_t *a) {
  now_t *n = (now_t *)f;
  size_t len = 0;
  const char *s = cf_args_string(a, 0, &len);
  cf_future_init(f, &now_vt);
  n->v.type = cf_args_type(a, 0);
  n->v.number = cf_args_number(a, 0);
  n->v.data = s;
  n->v.len = len;
  return 0;
}
CF_EXPORT_ASYNC(echo_export, "echo", now_t, echo_init, now_result)

/* fail(rc): finishes with that error code. */
static int fail_init(cf_future_t *f, const cf_args_t *a) {
  now_t *n = (now_t *)f;
  cf_future_init(f, &now_vt);
  n->rc = (int)cf_args_number(a, 0);
  return 0;
}
CF_EXPORT_ASYNC(fail_export, "fail", now_t, fail_init, NULL)

/* init_fails(): the constructor refuses (CF_ERANGE), saying why. */
static int init_fails_init(cf_future_t *f, const cf_args_t *a) {
  (void)f;
  return cf_args_fail(a, CF_ERANGE, "init_fails: refused on purpose (%d)", 42);
}

/* cstr(s, opt?) -> s's byte length: cf_args_cstr (or cf_args_cstr_opt
 * when opt is truthy; undefined then gives -1). A string with a NUL or a
 * non-string rejects with CF_EINVAL and the accessor's message. */
static int cstr_init(cf_future_t *f, const cf_args_t *a) {
  now_t *n = (now_t *)f;
  const char *s;
  size_t len = 0;
  int rc = cf_args_number(a, 1) > 0 ? cf_args_cstr_opt(a, 0, &s, &len)
                                    : cf_args_cstr(a, 0, &s, &len);
  if (rc < 0)
    return rc;
  cf_future_init(f, &now_vt);
  n->v = cf_value_number(s ? (double)len : -1);
  return 0;
}
CF_EXPORT_ASYNC(cstr_export, "cstr", now_t, cstr_init, now_result)
CF_EXPORT_ASYNC(init_fails_export, "init_fails", now_t, init_fails_init, NULL)

static int live_init(cf_future_t *f, const cf_args_t *a) {
  now_t *n = (now_t *)f;
  (void)a;
  cf_future_init(f, &now_vt);
  n->v = cf_value_number((double)t_live_bytes());
  return 0;
}
CF_EXPORT_ASYNC(live_export, "live_bytes", now_t, live_init, now_result)

/* sleep(ms, label): sleeps, then returns label (a string). */
typedef struct nap {
  cf_async_t co;
  cf_sleep_t s;
  double ms;
  const char *label;
  int64_t start, end;
  char out[96];
} nap_t;

static cf_poll_t nap_poll(cf_future_t *f, cf_context_t *cx) {
  nap_t *self = (nap_t *)f;
  CF_BEGIN(self);
  self->start = cf_runtime_now(cx->rt);
  cf_sleep_init(&self->s, (int64_t)self->ms);
  CF_AWAIT(self, &self->s);
  self->end = cf_runtime_now(cx->rt);
  snprintf(self->out, sizeof self->out, "{\"start\":%lld,\"end\":%lld}",
           (long long)self->start, (long long)self->end);
  CF_END(self, 0);
}
CF_ASYNC_VTABLE(nap_vt, "sleep_fn", nap_poll, NULL);
static int nap_init(cf_future_t *f, const cf_args_t *a) {
  nap_t *self = (nap_t *)f;
  cf_async_init(&self->co, &nap_vt);
  self->ms = cf_args_number(a, 0);
  if (isnan(self->ms))
    return CF_EINVAL;
  return 0;
}
static void nap_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_json(((const nap_t *)f)->out);
}
CF_EXPORT_ASYNC(nap_export, "sleep", nap_t, nap_init, nap_result)

/* misuse(): polls a finished future again; returns how many misuses the
 * runtime counted (the default hook reports each on console.error). */
typedef struct misuse {
  cf_future_t base;
  cf_value_t v;
} misuse_t;
static cf_poll_t misuse_poll(cf_future_t *f, cf_context_t *cx) {
  misuse_t *m = (misuse_t *)f;
  cf_ready_t done;
  unsigned long before = cf_misuse_count();
  cf_ready_init(&done, 0);
  (void)cf_future_poll(&done.base, cx);
  (void)cf_future_poll(&done.base, cx); /* after ready: misuse */
  cf_future_drop(&done.base);
  m->v = cf_value_number((double)(cf_misuse_count() - before));
  return CF_READY;
}
static const cf_future_vtable_t misuse_vt = {"misuse", misuse_poll, NULL, 0};
static void misuse_result(const cf_future_t *f, cf_value_t *out) {
  *out = ((const misuse_t *)f)->v;
}
static int misuse_init(cf_future_t *f, const cf_args_t *a) {
  (void)a;
  cf_future_init(f, &misuse_vt);
  return 0;
}
CF_EXPORT_ASYNC(misuse_export, "misuse", misuse_t, misuse_init, misuse_result)
