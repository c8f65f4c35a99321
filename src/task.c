/* task.c: task blocks, their slots and wakers, the runtime's cache of freed
 * blocks, polling a task, abort, detach and the join handle future.
 *
 * A task block is one allocation: the cf_task_t header followed by the
 * spawned future's copy; its size is kept in its slot. Wakers carry
 * {runtime, slot | gen << 32}: waking checks the slot's generation, so a
 * waker that outlives its task costs one comparison and does nothing.
 * Clone, wake and drop never allocate.
 * Block cache: blocks up to CF_TASK_CACHE_BLOCK bytes are sized to 8-byte
 * classes; a freed one is kept on its class's list (at most
 * CF_TASK_CACHE_BYTES in all) and reused only while the executor is running
 * (in a turn or block_on), and the lists are emptied whenever it goes idle
 * and when it is freed, so the cache never holds memory the host could
 * see as leaked. A spawn that fails gives its block to the allocator.
 * Costs: spawn O(1) plus one allocation (none on a cache hit); wake O(1);
 * abort O(1) plus the future's drop. */
#include <string.h>

#include "runtime_internal.h"

#include "cfuture/alloc.h"
#include "cfuture/error.h"

/* ---- slots ---- */

static int slot_acquire(cf_runtime_t *rt, cf_task_t *t) {
  uint32_t i;
  if (rt->free_slot == CF_SLOT_NONE) {
    uint32_t ncap = rt->slot_cap ? rt->slot_cap * 2 : 64, k;
    cf_task_slot_t *n;
    if (ncap <= rt->slot_cap)
      return CF_ENOMEM;
    n = cf_realloc(rt->slots, (size_t)rt->slot_cap * sizeof *n,
                   (size_t)ncap * sizeof *n);
    if (!n)
      return CF_ENOMEM;
    for (k = rt->slot_cap; k < ncap; k++) {
      n[k].task = NULL;
      n[k].gen = 0;
      n[k].next_free = k + 1 < ncap ? k + 1 : CF_SLOT_NONE;
    }
    rt->free_slot = rt->slot_cap;
    rt->slots = n;
    rt->slot_cap = ncap;
  }
  i = rt->free_slot;
  rt->free_slot = rt->slots[i].next_free;
  rt->slots[i].task = t;
  t->slot = i;
  t->gen = rt->slots[i].gen;
  return 0;
}

/* Returns the block's size. */
static size_t slot_release(cf_runtime_t *rt, cf_task_t *t) {
  cf_task_slot_t *s = &rt->slots[t->slot];
  size_t size = s->size;
  s->task = NULL;
  s->gen++;
  s->next_free = rt->free_slot;
  rt->free_slot = t->slot;
  return size;
}

/* ---- block cache ---- */

/* Size of the block for a future of `size` bytes: rounded to its class
 * when cacheable. 8 bytes, not 16, so that a 120-byte block stays 120 (a
 * glibc fast-bin chunk; 128 would not be). */
static size_t block_size(size_t size) {
  size_t n = CF_TASK_HEADER + size;
  return n <= CF_TASK_CACHE_BLOCK ? (n + 7) & ~(size_t)7 : n;
}

/* Only spawns made while the executor runs (by tasks or the block_on root)
 * take cached blocks: a spawn from outside always allocates, so the host
 * sees every allocation it could make fail (tests/fuzz/fuzz_runtime.c). */
static void *block_alloc(cf_runtime_t *rt, size_t n) {
  if (n <= CF_TASK_CACHE_BLOCK && (rt->in_turn || rt->in_block_on)) {
    void **head = &rt->task_cache[n / 8 - 1];
    void *b = *head;
    if (b) {
      *head = *(void **)b;
      rt->task_cache_bytes -= n;
      return b;
    }
  }
  return cf_malloc(n);
}

static void block_free(cf_runtime_t *rt, void *b, size_t n) {
  if (n <= CF_TASK_CACHE_BLOCK &&
      rt->task_cache_bytes + n <= CF_TASK_CACHE_BYTES &&
      (rt->in_turn || rt->in_block_on)) {
    void **head = &rt->task_cache[n / 8 - 1];
    *(void **)b = *head;
    *head = b;
    rt->task_cache_bytes += n;
    return;
  }
  cf_free(b, n);
}

