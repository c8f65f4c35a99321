/* notify.c: Notify (tokio's semantics): notify_one wakes the oldest waiter
 * or stores a single permit; notify_waiters wakes every waiter that existed
 * (was initialised) at the time of the call, through an epoch counter, so a
 * future created but not yet polled is not missed.
 * Invariants: permit == 1 implies no waiters; a waiter assigned by
 * notify_one (kind ONE) that is dropped before observing it passes the
 * notification on. Cost: O(1) per operation, notify_waiters O(waiters). */
#include "waitq.h"

#include "cfuture/error.h"

enum { BY_ONE = 1, BY_ALL = 2 };

void cf_notify_init(cf_notify_t *n) {
  n->waiters.head = n->waiters.tail = NULL;
  n->waiters.len = 0;
  n->epoch = 0;
  n->permit = 0;
}

void cf_notify_one(cf_notify_t *n) {
  cf_wait_node_t *w = n->waiters.head;
  if (!w) {
    n->permit = 1;
    return;
  }
  w->kind = BY_ONE;
  cf__wq_assign_head(&n->waiters, 0);
}

void cf_notify_waiters(cf_notify_t *n) {
  n->epoch++;
  while (n->waiters.head) {
    n->waiters.head->kind = BY_ALL;
    cf__wq_assign_head(&n->waiters, 0);
  }
}

static cf_poll_t notified_poll(cf_future_t *f, cf_context_t *cx) {
  cf_notified_t *w = (cf_notified_t *)f;
  cf_notify_t *n = w->notify;
  switch (w->node.state) {
  case CF_WN_IDLE:
    if (n->epoch != w->epoch || n->permit) {
      if (!cf_coop_proceed(cx))
        return CF_PENDING;
      if (n->epoch == w->epoch)
        n->permit = 0;
      w->node.state = CF_WN_DELIVERED;
      f->rc = 0;
      return CF_READY;
    }
    cf__wq_push(&n->waiters, &w->node);
    cf_waker_register(&w->node.waker, cx->waker);
    return CF_PENDING;
  case CF_WN_QUEUED:
    cf_waker_register(&w->node.waker, cx->waker);
    return CF_PENDING;
  case CF_WN_ASSIGNED:
    if (!cf_coop_proceed(cx))
      return CF_PENDING;
    w->node.state = CF_WN_DELIVERED;
    f->rc = 0;
    return CF_READY;
  default:
    f->rc = CF_EINVAL;
    return CF_READY;
  }
}

static void notified_drop(cf_future_t *f) {
  cf_notified_t *w = (cf_notified_t *)f;
  if (w->node.state == CF_WN_QUEUED)
    cf__wq_remove(&w->notify->waiters, &w->node);
  else if (w->node.state == CF_WN_ASSIGNED && w->node.kind == BY_ONE)
    cf_notify_one(w->notify); /* not observed: hand it on */
  w->node.state = CF_WN_IDLE;
  cf_waker_drop(&w->node.waker);
}

static const cf_future_vtable_t notified_vt = {"notified", notified_poll,
                                               notified_drop, 0};

void cf_notified_init(cf_notified_t *f, cf_notify_t *n) {
  cf_future_init(&f->base, &notified_vt);
  f->notify = n;
  f->epoch = n->epoch;
  cf__wn_init(&f->node);
}
