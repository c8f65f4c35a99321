/* js_imports.h: the functions the JS library provides to C (all defined,
 * each inside its fault guard, in bindings/lib/crossings.js).
 *
 * The only declarations of the JS side; every C file of src/wasm/ reaches
 * JavaScript through these. Pointers are wasm addresses; times are ms as
 * doubles (int64 is not legal at the JS boundary without BigInt). A handle
 * is a host-op table slot and generation; 0 means "refused". */
#ifndef CF_WASM_JS_IMPORTS_H
#define CF_WASM_JS_IMPORTS_H

#include <stddef.h>
#include <stdint.h>

#include "cfuture/hostop.h"

/* driver */
int cfjs_driver_new(void);
void cfjs_driver_free(int id);
void cfjs_driver_attach(int id, void *rt);
/* The clock in timer ticks, rounded down or (up) up: an integer. */
double cfjs_driver_ticks(int id, int up);
void cfjs_driver_arm(int id, double ticks); /* < 0: disarm */
void cfjs_driver_request_run(int id, int kind);
void cfjs_driver_keepalive(int id, int alive);

/* The JS driver id of rt (driver_js.c), 0 if it runs on another driver. */
struct cf_runtime;
int cf__js_driver_id(const struct cf_runtime *rt);

/* host ops */
void cfjs_op_cancel(uint32_t handle);

/* fetch: starts the request; completes through cfw_fetch_* exports */
uint32_t cfjs_fetch_start(void *fetch, const char *method, const char *url,
                          const char *headers, size_t headers_len,
                          const void *body, size_t body_len, int has_body,
                          double max_body, int stream);
uint32_t cfjs_fetch_read(void *read, uint32_t stream, double remaining);

/* promises: `driver` names the runtime whose host functions apply (0: no
 * JS driver, e.g. a user executor) */
/* `same`: fn names the same function, on the same driver, as the last
 * call that reached JS (promise.c keeps it), so JS need not read the name
 * from wasm memory. */
uint32_t cfjs_promise_await(void *promise, int driver, uint32_t source,
                            const char *fn, size_t fn_len, const char *json,
                            int as, int same);
void cfjs_value_release(uint32_t handle);

/* exported async functions: settle the JS side of call `call_id`. For
 * rc < 0, msg (msg_len bytes of UTF-8, not NUL-terminated for JS; NULL
 * when none) says why: the export's `error` text, e.g. the message of the
 * JS rejection or fetch failure behind it. Everything is copied out before
 * the call returns. */
void cfjs_call_settle(uint32_t call_id, int rc, int type, double number,
                      const void *data, size_t len, const char *msg,
                      size_t msg_len);

#endif
