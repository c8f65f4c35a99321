/* exports.h: the C functions the JS library (bindings/lib/, every call
 * wrapped in bindings/lib/crossings.js) calls. The link exports every
 * EMSCRIPTEN_KEEPALIVE function of src/wasm/ (scripts/gen-contract.mjs
 * writes the list to bindings/gen/exports.txt).
 *
 * Buffers passed in (char *, uint8_t *) were cf_malloc'd by JS with the
 * size given next to them; ownership passes to C. */
#ifndef CF_WASM_EXPORTS_H
#define CF_WASM_EXPORTS_H

#include <stddef.h>
#include <stdint.h>

#include "cfuture/export.h"
#include "cfuture/fetch.h"
#include "cfuture/promise.h"
#include "cfuture/runtime.h"

/* api.c */
cf_runtime_t *cfw_runtime_new(double budget_polls, double budget_ms,
                              double coop_budget);
void cfw_runtime_free(cf_runtime_t *rt); /* deferred inside a turn */
int cfw_runtime_turn(cf_runtime_t *rt);  /* CF_ESHUTDOWN: rt was freed */
void *cfw_malloc(size_t n);
void cfw_free(void *p, size_t n);

/* inspect.c */
void cfw_runtime_stats(cf_runtime_t *rt, double *out);
int cfw_tasks(cf_runtime_t *rt, double *out, int cap);

/* fetch.c */
void cfw_fetch_head(cf_fetch_t *f, int status, char *status_text,
                    size_t st_size, char *headers, size_t h_size,
                    size_t nheaders, uint32_t stream);
void cfw_fetch_body(cf_fetch_t *f, uint8_t *body, size_t len, size_t size);
void cfw_fetch_done(cf_fetch_t *f, int rc, char *msg, size_t msg_size);
void cfw_fetch_chunk_done(cf_fetch_read_t *r, int rc, uint8_t *data, size_t len,
                          size_t size, int ended);

/* promise.c */
void cfw_promise_done(cf_promise_t *p, int rc, double number, char *data,
                      size_t len, size_t size, char *error, size_t error_size);
void cfw_promise_number(cf_promise_t *p, double number);

/* args.c: n <= CF_ARGS_MAX (else NULL). set takes ownership of data
 * (len + 1 bytes) in every case; returns CF_EINVAL (data freed) for an
 * index out of range, an unknown type, or data given for a number /
 * missing for a string, bytes or JSON. */
cf_args_t *cfw_args_new(size_t n);
int cfw_args_set(cf_args_t *a, size_t i, int type, double number, char *data,
                 size_t len);
void cfw_args_free(cf_args_t *a);

/* export.c */
struct call_rec;
/* name_len: the name's UTF-8 byte length (0: up to the NUL). */
intptr_t cfw_call_start(cf_runtime_t *rt, const char *name, cf_args_t *args,
                        uint32_t call_id, size_t name_len);
/* Why the last cfw_call_start failed (static, "" when it did not). */
const char *cfw_call_error(void);
void cfw_call_abort(struct call_rec *rec);

#endif
