/* yield.c: cf_yield_now / cf_yield_init. Owns nothing. Invariant: the
 * future is pending once, then ready with rc 0. Inside a task it asks the
 * executor to defer the task to the next turn (a macrotask), so the host
 * gets to run its I/O callbacks in between; elsewhere it degrades to
 * waking itself. Costs: O(1), no allocation. */
#include "runtime_internal.h"

static cf_poll_t yield_poll(cf_future_t *f, cf_context_t *cx) {
  cf_yield_t *y = (cf_yield_t *)f;
  if (y->yielded)
    return CF_READY;
  y->yielded = 1;
  /* The wake goes through cx->waker even inside a task: when this future
   * is a branch of a combinator, that wake is what makes the combinator
   * poll it again (the task flag alone would leave the branch unmarked
   * and the task would hang). */
  cf_waker_wake_by_ref(cx->waker);
  if (cx->task)
    cx->task->flags |= CF_T_YIELDED;
  return CF_PENDING;
}

static const cf_future_vtable_t yield_vt = {"yield_now", yield_poll, NULL, 0};

void cf_yield_init(cf_yield_t *y) {
  cf_future_init(&y->base, &yield_vt);
  y->yielded = 0;
}

cf_yield_t cf_yield_now(void) {
  cf_yield_t y;
  cf_yield_init(&y);
  return y;
}
