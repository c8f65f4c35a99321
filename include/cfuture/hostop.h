/* cfuture/hostop.h: one pending operation performed by the JavaScript host
 * (wasm builds only).
 *
 * A host op is the C half of a slot in the JS-side table
 * (bindings/lib/hostops.js). It is embedded in the future that owns it, so it
 * never moves after the first poll. Invariants:
 *   - PENDING exactly between cf_hostop_begin and either the one completion
 *     (cf_hostop_complete, called by JS) or cf_hostop_cancel (drop);
 *     while PENDING it holds its runtime (cf_runtime_hold) so Node stays
 *     alive, and the JS slot stays allocated.
 *   - cancel frees the JS slot first, so a late host completion finds a
 *     stale generation and never reaches C: exactly one completion or one
 *     cancel per op.
 * Users writing their own host ops (with their own --js-library) embed one
 * of these, start the JS work with `CF.opNew(...)` and finish it through
 * a call of the exported `_cf_hostop_complete(op, rc)` from a microtask or
 * later (never inside the C call that started it); see bindings/lib/
 * hostops.js and crossings.js.
 */
#ifndef CFUTURE_HOSTOP_H
#define CFUTURE_HOSTOP_H

#include <stdint.h>

#include "future.h"

#ifdef __cplusplus
extern "C" {
#endif

enum cf_hostop_state {
  CF_HOSTOP_IDLE = 0, /* not started */
  CF_HOSTOP_PENDING,  /* JS work in flight */
  CF_HOSTOP_DONE      /* completed or cancelled; rc holds the outcome */
};

typedef struct cf_hostop {
  uint32_t handle;  /* JS table handle (slot | generation), 0 when none */
  uint8_t state;    /* enum cf_hostop_state */
  int32_t rc;       /* outcome once DONE */
  cf_runtime_t *rt; /* held while PENDING (NULL under a user executor) */
  cf_waker_t waker; /* woken by the completion */
} cf_hostop_t;

void cf_hostop_init(cf_hostop_t *op);

/* Record that JS accepted the op under `handle` and hold cx's runtime.
 * A handle of 0 means JS refused synchronously: the op is DONE with `rc`. */
void cf_hostop_begin(cf_hostop_t *op, cf_context_t *cx, uint32_t handle,
                     int rc);

/* CF_READY once the completion arrived (outcome in op->rc); otherwise
 * registers cx->waker and returns CF_PENDING. */
cf_poll_t cf_hostop_poll(cf_hostop_t *op, cf_context_t *cx);

/* Cancel the JS side if pending (clearTimeout / AbortController.abort),
 * release the hold and the waker. Idempotent; leaves the op DONE with
 * CF_ECANCELED if it was pending. */
void cf_hostop_cancel(cf_hostop_t *op);

/* The one completion, called from JS: sets rc, releases the hold, wakes. */
void cf_hostop_complete(cf_hostop_t *op, int rc);

#ifdef __cplusplus
}
#endif
#endif
