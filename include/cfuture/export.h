/* cfuture/export.h: C async functions that JavaScript calls (wasm only).
 *
 * An exported async function is a name, a frame size and two functions:
 * `init` builds the future (an async frame, see async.h) from the call's
 * arguments; `result` (optional) turns the finished frame's output into a
 * JS value. From JS:
 *
 *   const n = await rt.call("fetch_len", "http://x/y", { signal });
 *
 * rt.call spawns the future as a task named after the export. The Promise
 * resolves with the result (undefined without `result`), rejects with an
 * Error whose .code is cf_err_name(rc) when the frame finishes with rc < 0,
 * and with an AbortError DOMException when the signal aborts (the task is
 * aborted: its frame is dropped, cancelling what it awaits).
 *
 *   typedef struct { cf_async_t co; cf_sleep_t nap; double ms; } nap_t;
 *   static int nap_init(cf_future_t *f, const cf_args_t *a) {
 *     nap_t *self = (nap_t *)f;
 *     cf_async_init(&self->co, &nap_vt);
 *     self->ms = cf_args_number(a, 0);
 *     return 0;
 *   }
 *   static void nap_result(const cf_future_t *f, cf_value_t *out) {
 *     *out = cf_value_number(((const nap_t *)f)->ms);
 *   }
 *   CF_EXPORT_ASYNC(nap_export, "nap", nap_t, nap_init, nap_result);
 *
 * Arguments arrive as numbers (JS numbers, bigints and booleans), strings,
 * bytes (Uint8Array/ArrayBuffer/views) or JSON text (anything else);
 * undefined is CF_JS_UNDEFINED. Every value carries its length: a JS
 * string may contain U+0000. Take C strings with cf_args_cstr, which
 * refuses such a string instead of letting C cut it at the NUL.
 * They stay valid until the call settles, so the frame may point into them.
 * `init` runs before the frame is moved into its task: it must not store
 * pointers to the frame itself (initialise combinators inside the body).
 *
 * Validate in `init`: a call it refuses rejects before any task or host
 * work starts. cf_args_fail records why (the rejection's message):
 *
 *   const char *url;
 *   int rc = cf_args_cstr(a, 0, &url, NULL);   // message set on failure
 *   if (rc < 0) return rc;                      // CF_EINVAL
 *   if (!good(url)) return cf_args_fail(a, CF_EINVAL, "bad url");
 *
 * Errors after the start: `error` (optional, CF_EXPORT_ASYNC_ERR) gives
 * the message for a frame that finished with rc < 0, e.g. the text of the
 * rejected JS Promise it awaited (cf_promise_error) or of a failed fetch
 * (cf_fetch_error); the rt.call rejection carries it.
 */
#ifndef CFUTURE_EXPORT_H
#define CFUTURE_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "future.h"
#include "promise.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cf_args cf_args_t;

/* Most arguments one call may have (cfw_args_new refuses more). */
#define CF_ARGS_MAX 65536u
/* Bytes (with the NUL) of a call's error message; longer ones are cut. */
#define CF_CALL_ERROR_MAX 160u

size_t cf_args_count(const cf_args_t *a);
/* Type of argument i (CF_JS_UNDEFINED past the end). */
cf_js_type_t cf_args_type(const cf_args_t *a, size_t i);
/* Number value (NaN if argument i is not a number). */
double cf_args_number(const cf_args_t *a, size_t i);
/* Raw data of a string, JSON text or bytes argument i, or NULL for a
 * number or a missing argument. `*len` (if len) is the exact length; the
 * data is followed by a NUL but may also contain NULs (bytes, or a JS
 * string with U+0000), so never treat it as a C string: use
 * cf_args_cstr for that. */
const char *cf_args_string(const cf_args_t *a, size_t i, size_t *len);

/* Argument i as a C string: returns 0 with *out (NUL-terminated UTF-8,
 * valid until the call settles) and *len (if len, bytes without the NUL).
 * Returns CF_EINVAL (and records the reason with cf_args_fail; *out NULL)
 * when argument i is missing, not a string (a number, bytes, an object)
 * or contains a NUL character: such a string is refused, never cut. */
int cf_args_cstr(const cf_args_t *a, size_t i, const char **out, size_t *len);
/* The same for an optional argument: missing or undefined is 0 with
 * *out = NULL. */
int cf_args_cstr_opt(const cf_args_t *a, size_t i, const char **out,
                     size_t *len);

/* Record why `init` refuses the call (printf format; the first message
 * recorded wins, cut to CF_CALL_ERROR_MAX - 1 bytes) and return rc, so
 * that `return cf_args_fail(a, CF_EINVAL, "...")` reads naturally. The
 * rt.call rejection carries the message. */
int cf_args_fail(const cf_args_t *a, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* A result value. Data must stay valid until the frame is dropped (it is
 * copied into JS right after `result` returns). */
typedef struct cf_value {
  cf_js_type_t type;
  double number;
  const void *data;
  size_t len;
} cf_value_t;

static inline cf_value_t cf_value_number(double d) {
  cf_value_t v = {CF_JS_NUMBER, d, NULL, 0};
  return v;
}
/* A NUL-terminated string (len computed) or `len` bytes of UTF-8. */
cf_value_t cf_value_string(const char *s);
static inline cf_value_t cf_value_bytes(const void *p, size_t len) {
  cf_value_t v = {CF_JS_BYTES, 0, p, len};
  return v;
}
/* JSON text; JS receives JSON.parse of it. */
cf_value_t cf_value_json(const char *json);

typedef struct cf_export {
  const char *name;
  size_t frame_size;
  /* Build the future into the zeroed frame. Return 0, or a CF_E* code to
   * reject the call (the frame is then discarded without a drop). */
  int (*init)(cf_future_t *frame, const cf_args_t *args);
  /* Optional: the output of a frame that finished with rc >= 0. */
  void (*result)(const cf_future_t *frame, cf_value_t *out);
  struct cf_export *next_; /* registry link (internal) */
  /* Optional: a message for a frame that finished with rc < 0 (NULL for
   * none; NUL-terminated UTF-8, read before the frame is dropped). JS
   * receives it as the rejection's message. */
  const char *(*error)(const cf_future_t *frame, int rc);
} cf_export_t;

/* Register `def` (it must outlive the module). Returns 0, CF_EBUSY if the
 * name is taken, CF_EINVAL for a missing name/init or a frame too small. */
int cf_export_register(cf_export_t *def);

/* Look up a registered export (NULL if none). */
const cf_export_t *cf_export_find(const char *name);

/* Define and register at load time (a constructor). */
#define CF_EXPORT_ASYNC(ident, name, frame_type, init_fn, result_fn)           \
  CF_EXPORT_ASYNC_ERR(ident, name, frame_type, init_fn, result_fn, NULL)
/* The same with an `error` function. */
#define CF_EXPORT_ASYNC_ERR(ident, name, frame_type, init_fn, result_fn,       \
                            error_fn)                                          \
  static cf_export_t ident = {                                                 \
      (name), sizeof(frame_type), (init_fn), (result_fn), NULL, (error_fn)};   \
  __attribute__((constructor)) static void ident##_register_(void) {           \
    (void)cf_export_register(&ident);                                          \
  }

#ifdef __cplusplus
}
#endif
#endif
