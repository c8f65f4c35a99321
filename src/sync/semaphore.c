/* semaphore.c: the FIFO counting semaphore, and the acquire future that
 * mutex.c and rwlock.c reuse under their own names.
 *
 * Invariants: permits > 0 implies no waiters (a release first feeds the
 * queue); only the head waiter holds partially assigned permits (got);
 * permits are conserved: free + sum(got of queued) + assigned-undelivered
 * + held by callers is constant between releases.
 * Cost: acquire O(1) (fast path or enqueue), release O(waiters satisfied),
 * drop of a pending acquire O(1) plus the release of what it held. */
#include "sem_internal.h"

#include "cfuture/error.h"

static void feed(cf_semaphore_t *s) {
  cf_wait_node_t *n;
  while ((n = s->waiters.head) != NULL) {
    size_t need = n->want - n->got;
    if (need > s->permits) { /* the head keeps what there is: FIFO */
      n->got += s->permits;
      s->permits = 0;
      return;
    }
    n->got = n->want;
    s->permits -= need;
    cf__wq_assign_head(&s->waiters, 0);
  }
}

void cf_semaphore_init(cf_semaphore_t *s, size_t permits) {
  s->permits = permits;
  s->waiters.head = s->waiters.tail = NULL;
  s->waiters.len = 0;
  s->closed = 0;
}

size_t cf_semaphore_available(const cf_semaphore_t *s) {
  return s->permits;
}
int cf_semaphore_is_closed(const cf_semaphore_t *s) {
  return s->closed;
}

int cf_semaphore_try_acquire(cf_semaphore_t *s, size_t n) {
  if (s->closed)
    return CF_ECLOSED;
  if (s->waiters.head || s->permits < n)
    return CF_EAGAIN;
  s->permits -= n;
  return 0;
}

void cf_semaphore_release(cf_semaphore_t *s, size_t n) {
  s->permits += n;
  feed(s);
}

void cf_semaphore_close(cf_semaphore_t *s) {
  cf_wait_node_t *n;
  if (s->closed)
    return;
  s->closed = 1;
  while ((n = s->waiters.head) != NULL) {
    s->permits += n->got; /* partial grants go back: nobody else waits */
    n->got = 0;
    cf__wq_assign_head(&s->waiters, CF_ECLOSED);
  }
}

cf_poll_t cf__sem_acquire_poll(cf_future_t *f, cf_context_t *cx) {
  cf_semaphore_acquire_t *a = (cf_semaphore_acquire_t *)f;
  cf_semaphore_t *s = a->sem;
  switch (a->node.state) {
  case CF_WN_IDLE:
    if (s->closed) {
      f->rc = CF_ECLOSED;
      return CF_READY;
    }
    if (!s->waiters.head && s->permits >= a->node.want) {
      if (!cf_coop_proceed(cx))
        return CF_PENDING;
      s->permits -= a->node.want;
      a->node.got = a->node.want;
      a->node.state = CF_WN_DELIVERED;
      f->rc = 0;
      return CF_READY;
    }
    cf__wq_push(&s->waiters, &a->node);
    cf_waker_register(&a->node.waker, cx->waker);
    feed(s); /* an empty queue: take what is free now, as the head */
    return CF_PENDING;
  case CF_WN_QUEUED:
    cf_waker_register(&a->node.waker, cx->waker);
    return CF_PENDING;
  case CF_WN_ASSIGNED:
    if (a->node.rc == 0 && !cf_coop_proceed(cx))
      return CF_PENDING; /* still assigned; drop would hand it on */
    a->node.state = CF_WN_DELIVERED;
    f->rc = a->node.rc;
    return CF_READY;
  default:
    f->rc = CF_EINVAL;
    return CF_READY;
  }
}

void cf__sem_acquire_drop(cf_future_t *f) {
  cf_semaphore_acquire_t *a = (cf_semaphore_acquire_t *)f;
  cf_semaphore_t *s = a->sem;
  size_t back = 0;
  int was_queued = a->node.state == CF_WN_QUEUED;
  if (was_queued) {
    back = a->node.got;
    cf__wq_remove(&s->waiters, &a->node);
  } else if (a->node.state == CF_WN_ASSIGNED && a->node.rc == 0) {
    back = a->node.got; /* granted but never observed: not the caller's */
  }
  a->node.got = 0;
  a->node.state = CF_WN_IDLE;
  cf_waker_drop(&a->node.waker);
  /* Even with nothing to give back, the head may have left: feed the next.
   * Otherwise nothing changed for the queue (free permits imply no
   * waiters), which is the common drop of a delivered acquire. */
  if (s && (back || was_queued))
    cf_semaphore_release(s, back);
}

/* READY means delivered (the permits are the caller's) or failed with
 * nothing held: a drop after it releases nothing. */
static const cf_future_vtable_t acquire_vt = {
    "semaphore_acquire", cf__sem_acquire_poll, cf__sem_acquire_drop,
    CF_VT_DONE_DROP_NOOP};

void cf__sem_acquire_setup(cf_semaphore_acquire_t *a, cf_semaphore_t *s,
                           size_t n, const cf_future_vtable_t *vt) {
  cf_future_init(&a->base, vt);
  a->sem = s;
  cf__wn_init(&a->node);
  a->node.want = n;
}

void cf_semaphore_acquire_init(cf_semaphore_acquire_t *a, cf_semaphore_t *s,
                               size_t n) {
  cf__sem_acquire_setup(a, s, n, &acquire_vt);
}