void cf__task_cache_trim(cf_runtime_t *rt) {
  size_t c;
  for (c = 0; c < CF_TASK_CACHE_CLASSES && rt->task_cache_bytes; c++) {
    void *b;
    while ((b = rt->task_cache[c]) != NULL) {
      rt->task_cache[c] = *(void **)b;
      rt->task_cache_bytes -= (c + 1) * 8;
      cf_free(b, (c + 1) * 8);
    }
  }
}

/* ---- wakers ---- */

static cf_task_t *waker_task(const cf_waker_t *w) {
  cf_runtime_t *rt = w->data;
  uint32_t idx = (uint32_t)w->tag, gen = (uint32_t)(w->tag >> 32);
  cf_task_slot_t *s;
  if (idx >= rt->slot_cap)
    return NULL;
  s = &rt->slots[idx];
  return s->gen == gen ? s->task : NULL;
}

static cf_waker_t task_waker_clone(const cf_waker_t *w) {
  ((cf_runtime_t *)w->data)->live_wakers++;
  return *w;
}

static void task_waker_wake_by_ref(const cf_waker_t *w) {
  cf_task_t *t = waker_task(w);
  if (t)
    cf__task_schedule(t);
}

static void task_waker_drop(cf_waker_t *w) {
  ((cf_runtime_t *)w->data)->live_wakers--;
}

static void task_waker_wake(cf_waker_t *w) {
  task_waker_wake_by_ref(w);
  task_waker_drop(w);
}

const cf_waker_vtable_t cf__task_waker_vt = {
    task_waker_clone, task_waker_wake, task_waker_wake_by_ref, task_waker_drop};

cf_waker_t cf__task_waker(cf_task_t *t) {
  return cf_waker_from_raw(&cf__task_waker_vt, t->rt,
                           (uint64_t)t->slot | (uint64_t)t->gen << 32);
}

/* ---- queues ---- */

void cf__task_enqueue(cf_runtime_t *rt, cf_task_queue_t *q, cf_task_t *t) {
  (void)rt;
  t->flags |= CF_T_QUEUED;
  t->next = NULL;
  if (q->tail)
    q->tail->next = t;
  else
    q->head = t;
  q->tail = t;
  q->len++;
}

cf_task_t *cf__task_dequeue(cf_task_queue_t *q) {
  cf_task_t *t = q->head;
  if (!t)
    return NULL;
  q->head = t->next;
  if (!q->head)
    q->tail = NULL;
  q->len--;
  t->next = NULL;
  t->flags &= ~CF_T_QUEUED;
  return t;
}

void cf__task_schedule(cf_task_t *t) {
  cf_runtime_t *rt = t->rt;
  if (t->flags & CF_T_COMPLETE)
    return;
  if (t->flags & CF_T_RUNNING) {
    t->flags |= CF_T_NOTIFIED;
    return;
  }
  if (t->flags & CF_T_QUEUED)
    return;
  t->wakes++;
  rt->wakes++;
  cf__task_enqueue(rt, &rt->runq, t);
  if (!rt->in_turn)
    cf__runtime_request_run(rt, CF_RUN_MICROTASK);
}

/* ---- lifetime ---- */

static void task_free(cf_task_t *t) {
  cf_runtime_t *rt = t->rt;
  size_t size;
  cf_future_drop(cf__task_future(t));
  if (t->flags & CF_T_SOLO)
    cf_waker_drop(&t->join_waker);
  size = slot_release(rt, t);
  rt->live_tasks--;
  block_free(rt, t, size);
}

static void task_complete(cf_task_t *t, int rc, int canceled);

/* Run the reap list unless an outer call is already running it. */
static void reap(cf_runtime_t *rt, cf_task_t *t) {
  t->flags |= CF_T_REAP;
  t->reap_next = NULL;
  if (rt->reap_tail)
    rt->reap_tail->reap_next = t;
  else
    rt->reap_head = t;
  rt->reap_tail = t;
  if (rt->reaping)
    return;
  rt->reaping = 1;
  while ((t = rt->reap_head) != NULL) {
    rt->reap_head = t->reap_next;
    if (!rt->reap_head)
      rt->reap_tail = NULL;
    t->flags &= ~CF_T_REAP;
    if ((t->flags & (CF_T_ABORT_REQ | CF_T_COMPLETE)) == CF_T_ABORT_REQ) {
      cf_future_drop(cf__task_future(t));
      task_complete(t, CF_ECANCELED, 1); /* may queue t again, to free */
    } else if ((t->flags & (CF_T_COMPLETE | CF_T_HANDLE | CF_T_QUEUED |
                            CF_T_RUNNING)) == CF_T_COMPLETE) {
      task_free(t);
    }
  }
  rt->reaping = 0;
}

