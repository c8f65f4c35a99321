/* builtins.c: the async functions the prebuilt default module exports, so
 * that JS alone can use it (rt.call): "sleep" and "fetch_text". Linked
 * only into the default module (not libcfuture.a: user modules choose
 * their own exports).
 *   sleep(ms) -> ms actually slept (runtime clock)
 *   fetch_text(url, method?, body?) -> { status, statusText, body }
 *     (rejects with the fetch error code, e.g. CF_ECONNREFUSED) */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cfuture.h>
#include <cfuture/wasm.h>

typedef struct b_sleep {
  cf_async_t co;
  cf_sleep_t s;
  double ms;
  int64_t start, slept;
} b_sleep_t;

/* JS numbers to a duration: fractions round up (never early) and values
 * beyond int64 saturate (1e308 ms sleeps forever rather than overflowing
 * into a negative, already-expired duration). */
static int64_t ms_from_double(double ms) {
  double up = ceil(ms);
  if (up >= 9.2e18)
    return INT64_MAX;
  if (up <= 0)
    return 0;
  return (int64_t)up;
}

static cf_poll_t b_sleep_poll(cf_future_t *f, cf_context_t *cx) {
  b_sleep_t *self = (b_sleep_t *)f;
  CF_BEGIN(self);
  self->start = cf_runtime_now(cx->rt);
  cf_sleep_init(&self->s, ms_from_double(self->ms));
  CF_AWAIT(self, &self->s);
  self->slept = cf_runtime_now(cx->rt) - self->start;
  CF_END(self, 0);
}
CF_ASYNC_VTABLE(b_sleep_vt, "sleep", b_sleep_poll, NULL);
static int b_sleep_init(cf_future_t *f, const cf_args_t *a) {
  b_sleep_t *self = (b_sleep_t *)f;
  cf_async_init(&self->co, &b_sleep_vt);
  self->ms = cf_args_number(a, 0);
  return self->ms == self->ms ? 0 : CF_EINVAL; /* NaN: not a number */
}
static void b_sleep_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_number((double)((const b_sleep_t *)f)->slept);
}
CF_EXPORT_ASYNC(b_sleep_export, "sleep", b_sleep_t, b_sleep_init,
                b_sleep_result)

typedef struct b_fetch {
  cf_async_t co;
  cf_fetch_t fetch;
  const char *url, *method, *body;
  size_t body_len;
  char *json; /* the result, cf_malloc'd */
  size_t json_size;
} b_fetch_t;

/* Append s[0..n) as a JSON string; returns the new end. */
static char *put_json_str(char *o, const char *s, size_t n) {
  size_t i;
  *o++ = '"';
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      *o++ = '\\';
      *o++ = (char)c;
    } else if (c < 0x20) {
      o += sprintf(o, "\\u%04x", c);
    } else {
      *o++ = (char)c;
    }
  }
  *o++ = '"';
  return o;
}

static cf_poll_t b_fetch_poll(cf_future_t *f, cf_context_t *cx) {
  b_fetch_t *self = (b_fetch_t *)f;
  CF_BEGIN(self);
  {
    cf_fetch_request_t req;
    memset(&req, 0, sizeof req);
    req.url = self->url;
    req.method = self->method && *self->method ? self->method : NULL;
    req.body = self->body;
    req.body_len = self->body_len;
    cf_fetch_init(&self->fetch, &req);
  }
  CF_AWAIT_TRY(self, &self->fetch);
  {
    cf_fetch_t *r = &self->fetch;
    size_t st = r->status_text ? strlen(r->status_text) : 0;
    char *o;
    /* worst case: every byte escaped as \u00XX */
    self->json_size = 64 + 6 * (st + r->body_len);
    self->json = cf_malloc(self->json_size);
    if (!self->json)
      CF_RETURN(self, CF_ENOMEM);
    o = self->json + sprintf(self->json, "{\"status\":%d,\"statusText\":",
                             r->status);
    o = put_json_str(o, r->status_text ? r->status_text : "", st);
    o += sprintf(o, ",\"body\":");
    o = put_json_str(o, (const char *)r->body, r->body_len);
    strcpy(o, "}");
  }
  CF_END(self, 0);
}
static void b_fetch_cleanup(cf_future_t *f) {
  b_fetch_t *self = (b_fetch_t *)f;
  cf_future_drop(&self->fetch.base);
  cf_free(self->json, self->json_size);
  self->json = NULL;
}
CF_ASYNC_VTABLE(b_fetch_vt, "fetch_text", b_fetch_poll, b_fetch_cleanup);
static int b_fetch_init(cf_future_t *f, const cf_args_t *a) {
  b_fetch_t *self = (b_fetch_t *)f;
  cf_async_init(&self->co, &b_fetch_vt);
  self->url = cf_args_string(a, 0, NULL);
  self->method = cf_args_string(a, 1, NULL);
  self->body = cf_args_string(a, 2, &self->body_len);
  return self->url ? 0 : CF_EINVAL;
}
static void b_fetch_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_json(((const b_fetch_t *)f)->json);
}
CF_EXPORT_ASYNC(b_fetch_export, "fetch_text", b_fetch_t, b_fetch_init,
                b_fetch_result)
