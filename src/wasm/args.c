/* args.c: the arguments of an rt.call (cf_args_t, see cfuture/export.h),
 * filled by JS through cfw_args_new / cfw_args_set, read by exports' init
 * functions through the cf_args_* accessors.
 *
 * Owns each argument's data block (data[len] is a NUL that JS appended;
 * the block is len + 1 bytes) and a short message saying why an init
 * refused the call. Invariants: every slot holds a valid cf_js_type_t;
 * numbers have no data; strings, bytes and JSON have data (possibly
 * empty). JS input is never trusted: an out-of-range index or type, or an
 * absurd count, is refused and whatever was handed over is freed, so the
 * accessors cannot be confused about what a slot holds.
 * Free of Emscripten dependencies so the native tests exercise it. */
#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#else
#define EMSCRIPTEN_KEEPALIVE
#endif
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "args_internal.h"
#include "cfuture/alloc.h"
#include "cfuture/error.h"
#include "cfuture/export.h"

size_t cf_args_count(const cf_args_t *a) {
  return a ? a->n : 0;
}

cf_js_type_t cf_args_type(const cf_args_t *a, size_t i) {
  return a && i < a->n ? a->v[i].type : CF_JS_UNDEFINED;
}

double cf_args_number(const cf_args_t *a, size_t i) {
  return a && i < a->n && a->v[i].type == CF_JS_NUMBER ? a->v[i].number : NAN;
}

const char *cf_args_string(const cf_args_t *a, size_t i, size_t *len) {
  if (!a || i >= a->n || !a->v[i].data)
    return NULL;
  if (len)
    *len = a->v[i].len;
  return a->v[i].data;
}

int cf_args_fail(const cf_args_t *a, int rc, const char *fmt, ...) {
  cf_args_t *m = (cf_args_t *)a; /* the message is the args' scratch */
  va_list ap;
  if (!m || !fmt || m->err[0])
    return rc; /* the first reason is the one worth reporting */
  va_start(ap, fmt);
  vsnprintf(m->err, sizeof m->err, fmt, ap);
  va_end(ap);
  return rc;
}

static const char *type_name(cf_js_type_t t) {
  switch (t) {
  case CF_JS_NUMBER:
    return "a number";
  case CF_JS_STRING:
    return "a string";
  case CF_JS_BYTES:
    return "bytes";
  case CF_JS_JSON:
    return "an object";
  default:
    return "undefined";
  }
}

static int cstr(const cf_args_t *a, size_t i, const char **out, size_t *len,
                int optional) {
  const arg_t *v = a && i < a->n ? &a->v[i] : NULL;
  cf_js_type_t t = v ? v->type : CF_JS_UNDEFINED;
  *out = NULL;
  if (len)
    *len = 0;
  if (t == CF_JS_UNDEFINED && optional)
    return 0;
  if (t != CF_JS_STRING || !v->data)
    return cf_args_fail(a, CF_EINVAL, "argument %zu must be a string, not %s",
                        i, type_name(t));
  /* A C string ends at its first NUL: one inside would silently cut the
   * value (a URL "/ok\0/../x" would fetch /ok), so refuse it. */
  if (memchr(v->data, 0, v->len))
    return cf_args_fail(a, CF_EINVAL,
                        "argument %zu contains a NUL character (U+0000)", i);
  *out = v->data;
  if (len)
    *len = v->len;
  return 0;
}

int cf_args_cstr(const cf_args_t *a, size_t i, const char **out, size_t *len) {
  return cstr(a, i, out, len, 0);
}

int cf_args_cstr_opt(const cf_args_t *a, size_t i, const char **out,
                     size_t *len) {
  return cstr(a, i, out, len, 1);
}

/* ---- filled by JS ---- */

EMSCRIPTEN_KEEPALIVE cf_args_t *cfw_args_new(size_t n) {
  cf_args_t *a;
  if (n > CF_ARGS_MAX) /* also keeps the size below from overflowing */
    return NULL;
  a = cf_malloc(sizeof *a + n * sizeof(arg_t));
  if (a) {
    memset(a, 0, sizeof *a + n * sizeof(arg_t));
    a->n = n;
  }
  return a;
}

EMSCRIPTEN_KEEPALIVE int cfw_args_set(cf_args_t *a, size_t i, int type,
                                      double number, char *data, size_t len) {
  arg_t *v;
  int has_data =
      type == CF_JS_STRING || type == CF_JS_BYTES || type == CF_JS_JSON;
  if (!a || i >= a->n || (type != CF_JS_NUMBER && !has_data) ||
      (has_data && !data) || (!has_data && data)) {
    cf_free(data, data ? len + 1 : 0); /* ownership passed: never leak it */
    return CF_EINVAL;
  }
  v = &a->v[i];
  cf_free(v->data, v->data ? v->len + 1 : 0); /* a slot set twice */
  v->type = (cf_js_type_t)type;
  v->number = type == CF_JS_NUMBER ? number : 0;
  v->data = data;
  v->len = has_data ? len : 0;
  return 0;
}

EMSCRIPTEN_KEEPALIVE void cfw_args_free(cf_args_t *a) {
  size_t i;
  if (!a)
    return;
  for (i = 0; i < a->n; i++)
    cf_free(a->v[i].data, a->v[i].data ? a->v[i].len + 1 : 0);
  cf_free(a, sizeof *a + a->n * sizeof(arg_t));
}

const char *cf__args_error(const cf_args_t *a) {
  return a && a->err[0] ? a->err : NULL;
}