void cf__task_release_if_unused(cf_task_t *t) {
  if ((t->flags & (CF_T_COMPLETE | CF_T_HANDLE | CF_T_QUEUED | CF_T_RUNNING |
                   CF_T_REAP)) == CF_T_COMPLETE)
    reap(t->rt, t);
}

/* Completion is published only after the future's resources are released
 * (aborts drop it first), so an observer never sees a finished task that
 * still holds a timer or host operation. */
static void task_complete(cf_task_t *t, int rc, int canceled) {
  t->rc = rc;
  t->flags |= CF_T_COMPLETE | (canceled ? CF_T_CANCELED : 0);
  t->flags &= ~(CF_T_NOTIFIED | CF_T_YIELDED | CF_T_ABORT_REQ);
  if (t->flags & CF_T_SOLO)
    cf_waker_wake(&t->join_waker);
  else if (t->set)
    cf__join_set_task_done(t);
  cf__task_release_if_unused(t);
}

/* Precondition: t is not being polled (callers flag a running task with
 * CF_T_ABORT_REQ instead; cf__task_run aborts it after its poll). */
void cf__task_abort_now(cf_task_t *t) {
  if (t->flags & (CF_T_COMPLETE | CF_T_REAP))
    return;
  t->flags |= CF_T_ABORT_REQ;
  reap(t->rt, t);
}

cf_task_t *cf__task_spawn(cf_runtime_t *rt, cf_future_t *f, size_t size,
                          const char *name, int *err) {
  cf_task_t *t;
  size_t n;
  if (rt && cf__rt_closing(rt)) {
    *err = CF_ESHUTDOWN; /* f stays the caller's */
    return NULL;
  }
  if (!rt || !f || size < sizeof(cf_future_t) ||
      size > UINT32_MAX - CF_TASK_HEADER - 8 ||
      f->state != CF_FUTURE_UNPOLLED) {
    *err = CF_EINVAL;
    return NULL;
  }
  n = block_size(size);
  t = block_alloc(rt, n);
  if (!t) {
    *err = CF_ENOMEM;
    return NULL;
  }
  /* Also sets join_waker to CF_WAKER_NONE and the set links to NULL. */
  memset(t, 0, sizeof *t);
  if (slot_acquire(rt, t) < 0) {
    cf_free(t, n);
    *err = CF_ENOMEM;
    return NULL;
  }
  rt->slots[t->slot].size = (uint32_t)n;
  t->rt = rt;
  t->name = name;
  t->id = ++rt->next_id;
  t->spawned_at = cf__runtime_now_cheap(rt);
  memcpy(cf__task_future(t), f, size);
  f->state = CF_FUTURE_MOVED;
  rt->live_tasks++;
  cf__task_enqueue(rt, &rt->runq, t);
  if (!rt->in_turn)
    cf__runtime_request_run(rt, CF_RUN_MICROTASK);
  *err = 0;
  return t;
}

void cf__task_run(cf_runtime_t *rt, cf_task_t *t) {
  cf_future_t *f = cf__task_future(t);
  cf_waker_t w = cf__task_waker(t);
  uint32_t coop = rt->coop_budget;
  cf_context_t cx;
  cf_task_t *outer = rt->current;
  cf_poll_t r;

  cx.waker = &w;
  cx.rt = rt;
  cx.task = t;
  cx.coop = &coop;
  t->flags |= CF_T_RUNNING;
  rt->current = t;
  rt->in_poll++;
  r = cf_future_poll(f, &cx);
  rt->in_poll--;
  rt->current = outer;
  t->flags &= ~CF_T_RUNNING;
  t->polls++;
  rt->polls++;

  if (t->flags & CF_T_ABORT_REQ) {
    cf__task_abort_now(t);
  } else if (r == CF_READY) {
    task_complete(t, f->rc, 0);
  } else if (t->flags & CF_T_YIELDED) {
    t->flags &= ~(CF_T_YIELDED | CF_T_NOTIFIED);
    cf__task_enqueue(rt, &rt->deferred, t);
  } else if (t->flags & CF_T_NOTIFIED) {
    t->flags &= ~CF_T_NOTIFIED;
    t->wakes++;
    rt->wakes++;
    cf__task_enqueue(rt, &rt->runq, t);
  }
}

