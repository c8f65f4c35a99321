/* t_promise.c: Promise-bridge exports: await a handle or a host function
 * and report the outcome as JSON; a loop of awaits for the benchmark. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "t_support.h"

/* await_handle(h, as) / call_host(fn, json, as, timeout_ms) -> JSON
 * {rc, code, number, text, error} */
typedef struct aw {
  cf_async_t co;
  cf_promise_t p;
  cf_timeout_t to;
  double handle, as, timeout_ms;
  const char *fn, *json;
  char out[1024];
} aw_t;

static cf_poll_t aw_poll(cf_future_t *f, cf_context_t *cx) {
  aw_t *self = (aw_t *)f;
  int rc;
  CF_BEGIN(self);
  if (self->fn)
    cf_js_call_init(&self->p, self->fn, self->json, (cf_js_type_t)self->as);
  else
    cf_promise_init(&self->p, (uint32_t)self->handle, (cf_js_type_t)self->as);
  if (self->timeout_ms > 0) {
    cf_timeout_init(&self->to, &self->p.base, (int64_t)self->timeout_ms);
    CF_AWAIT(self, &self->to);
  } else {
    CF_AWAIT(self, &self->p);
  }
  rc = self->timeout_ms > 0 ? self->to.base.rc : self->p.base.rc;
  snprintf(self->out, sizeof self->out,
           "{\"rc\":%d,\"code\":\"%s\",\"number\":%.17g,\"len\":%zu,\"text\":",
           rc, cf_err_name(rc), isfinite(self->p.number) ? self->p.number : 0,
           self->p.len);
  t_json_str(self->out, sizeof self->out, self->p.data ? self->p.data : "",
             self->p.data ? self->p.len : 0);
  strncat(self->out, ",\"error\":", sizeof self->out - strlen(self->out) - 1);
  {
    const char *e = cf_promise_error(&self->p);
    t_json_str(self->out, sizeof self->out, e ? e : "", e ? strlen(e) : 0);
  }
  strncat(self->out, "}", sizeof self->out - strlen(self->out) - 1);
  CF_END(self, 0);
}
static void aw_cleanup(cf_future_t *f) {
  aw_t *self = (aw_t *)f;
  cf_future_drop(&self->to.base);
  cf_future_drop(&self->p.base);
}
CF_ASYNC_VTABLE(aw_vt, "await_js", aw_poll, aw_cleanup);
static void aw_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_json(((const aw_t *)f)->out);
}

static int await_handle_init(cf_future_t *f, const cf_args_t *a) {
  aw_t *self = (aw_t *)f;
  cf_async_init(&self->co, &aw_vt);
  self->handle = cf_args_number(a, 0);
  self->as = cf_args_number(a, 1);
  self->timeout_ms = cf_args_number(a, 2);
  return 0;
}
CF_EXPORT_ASYNC(await_handle_export, "await_handle", aw_t, await_handle_init,
                aw_result)

static int call_host_init(cf_future_t *f, const cf_args_t *a) {
  aw_t *self = (aw_t *)f;
  cf_async_init(&self->co, &aw_vt);
  int rc;
  if ((rc = cf_args_cstr(a, 0, &self->fn, NULL)) < 0 ||
      (rc = t_args_cstr_or_null(a, 1, &self->json)) < 0)
    return rc;
  self->as = cf_args_number(a, 2);
  self->timeout_ms = cf_args_number(a, 3);
  return 0;
}
CF_EXPORT_ASYNC(call_host_export, "call_host", aw_t, call_host_init, aw_result)

/* host_or_fail(fn, json): await host function fn; finish with its outcome
 * as the call's own: a rejection rejects rt.call with CF_EJS and the
 * rejection's message (the export's `error`). Resolves with the string. */
typedef struct hof {
  cf_async_t co;
  cf_promise_t p;
  const char *fn, *json;
} hof_t;
static cf_poll_t hof_poll(cf_future_t *f, cf_context_t *cx) {
  hof_t *self = (hof_t *)f;
  CF_BEGIN(self);
  cf_js_call_init(&self->p, self->fn, self->json, CF_JS_STRING);
  CF_AWAIT(self, &self->p);
  CF_END(self, self->p.base.rc);
}
static void hof_cleanup(cf_future_t *f) {
  cf_future_drop(&((hof_t *)f)->p.base);
}
CF_ASYNC_VTABLE(hof_vt, "host_or_fail", hof_poll, hof_cleanup);
static int hof_init(cf_future_t *f, const cf_args_t *a) {
  hof_t *self = (hof_t *)f;
  int rc;
  cf_async_init(&self->co, &hof_vt);
  if ((rc = cf_args_cstr(a, 0, &self->fn, NULL)) < 0 ||
      (rc = t_args_cstr_or_null(a, 1, &self->json)) < 0)
    return rc;
  return 0;
}
static void hof_result(const cf_future_t *f, cf_value_t *out) {
  const hof_t *self = (const hof_t *)f;
  *out = cf_value_bytes(self->p.data, self->p.len);
  out->type = CF_JS_STRING;
}
static const char *hof_error(const cf_future_t *f, int rc) {
  (void)rc;
  return cf_promise_error(&((const hof_t *)f)->p);
}
CF_EXPORT_ASYNC_ERR(hof_export, "host_or_fail", hof_t, hof_init, hof_result,
                    hof_error)

