/* cfuture/promise.h: C awaits JavaScript Promises (wasm builds only).
 *
 * Two ways to get a Promise to await:
 *   - cf_js_call_init: call a host function registered from JS
 *     (loadRuntime({ host: { name: fn } }) or rt.host(name, fn)) with JSON
 *     arguments; whatever it returns (a Promise or a plain value) is awaited.
 *     It also receives an AbortSignal that is aborted when the C future is
 *     dropped.
 *   - cf_promise_init: await a value JS handed to C as a handle number
 *     (rt.handle(promise)); the future owns the handle and releases it.
 *
 * The settled value is converted as asked (`as`): a number, a string (UTF-8,
 * NUL-terminated), bytes (Uint8Array / ArrayBuffer / views; a string as
 * UTF-8) or JSON text (JSON.stringify). Outcome in base.rc: 0; CF_EJS if the
 * Promise rejected or the host function threw (message in cf_promise_error:
 * the Error's message, or String(reason)); CF_EINVAL if the value cannot be
 * converted (e.g. an object asked as a number) or the function/handle is
 * unknown; CF_ENOMEM.
 *
 * Dropping the future before it settles ignores the late settlement (a
 * Promise cannot be cancelled; the signal passed to host functions is
 * aborted). Output buffers are cf_malloc'd and freed by the drop.
 */
#ifndef CFUTURE_PROMISE_H
#define CFUTURE_PROMISE_H

#include <stddef.h>
#include <stdint.h>

#include "future.h"
#include "hostop.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cf_js_type {
  CF_JS_UNDEFINED = 0, /* no value (results: JS gets undefined) */
  CF_JS_NUMBER = 1,
  CF_JS_STRING = 2,
  CF_JS_BYTES = 3,
  CF_JS_JSON = 4
} cf_js_type_t;

typedef struct cf_promise {
  cf_future_t base;
  cf_hostop_t op;
  uint32_t source;  /* value handle to await, 0 for a host call */
  char *call;       /* "name\0json" for a host call (owned), or NULL when
                       it fits in call_buf */
  size_t call_size; /* bytes of "name\0json\0" */
  cf_js_type_t as;
  uint32_t name_len; /* bytes of the host function's name (no NUL) */
  uint8_t json;      /* the call has JSON arguments */
  /* Short calls (the usual host function name) need no allocation; call
   * never points here, as the future may move before its first poll. */
  char call_buf[16];
  /* Output (valid once ready with rc 0, until drop). */
  double number;
  char *data; /* string / JSON text (NUL-terminated) or bytes */
  size_t len; /* bytes in data, without the terminating NUL */
  size_t data_size;
  char *error; /* rejection message (NUL-terminated), or NULL */
  size_t error_size;
} cf_promise_t;

/* Await the JS value behind `handle` (from rt.handle()); takes ownership
 * of the handle. */
void cf_promise_init(cf_promise_t *p, uint32_t handle, cf_js_type_t as);

/* Call host function `fn` with the arguments in `json_args` (a JSON array,
 * or NULL for none) followed by { signal }, and await its result. Both
 * strings are copied. */
void cf_js_call_init(cf_promise_t *p, const char *fn, const char *json_args,
                     cf_js_type_t as);

/* The rejection message (NULL when none). */
const char *cf_promise_error(const cf_promise_t *p);

#ifdef __cplusplus
}
#endif
#endif