void cf__task_detach(cf_task_t *t) {
  t->flags &= ~CF_T_HANDLE;
  if (t->flags & CF_T_SOLO)
    cf_waker_drop(&t->join_waker);
  cf__task_release_if_unused(t);
}

/* ---- join handles ---- */

static cf_poll_t handle_poll(cf_future_t *f, cf_context_t *cx) {
  cf_join_handle_t *h = (cf_join_handle_t *)f;
  cf_task_t *t = h->task;
  if (!t) {
    f->rc = CF_EINVAL;
    return CF_READY;
  }
  if (t->flags & CF_T_COMPLETE) {
    f->rc = t->rc;
    cf_waker_drop(&t->join_waker);
    return CF_READY;
  }
  cf_waker_register(&t->join_waker, cx->waker);
  return CF_PENDING;
}

/* Dropping a handle aborts a running task: a task is never silently
 * detached (cf_task_detach says so explicitly). */
static void handle_drop(cf_future_t *f) {
  cf_join_handle_t *h = (cf_join_handle_t *)f;
  cf_task_t *t = h->task;
  cf_runtime_t *rt;
  h->task = NULL;
  if (!t)
    return;
  rt = t->rt;
  cf__rt_enter(rt); /* the task's drop may free the runtime */
  t->flags &= ~CF_T_HANDLE;
  cf_waker_drop(&t->join_waker);
  if (!(t->flags & CF_T_COMPLETE)) {
    if (t->flags & CF_T_RUNNING)
      t->flags |= CF_T_ABORT_REQ;
    else
      cf__task_abort_now(t);
  } else {
    cf__task_release_if_unused(t);
  }
  (void)cf__rt_leave(rt);
}

static const cf_future_vtable_t handle_vt = {"join_handle", handle_poll,
                                             handle_drop, 0};

void cf__task_handle_attach(cf_join_handle_t *h, cf_task_t *t) {
  cf_future_init(&h->base, &handle_vt);
  h->task = t;
  if (t)
    t->flags |= CF_T_HANDLE;
}

int cf_spawn(cf_runtime_t *rt, cf_future_t *f, size_t size, const char *name,
             cf_join_handle_t *handle) {
  int err;
  cf_task_t *t = cf__task_spawn(rt, f, size, name, &err);
  if (t)
    t->flags |= CF_T_SOLO;
  if (handle)
    cf__task_handle_attach(handle, t);
  return t ? 0 : err;
}

int cf_task_abort(cf_join_handle_t *h) {
  cf_task_t *t = h ? h->task : NULL;
  if (!t)
    return CF_EINVAL;
  if (t->flags & CF_T_COMPLETE)
    return (t->flags & CF_T_CANCELED) ? CF_EAGAIN : CF_EINVAL;
  if (t->flags & CF_T_ABORT_REQ)
    return CF_EAGAIN;
  if (t->flags & CF_T_RUNNING) {
    t->flags |= CF_T_ABORT_REQ;
  } else {
    cf_runtime_t *rt = t->rt;
    cf__rt_enter(rt); /* the task's drop may free the runtime */
    cf__task_abort_now(t);
    (void)cf__rt_leave(rt);
  }
  return 0;
}

void cf_task_detach(cf_join_handle_t *h) {
  cf_task_t *t = h ? h->task : NULL;
  cf_runtime_t *rt;
  if (!t)
    return;
  h->task = NULL;
  h->base.state = CF_FUTURE_DROPPED;
  rt = t->rt;
  cf__rt_enter(rt); /* a finished task is freed here: its drop runs */
  cf__task_detach(t);
  (void)cf__rt_leave(rt);
}

cf_future_t *cf_join_handle_output(const cf_join_handle_t *h) {
  cf_task_t *t = h ? h->task : NULL;
  if (!t || (t->flags & (CF_T_COMPLETE | CF_T_CANCELED)) != CF_T_COMPLETE)
    return NULL;
  return cf__task_future(t);
}

uint64_t cf_task_id(const cf_join_handle_t *h) {
  return h && h->task ? h->task->id : 0;
}

const char *cf_task_name(const cf_join_handle_t *h) {
  return h && h->task ? h->task->name : NULL;
}

int cf_task_is_finished(const cf_join_handle_t *h) {
  return h && h->task && (h->task->flags & CF_T_COMPLETE);
}

uint64_t cf_task_current_id(const cf_context_t *cx) {
  return cx && cx->task ? cx->task->id : 0;
}
