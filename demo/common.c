/* demo/common.c: helpers shared by the demos (see demo.h): scaled
 * durations, line output, argument checks, the `request` async function
 * (wasm) and the native entry point.
 *
 * Invariant: `request` owns its fetch and timer; its drop (select first,
 * then each child) releases both whether it finished, timed out or was
 * cancelled mid-flight. */
#include "demo.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t demo_ms(double scale, int64_t ms) {
  double v = (double)ms * scale;
  return v <= 0 ? 0 : (int64_t)llround(v);
}

void demo_line(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  fflush(stdout);
}

int demo_check_scale(double scale) {
  return (isfinite(scale) && scale > 0 && scale <= 100) ? 0 : CF_EINVAL;
}

#ifdef __EMSCRIPTEN__

int demo_http_args(const cf_args_t *a, char *base, size_t cap, double *scale) {
  size_t len = 0;
  const char *s;
  int rc = cf_args_cstr(a, 0, &s, &len); /* refuses a NUL inside */
  if (rc < 0)
    return rc;
  if (len == 0 || len >= cap)
    return cf_args_fail(a, CF_EINVAL, "base URL must be 1 to %zu bytes",
                        cap - 1);
  memcpy(base, s, len);
  base[len] = '\0';
  while (len > 0 && base[len - 1] == '/')
    base[--len] = '\0';
  if (cf_args_type(a, 1) == CF_JS_UNDEFINED)
    *scale = 1.0;
  else if (cf_args_type(a, 1) == CF_JS_NUMBER)
    *scale = cf_args_number(a, 1);
  else
    return cf_args_fail(a, CF_EINVAL, "scale must be a number");
  if (demo_check_scale(*scale) < 0)
    return cf_args_fail(a, CF_EINVAL, "scale must be in (0, 100]");
  return 0;
}

int demo_url(char *buf, size_t cap, const char *base, const char *fmt, ...) {
  va_list ap;
  int n = snprintf(buf, cap, "%s", base);
  if (n < 0 || (size_t)n >= cap)
    return CF_EINVAL;
  va_start(ap, fmt);
  n += vsnprintf(buf + n, cap - (size_t)n, fmt, ap);
  va_end(ap);
  return (n < 0 || (size_t)n >= cap) ? CF_EINVAL : 0;
}

void demo_status_text(const cf_fetch_t *f, char *buf, size_t cap) {
  snprintf(buf, cap, "%d %s", f->status, f->status_text ? f->status_text : "");
}

static cf_poll_t request_poll(cf_future_t *f, cf_context_t *cx) {
  demo_request_t *self = (demo_request_t *)f;
  CF_BEGIN(self);
  {
    cf_fetch_request_t req = {0};
    req.url = self->url;
    cf_fetch_init(&self->fetch, &req);
  }
  cf_sleep_init(&self->timer, self->timeout_ms);
  self->branches[0] = &self->timer.base;
  self->branches[1] = &self->fetch.base;
  /* Biased: at a tie the timeout wins, as in the seed's select order. */
  cf_select_init(&self->sel, self->branches, 2, CF_SELECT_BIASED);
  CF_AWAIT(self, &self->sel);
  if (cf_select_index(&self->sel) == 0)
    CF_RETURN(self, CF_ETIMEDOUT); /* the select dropped the fetch */
  if (self->fetch.base.rc < 0)
    CF_RETURN(self, self->fetch.base.rc);
  demo_status_text(&self->fetch, self->result, sizeof self->result);
  CF_END(self, 0);
}

static void request_cleanup(cf_future_t *f) {
  demo_request_t *self = (demo_request_t *)f;
  cf_future_drop(&self->sel.base);
  cf_future_drop(&self->fetch.base);
  cf_future_drop(&self->timer.base);
}

CF_ASYNC_VTABLE(request_vt, "request", request_poll, request_cleanup);

void demo_request_init(demo_request_t *r, const char *base, int64_t sleep_ms,
                       int64_t timeout_ms) {
  memset(r, 0, sizeof *r);
  cf_async_init(&r->co, &request_vt);
  r->timeout_ms = timeout_ms;
  if (demo_url(r->url, sizeof r->url, base, "/200?sleep=%lld",
               (long long)sleep_ms) < 0)
    r->url[0] = '\0'; /* cf_fetch_init then reports CF_EINVAL */
}

#else /* native */

int demo_native_run(cf_future_t *frame, size_t size, const char *name) {
  cf_runtime_t *rt = NULL;
  cf_join_handle_t h;
  int rc = cf_runtime_new(&rt, NULL);
  if (rc < 0)
    return rc;
  rc = cf_spawn(rt, frame, size, name, &h);
  if (rc < 0) {
    cf_future_drop(frame);
    cf_runtime_free(rt);
    return rc;
  }
  rc = cf_block_on(rt, &h.base);
  cf_future_drop(&h.base);
  cf_runtime_free(rt);
  return rc;
}

double demo_native_scale(int argc, char **argv) {
  double s = 1.0;
  if (argc > 1) {
    char *end = NULL;
    s = strtod(argv[1], &end);
    if (!end || *end != '\0' || demo_check_scale(s) < 0) {
      fprintf(stderr, "usage: %s [scale > 0]\n", argv[0]);
      exit(2);
    }
  }
  return s;
}

#endif