/* after_await(fn, n, mode): n rounds of "await host function fn, then":
 *   0: nothing (every completion takes the direct poll of its task: the
 *      plain await loop, also what tests/node/await-cost.test.mjs times),
 *   1: cf_yield_now (deferred to the next turn: a macrotask per round),
 *   2: CF_YIELD (woken during its own poll: polled again in that turn),
 *   3: spawn a child that awaits fn too, and join it,
 *   4: a 1 ms sleep (a timer armed by the directly polled task).
 * Resolves with the sum of the numbers (children's included). These are
 * what a completion's direct poll (runtime.c, cf__runtime_host_run) must
 * hand on to the turn exactly as a queued wake would. */
typedef struct child {
  cf_async_t co;
  cf_promise_t p;
  const char *fn;
  double got;
} child_t;
static cf_poll_t child_poll(cf_future_t *f, cf_context_t *cx) {
  child_t *self = (child_t *)f;
  CF_BEGIN(self);
  cf_js_call_init(&self->p, self->fn, NULL, CF_JS_NUMBER);
  CF_AWAIT(self, &self->p);
  self->got = self->p.number;
  CF_END(self, self->p.base.rc);
}
static void child_cleanup(cf_future_t *f) {
  cf_future_drop(&((child_t *)f)->p.base);
}
CF_ASYNC_VTABLE(child_vt, "after_await_child", child_poll, child_cleanup);

typedef struct after {
  cf_async_t co;
  cf_promise_t p;
  cf_yield_t y;
  cf_sleep_t nap;
  cf_join_handle_t h;
  const char *fn;
  double n, i, mode, sum;
} after_t;
static cf_poll_t after_poll(cf_future_t *f, cf_context_t *cx) {
  after_t *self = (after_t *)f;
  CF_BEGIN(self);
  for (self->i = 0; self->i < self->n; self->i++) {
    cf_js_call_init(&self->p, self->fn, NULL, CF_JS_NUMBER);
    CF_AWAIT(self, &self->p);
    if (self->p.base.rc < 0)
      CF_RETURN(self, self->p.base.rc);
    self->sum += self->p.number;
    cf_future_drop(&self->p.base);
    if (self->mode == 1) {
      self->y = cf_yield_now();
      CF_AWAIT(self, &self->y);
    } else if (self->mode == 2) {
      CF_YIELD(self);
    } else if (self->mode == 3) {
      child_t c;
      CF_ASYNC_INIT(&c, &child_vt);
      c.fn = self->fn;
      if (CF_SPAWN(cx->rt, &c, "after_await_child", &self->h) < 0)
        CF_RETURN(self, CF_ENOMEM);
      CF_AWAIT(self, &self->h.base);
      if (self->h.base.rc < 0)
        CF_RETURN(self, self->h.base.rc);
      self->sum += ((child_t *)cf_join_handle_output(&self->h))->got;
      cf_future_drop(&self->h.base);
    } else if (self->mode == 4) {
      cf_sleep_init(&self->nap, 1);
      CF_AWAIT(self, &self->nap);
      cf_future_drop(&self->nap.base);
    }
  }
  CF_END(self, 0);
}
static void after_cleanup(cf_future_t *f) {
  after_t *self = (after_t *)f;
  cf_future_drop(&self->p.base);
  cf_future_drop(&self->nap.base);
  cf_future_drop(&self->h.base);
}
CF_ASYNC_VTABLE(after_vt, "after_await", after_poll, after_cleanup);
static int after_init(cf_future_t *f, const cf_args_t *a) {
  after_t *self = (after_t *)f;
  CF_ASYNC_INIT(self, &after_vt);
  self->n = cf_args_number(a, 1);
  self->mode = cf_args_number(a, 2);
  return cf_args_cstr(a, 0, &self->fn, NULL);
}
static void after_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_number(((const after_t *)f)->sum);
}
CF_EXPORT_ASYNC(after_export, "after_await", after_t, after_init, after_result)
