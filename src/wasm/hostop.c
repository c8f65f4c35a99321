/* hostop.c: the C half of host operations (see cfuture/hostop.h).
 *
 * Owns the PENDING -> DONE transition and the runtime hold that goes with
 * it. The invariant "one completion or one cancel" is kept jointly with the
 * JS table: cancel frees the JS slot before anything else, and JS completes
 * only ops whose slot is still live, freeing it as it does. */
#include "cfuture/hostop.h"

#include <emscripten.h>

#include "../runtime_internal.h"
#include "cfuture/error.h"
#include "cfuture/runtime.h"
#include "js_imports.h"

void cf_hostop_init(cf_hostop_t *op) {
  op->handle = 0;
  op->state = CF_HOSTOP_IDLE;
  op->rc = 0;
  op->rt = NULL;
  op->waker = CF_WAKER_NONE;
}

/* Both are on the per-await path (promise.c's poll and completion). */
CF__HOT_INLINE void cf_hostop_begin(cf_hostop_t *op, cf_context_t *cx,
                                    uint32_t handle, int rc);
CF__HOT_INLINE void cf_hostop_complete(cf_hostop_t *op, int rc);

void cf_hostop_begin(cf_hostop_t *op, cf_context_t *cx, uint32_t handle,
                     int rc) {
  if (handle == 0) {
    op->state = CF_HOSTOP_DONE;
    op->rc = rc < 0 ? rc : CF_EHOST;
    return;
  }
  op->handle = handle;
  op->state = CF_HOSTOP_PENDING;
  op->rc = 0;
  op->rt = cx->rt;
  if (op->rt)
    cf_runtime_hold(op->rt);
  cf_waker_register(&op->waker, cx->waker);
}

cf_poll_t cf_hostop_poll(cf_hostop_t *op, cf_context_t *cx) {
  if (op->state == CF_HOSTOP_DONE)
    return CF_READY;
  cf_waker_register(&op->waker, cx->waker);
  return CF_PENDING;
}

static void finish(cf_hostop_t *op, int rc) {
  cf_runtime_t *rt = op->rt;
  op->state = CF_HOSTOP_DONE;
  op->rc = rc;
  op->handle = 0;
  op->rt = NULL;
  if (rt)
    cf_runtime_release(rt);
}

void cf_hostop_cancel(cf_hostop_t *op) {
  if (op->state == CF_HOSTOP_PENDING) {
    cfjs_op_cancel(op->handle);
    finish(op, CF_ECANCELED);
  }
  cf_waker_drop(&op->waker);
}

/* The wake comes before the hold is released, so the runtime never looks
 * idle in between (that would flip the host keepalive off and on again).
 * The task's turn runs here, in the same host callback (see
 * cf__runtime_host_enter): JS calls this last, as the future may be gone
 * when it returns. */
EMSCRIPTEN_KEEPALIVE void cf_hostop_complete(cf_hostop_t *op, int rc) {
  cf_runtime_t *rt = op->rt;
  cf_task_t *t;
  int entered;
  if (op->state != CF_HOSTOP_PENDING)
    return; /* defensive: the JS table already guarantees one completion */
  entered = cf__runtime_host_enter(rt);
  op->state = CF_HOSTOP_DONE;
  op->rc = rc;
  op->handle = 0;
  op->rt = NULL;
  if (entered == 2 && (t = cf__runtime_host_sole(rt, &op->waker)) != NULL) {
    /* The usual await: its task is all there is to run. The waker is
     * consumed, not woken (the task is polled right here), and host_run
     * releases the hold after that poll. */
    op->waker = CF_WAKER_NONE;
    rt->live_wakers--;
    cf__runtime_host_run(rt, t);
  } else {
    cf_waker_wake(&op->waker);
    if (rt)
      cf_runtime_release(rt);
  }
  cf__runtime_host_leave(rt, entered);
}
