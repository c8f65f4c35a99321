/* waitq.h (internal): the intrusive FIFO of waiter nodes shared by every
 * primitive in src/sync. A node is linked at most once (state QUEUED);
 * push, remove and pop are O(1) and never allocate, which is why every
 * wait on a lock, semaphore or channel is allocation-free. */
#ifndef CF_SYNC_WAITQ_H
#define CF_SYNC_WAITQ_H

#include "cfuture/sync.h"

enum {
  CF_WN_IDLE = 0,     /* not linked, nothing assigned */
  CF_WN_QUEUED = 1,   /* linked in a wait list */
  CF_WN_ASSIGNED = 2, /* unlinked by the waking side; outcome in rc */
  CF_WN_DELIVERED = 3 /* the owning future returned CF_READY */
};

static inline void cf__wn_init(cf_wait_node_t *n) {
  n->prev = n->next = NULL;
  n->waker = CF_WAKER_NONE;
  n->want = n->got = 0;
  n->rc = 0;
  n->state = CF_WN_IDLE;
  n->kind = 0;
}

static inline void cf__wq_push(cf_wait_list_t *l, cf_wait_node_t *n) {
  n->next = NULL;
  n->prev = l->tail;
  if (l->tail)
    l->tail->next = n;
  else
    l->head = n;
  l->tail = n;
  l->len++;
  n->state = CF_WN_QUEUED;
}

static inline void cf__wq_remove(cf_wait_list_t *l, cf_wait_node_t *n) {
  if (n->prev)
    n->prev->next = n->next;
  else
    l->head = n->next;
  if (n->next)
    n->next->prev = n->prev;
  else
    l->tail = n->prev;
  n->prev = n->next = NULL;
  l->len--;
  n->state = CF_WN_IDLE;
}

/* Unlink the head, record its outcome and wake it (consuming its waker). */
static inline cf_wait_node_t *cf__wq_assign_head(cf_wait_list_t *l, int rc) {
  cf_wait_node_t *n = l->head;
  if (!n)
    return NULL;
  cf__wq_remove(l, n);
  n->state = CF_WN_ASSIGNED;
  n->rc = rc;
  cf_waker_wake(&n->waker);
  return n;
}

/* Wake every waiter (they re-check on their next poll). */
static inline void cf__wq_wake_all(cf_wait_list_t *l, int rc) {
  while (l->head)
    cf__wq_assign_head(l, rc);
}

#endif
