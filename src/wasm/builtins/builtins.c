/* builtins.c: the async functions the prebuilt default module exports, so
 * that JS alone can use it (rt.call): "sleep" and "fetch_text". Linked
 * only into the default module (not libcfuture.a: user modules choose
 * their own exports).
 *   sleep(ms) -> ms actually slept (runtime clock)
 *   fetch_text(url, method?, body?, maxBytes?) -> { status, statusText, body }
 *     url and method are strings without NUL characters; body a string or
 *     bytes (none on GET/HEAD); maxBytes a positive integer or Infinity
 *     (default CF_FETCH_DEFAULT_MAX_BODY, 8 MiB). The request is validated
 *     in init: a bad one rejects with CF_EINVAL before any task or request
 *     starts. Later failures reject with the fetch error code (e.g.
 *     CF_ECONNREFUSED, CF_EMSGSIZE) and the host's message.
 * The result JSON is sized exactly (one counting pass) and built in place
 * in the body's block, so a buffered body costs the heap about its size
 * once (it was body + a worst-case 6x JSON buffer). */
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
  if (self->ms != self->ms) /* NaN: not a number */
    return cf_args_fail(a, CF_EINVAL, "sleep: ms must be a number");
  return 0;
}
static void b_sleep_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_number((double)((const b_sleep_t *)f)->slept);
}
CF_EXPORT_ASYNC(b_sleep_export, "sleep", b_sleep_t, b_sleep_init,
                b_sleep_result)

/* JS null arrives as the JSON text "null". */
static int is_null(const cf_args_t *a, size_t i) {
  size_t n = 0;
  const char *s = cf_args_string(a, i, &n);
  return cf_args_type(a, i) == CF_JS_JSON && n == 4 &&
         memcmp(s, "null", 4) == 0;
}

typedef struct b_fetch {
  cf_async_t co;
  cf_fetch_t fetch;
  const char *url, *method, *body;
  size_t body_len, max_body;
  char *json; /* the result, cf_malloc'd */
  size_t json_size;
} b_fetch_t;

/* Bytes put_json_str writes for s[0..n), quotes included. */
static size_t json_str_size(const char *s, size_t n) {
  size_t i, out = 2;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    out += c == '"' || c == '\\' ? 2 : c < 0x20 ? 6 : 1;
  }
  return out;
}

/* Append s[0..n) as a JSON string; returns the new end. */
static char *put_json_str(char *o, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  size_t i;
  *o++ = '"';
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      *o++ = '\\';
      *o++ = (char)c;
    } else if (c < 0x20) {
      memcpy(o, "\\u00", 4);
      o[4] = hex[c >> 4];
      o[5] = hex[c & 15];
      o += 6;
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
    req.max_body = self->max_body;
    cf_fetch_init(&self->fetch, &req);
  }
  CF_AWAIT_TRY(self, &self->fetch);
  {
    cf_fetch_t *r = &self->fetch;
    const char *st = r->status_text ? r->status_text : "";
    size_t st_len = strlen(st), len = r->body_len, body_json, pre, total;
    char head[48], *buf, *o;
    int hn = snprintf(head, sizeof head,
                      "{\"status\":%d,\"statusText\":", r->status);
    body_json = json_str_size((const char *)r->body, len);
    pre = (size_t)hn + json_str_size(st, st_len) + 8; /* + ,"body": */
    total = pre + body_json + 2;                      /* + }\0 */
    if (body_json < len || total < body_json)
      CF_RETURN(self, CF_ENOMEM); /* size_t overflow */
    /* The JSON is built in the body's own block, grown in place: the body
     * moves to the block's end and is escaped forward from the front.
     * Each byte's output ends at or before the next unread byte (every
     * byte escapes to >= 1 byte and the JSON's total is exact), so the
     * heap holds the body about once, not body + JSON. */
    buf = r->body ? cf_realloc(r->body, r->body_size, total) : cf_malloc(total);
    if (!buf)
      CF_RETURN(self, CF_ENOMEM); /* the body stays the fetch's */
    r->body = NULL;
    r->body_len = r->body_size = 0;
    self->json = buf;
    self->json_size = total;
    memmove(buf + total - 2 - len, buf, len);
    o = buf;
    memcpy(o, head, (size_t)hn);
    o = put_json_str(o + hn, st, st_len);
    memcpy(o, ",\"body\":", 8);
    o = put_json_str(o + 8, buf + total - 2 - len, len);
    o[0] = '}';
    o[1] = '\0';
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
/* maxBytes: undefined/null for the default, a positive integer, or
 * Infinity for no limit. */
static int max_bytes_arg(const cf_args_t *a, size_t i, size_t *out) {
  cf_js_type_t t = cf_args_type(a, i);
  double d = cf_args_number(a, i);
  *out = 0; /* cf_fetch's default */
  if (t == CF_JS_UNDEFINED || is_null(a, i))
    return 0;
  if (t == CF_JS_NUMBER && d == INFINITY) {
    *out = CF_FETCH_NO_LIMIT;
    return 0;
  }
  if (t != CF_JS_NUMBER || !(d >= 1) || d != floor(d) ||
      d >= (double)CF_FETCH_NO_LIMIT)
    return cf_args_fail(a, CF_EINVAL,
                        "fetch_text: maxBytes must be a positive integer or "
                        "Infinity");
  *out = (size_t)d;
  return 0;
}

static int b_fetch_init(cf_future_t *f, const cf_args_t *a) {
  b_fetch_t *self = (b_fetch_t *)f;
  cf_fetch_request_t req;
  const char *why;
  cf_js_type_t bt = cf_args_type(a, 2);
  int rc;
  cf_async_init(&self->co, &b_fetch_vt);
  if ((rc = cf_args_cstr(a, 0, &self->url, NULL)) < 0)
    return rc;
  if (!is_null(a, 1) && (rc = cf_args_cstr_opt(a, 1, &self->method, NULL)) < 0)
    return rc;
  if (self->method && !*self->method)
    self->method = NULL; /* "" is the default, GET */
  /* The body has an explicit length: NULs in it are data. */
  if (bt == CF_JS_STRING || bt == CF_JS_BYTES)
    self->body = cf_args_string(a, 2, &self->body_len);
  else if (bt != CF_JS_UNDEFINED && !is_null(a, 2))
    return cf_args_fail(a, CF_EINVAL,
                        "fetch_text: body must be a string or bytes");
  if ((rc = max_bytes_arg(a, 3, &self->max_body)) < 0)
    return rc;
  /* Validate now, so a bad request rejects the call before any task or
   * request exists; the poll validates the same request again. */
  memset(&req, 0, sizeof req);
  req.url = self->url;
  req.method = self->method;
  req.body = self->body;
  req.body_len = self->body_len;
  if (cf_fetch_validate_msg(&req, &why) < 0)
    return cf_args_fail(a, CF_EINVAL, "fetch_text: %s", why);
  return 0;
}
static void b_fetch_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_json(((const b_fetch_t *)f)->json);
}
static const char *b_fetch_error(const cf_future_t *f, int rc) {
  (void)rc;
  return cf_fetch_error(&((const b_fetch_t *)f)->fetch);
}
CF_EXPORT_ASYNC_ERR(b_fetch_export, "fetch_text", b_fetch_t, b_fetch_init,
                    b_fetch_result, b_fetch_error)
