/* join_set.c: a set of spawned tasks awaited in completion order.
 *
 * Tasks in a set are linked (set_prev/set_next) in the set's running list
 * until they finish, then moved to its FIFO done list; both moves are O(1)
 * and allocation-free. A task in a set counts as observed (CF_T_HANDLE), so
 * it stays allocated until its completion is taken or the set is dropped.
 * Invariant: t->set == s exactly while t is on one of s's lists. */
#include "runtime_internal.h"

#include "cfuture/error.h"

static void unlink_running(cf_join_set_t *s, cf_task_t *t) {
  if (t->set_prev)
    t->set_prev->set_next = t->set_next;
  else
    s->running = t->set_next;
  if (t->set_next)
    t->set_next->set_prev = t->set_prev;
  t->set_prev = t->set_next = NULL;
}

void cf_join_set_init(cf_join_set_t *s, cf_runtime_t *rt) {
  s->rt = rt;
  s->running = NULL;
  s->done_head = s->done_tail = NULL;
  s->len = 0;
  s->waiter = CF_WAKER_NONE;
}

int cf_join_set_spawn(cf_join_set_t *s, cf_future_t *f, size_t size,
                      const char *name, uint64_t *id) {
  int err;
  cf_task_t *t = cf__task_spawn(s->rt, f, size, name, &err);
  if (!t)
    return err;
  t->flags |= CF_T_HANDLE;
  t->set = s;
  t->set_prev = NULL;
  t->set_next = s->running;
  if (s->running)
    s->running->set_prev = t;
  s->running = t;
  s->len++;
  if (id)
    *id = t->id;
  return 0;
}

void cf__join_set_task_done(cf_task_t *t) {
  cf_join_set_t *s = t->set;
  unlink_running(s, t);
  if (s->done_tail)
    s->done_tail->set_next = t;
  else
    s->done_head = t;
  s->done_tail = t;
  cf_waker_wake(&s->waiter);
}

size_t cf_join_set_len(const cf_join_set_t *s) {
  return s->len;
}

static void abort_all(cf_join_set_t *s) {
  cf_task_t *t = s->running;
  while (t) {
    /* Aborting moves t to the done list, so fetch the next one first. */
    cf_task_t *next = t->set_next;
    if (t->flags & CF_T_RUNNING)
      t->flags |= CF_T_ABORT_REQ;
    else
      cf__task_abort_now(t);
    t = next;
  }
}

/* Frames (runtime_internal.h): the loops here run task drops, which may
 * free the runtime; the free waits until the loop is done. */
void cf_join_set_abort_all(cf_join_set_t *s) {
  cf_runtime_t *rt = s->rt;
  if (!rt)
    return;
  cf__rt_enter(rt);
  abort_all(s);
  (void)cf__rt_leave(rt);
}

static void forget(cf_task_t *t) {
  t->set = NULL;
  t->set_prev = t->set_next = NULL;
  t->flags &= ~CF_T_HANDLE;
  cf__task_release_if_unused(t);
}

void cf_join_set_drop(cf_join_set_t *s) {
  cf_task_t *t;
  cf_runtime_t *rt = s->rt;
  if (rt)
    cf__rt_enter(rt);
  abort_all(s);
  /* Tasks that abort themselves finish after their poll: let them go. */
  while ((t = s->running) != NULL) {
    s->running = t->set_next;
    forget(t);
  }
  while ((t = s->done_head) != NULL) {
    s->done_head = t->set_next;
    forget(t);
  }
  s->done_tail = NULL;
  s->len = 0;
  cf_waker_drop(&s->waiter);
  if (rt)
    (void)cf__rt_leave(rt);
}

/* ---- next completion ---- */

static cf_poll_t next_poll(cf_future_t *f, cf_context_t *cx) {
  cf_join_next_t *n = (cf_join_next_t *)f;
  cf_join_set_t *s = n->set;
  cf_task_t *t = s->done_head;
  if (t) {
    s->done_head = t->set_next;
    if (!s->done_head)
      s->done_tail = NULL;
    t->set = NULL;
    t->set_next = NULL;
    s->len--;
    cf__task_handle_attach(&n->handle, t);
    f->rc = cf__task_future(t)->rc;
    return CF_READY;
  }
  if (s->len == 0) {
    f->rc = CF_EEMPTY;
    return CF_READY;
  }
  cf_waker_register(&s->waiter, cx->waker);
  return CF_PENDING;
}

static void next_drop(cf_future_t *f) {
  cf_join_next_t *n = (cf_join_next_t *)f;
  cf_future_drop(&n->handle.base);
}

static const cf_future_vtable_t next_vt = {"join_set_next", next_poll,
                                           next_drop, 0};

void cf_join_next_init(cf_join_next_t *n, cf_join_set_t *s) {
  cf_future_init(&n->base, &next_vt);
  n->set = s;
  n->handle.task = NULL;
  cf_future_init(&n->handle.base, NULL);
  n->handle.base.state = CF_FUTURE_DROPPED;
}
