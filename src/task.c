/* task.c: task blocks and their slab, wakers, polling a task, abort,
 * detach and the join handle future.
 *
 * A task block is the cf_task_t header followed by the spawned future's
 * copy. Blocks come from the runtime's slab: chunks of same-size blocks,
 * one free list per size class (8-byte steps of the future's size, so a
 * 24-byte future makes a 104-byte block on 64-bit targets, with no
 * allocator header and no side table per task); a future larger than
 * CF_SLAB_MAX_FUTURE gets a chunk of one block, reused by later big tasks
 * of up to twice its size. Wakers are {task block, task id}: a block stays
 * a task block (free, or reused under a new id) for as long as any waker
 * may point at it, because chunks go back to the allocator only when the
 * runtime is idle with no live task and no live waker (or is freed), so a
 * waker that outlives its task costs one comparison and does nothing.
 * A task is observed by a join handle, a join set, or (rt.call's tasks,
 * cf__task_spawn_watched) a watcher waker in join_waker that completion
 * wakes, all through the same CF_T_SOLO completion path.
 * Spawn O(1), no allocation unless its class has no free block; clone,
 * wake and drop never allocate; abort O(1) plus the future's drop.
 * Alignment: blocks of a class are 8-byte multiples; a future whose size
 * is not a multiple of 16 needs at most 8-byte alignment (sizeof is a
 * multiple of _Alignof), and the others land on 16-byte boundaries
 * (CF_TASK_HEADER and the chunk header are max_align_t multiples). */
#include <string.h>

#include "copy.h"
#include "runtime_internal.h"

#include "cfuture/alloc.h"
#include "cfuture/error.h"

/* ---- slab ---- */

#define CHUNK_HDR                                                              \
  ((sizeof(cf_task_chunk_t) + _Alignof(max_align_t) - 1) &                     \
   ~(size_t)(_Alignof(max_align_t) - 1))
/* Chunks of a class start at 4 blocks and double up to this size, so a
 * runtime with a few tasks holds little and one with 1e6 pays one
 * allocation per ~600 tasks. */
#define CHUNK_MAX_BYTES (64u * 1024u)

static cf_task_t *chunk_block(const cf_task_chunk_t *c, uint32_t i) {
  return (cf_task_t *)((char *)c + CHUNK_HDR + (size_t)i * c->stride);
}

static uint32_t block_class(const cf_task_t *t) {
  return (t->flags & CF_T_CLASS_MASK) >> CF_T_CLASS_SHIFT;
}

/* A chunk of `count` free blocks of `stride` bytes, pushed on *list. */
static int chunk_new(cf_runtime_t *rt, uint32_t stride, uint32_t count,
                     uint32_t cls, cf_task_t **list) {
  cf_task_chunk_t *c = cf_malloc(CHUNK_HDR + (size_t)count * stride);
  uint32_t i;
  if (!c)
    return CF_ENOMEM;
  c->stride = stride;
  c->count = count;
  c->next = rt->chunks;
  rt->chunks = c;
  for (i = count; i-- > 0;) {
    cf_task_t *b = chunk_block(c, i);
    b->rt = rt; /* read by stale wakers' clone and drop */
    b->id = 0;
    b->flags = (uint16_t)(CF_T_FREE | cls << CF_T_CLASS_SHIFT);
    b->next = *list;
    *list = b;
  }
  return 0;
}

static cf_task_t *big_alloc(cf_runtime_t *rt, size_t size) {
  size_t need = CF_TASK_HEADER + size;
  cf_task_t **p, *b;
  for (p = &rt->big_free; (b = *p) != NULL; p = &b->next) {
    size_t have = ((cf_task_chunk_t *)((char *)b - CHUNK_HDR))->stride;
    if (have >= need && have / 2 <= need) {
      *p = b->next;
      return b;
    }
  }
  if (chunk_new(rt, (uint32_t)((need + 7) & ~(size_t)7), 1, CF_SLAB_BIG,
                &rt->big_free) < 0)
    return NULL;
  b = rt->big_free;
  rt->big_free = b->next;
  return b;
}

/* A free block for a future of `size` bytes (its flags: FREE | class). */
static cf_task_t *block_alloc(cf_runtime_t *rt, size_t size) {
  uint32_t cls;
  cf_task_t *b;
  if (size > CF_SLAB_MAX_FUTURE)
    return big_alloc(rt, size);
  cls = (uint32_t)((size + 7) / 8 - 1);
  if ((b = rt->slab_free[cls]) == NULL) {
    uint32_t stride = (uint32_t)((CF_TASK_HEADER + (cls + 1) * 8 + 7) & ~7u);
    uint32_t made = rt->slab_made[cls];
    uint32_t count = 4u << (made < 12 ? made : 12);
    uint32_t max = (uint32_t)((CHUNK_MAX_BYTES - CHUNK_HDR) / stride);
    if (chunk_new(rt, stride, count < max ? count : max, cls,
                  &rt->slab_free[cls]) < 0)
      return NULL;
    if (made < 255)
      rt->slab_made[cls]++;
    b = rt->slab_free[cls];
  }
  rt->slab_free[cls] = b->next;
  return b;
}

/* t's id stays: a stale waker compares it, then sees CF_T_FREE. */
static void block_free(cf_runtime_t *rt, cf_task_t *t) {
  uint32_t cls = block_class(t);
  cf_task_t **list = cls == CF_SLAB_BIG ? &rt->big_free : &rt->slab_free[cls];
  t->flags = (uint16_t)(CF_T_FREE | cls << CF_T_CLASS_SHIFT);
  t->next = *list;
  *list = t;
}

void cf__task_slab_release(cf_runtime_t *rt, int force) {
  cf_task_chunk_t *c;
  if (!force && (rt->live_tasks || rt->live_wakers))
    return;
  while ((c = rt->chunks) != NULL) {
    rt->chunks = c->next;
    cf_free(c, CHUNK_HDR + (size_t)c->count * c->stride);
  }
  memset(rt->slab_free, 0, sizeof rt->slab_free);
  memset(rt->slab_made, 0, sizeof rt->slab_made);
  rt->big_free = NULL;
}

void cf__task_each(cf_runtime_t *rt, void (*fn)(cf_task_t *t, void *ud),
                   void *ud) {
  const cf_task_chunk_t *c;
  uint32_t i;
  for (c = rt->chunks; c; c = c->next)
    for (i = 0; i < c->count; i++) {
      cf_task_t *t = chunk_block(c, i);
      if (!(t->flags & CF_T_FREE))
        fn(t, ud);
    }
}

/* ---- wakers ---- */

static cf_task_t *waker_task(const cf_waker_t *w) {
  cf_task_t *t = w->data;
  return t->id == w->tag && !(t->flags & CF_T_FREE) ? t : NULL;
}

cf_waker_t cf__task_waker_clone(const cf_waker_t *w) {
  ((cf_task_t *)w->data)->rt->live_wakers++;
  return *w;
}

void cf__task_wake_by_ref(const cf_waker_t *w) {
  cf_task_t *t = waker_task(w);
  if (t)
    cf__task_schedule(t);
}

void cf__task_waker_drop(cf_waker_t *w) {
  ((cf_task_t *)w->data)->rt->live_wakers--;
}

void cf__task_wake(cf_waker_t *w) {
  cf__task_wake_by_ref(w);
  cf__task_waker_drop(w);
}

const cf_waker_vtable_t cf__task_waker_vt = {
    cf__task_waker_clone, cf__task_wake, cf__task_wake_by_ref,
    cf__task_waker_drop};

/* ---- queues ---- */

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
  cf_future_drop(cf__task_future(t));
  if (t->flags & CF_T_SOLO)
    cf_waker_drop(&t->join_waker);
  rt->live_tasks--;
  block_free(rt, t);
}

static void task_complete(cf_task_t *t, int rc, int canceled);

static void reap_one(cf_task_t *t) {
  if ((t->flags & (CF_T_ABORT_REQ | CF_T_COMPLETE)) == CF_T_ABORT_REQ) {
    cf_future_drop(cf__task_future(t));
    task_complete(t, CF_ECANCELED, 1); /* may queue t again, to free */
  } else if ((t->flags & (CF_T_COMPLETE | CF_T_HANDLE | CF_T_QUEUED |
                          CF_T_RUNNING)) == CF_T_COMPLETE) {
    task_free(t);
  }
}

/* Run the reap list unless an outer call is already running it. The
 * list is empty then, so t goes first without a trip through it (the
 * usual reap: a finished task its handle just let go of). */
static void reap(cf_runtime_t *rt, cf_task_t *t) {
  if (rt->reaping) {
    t->flags |= CF_T_REAP;
    t->reap_next = NULL;
    if (rt->reap_tail)
      rt->reap_tail->reap_next = t;
    else
      rt->reap_head = t;
    rt->reap_tail = t;
    return;
  }
  rt->reaping = 1;
  reap_one(t);
  while ((t = rt->reap_head) != NULL) {
    rt->reap_head = t->reap_next;
    if (!rt->reap_head)
      rt->reap_tail = NULL;
    t->flags &= ~CF_T_REAP;
    reap_one(t);
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
 * still holds a timer or host operation. The outcome lives in the future's
 * rc (an aborted future is dropped but its memory stays). */
static void task_complete(cf_task_t *t, int rc, int canceled) {
  cf__task_future(t)->rc = rc;
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
  int64_t at;
  uint16_t cls;
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
  t = block_alloc(rt, size);
  if (!t) {
    *err = CF_ENOMEM;
    return NULL;
  }
  cls = t->flags & CF_T_CLASS_MASK;
  /* Also sets join_waker to CF_WAKER_NONE and the set links to NULL. */
  memset(t, 0, sizeof *t);
  t->flags = cls;
  t->rt = rt;
  t->name = name;
  t->id = ++rt->next_id;
  at = cf__runtime_now_cheap(rt);
  at = at > INT64_C(0x7fffffffffff)    ? INT64_C(0x7fffffffffff)
       : at < -INT64_C(0x800000000000) ? -INT64_C(0x800000000000)
                                       : at;
  t->at_lo = (uint32_t)at;
  t->at_hi = (int16_t)(at >> 32);
  cf__copy_short(cf__task_future(t), f, size);
  f->state = CF_FUTURE_MOVED;
  rt->live_tasks++;
  cf__task_enqueue(rt, &rt->runq, t);
  if (!rt->in_turn)
    cf__runtime_request_run(rt, CF_RUN_MICROTASK);
  *err = 0;
  return t;
}

/* The context and waker live in the runtime (polls never nest), set up
 * once: a poll only names its task and refills the coop budget. */
int cf__task_run(cf_runtime_t *rt, cf_task_t *t) {
  cf_future_t *f = cf__task_future(t);
  cf_poll_t r;

  rt->poll_waker.data = t;
  rt->poll_waker.tag = t->id;
  rt->poll_coop = rt->coop_budget;
  rt->poll_cx.task = t;
  t->flags |= CF_T_RUNNING;
  rt->current = t;
  rt->in_poll++;
  r = cf_future_poll(f, &rt->poll_cx);
  rt->in_poll--;
  rt->current = NULL;
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
    return 1;
  }
  return 0;
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
    f->rc = cf__task_future(t)->rc;
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

cf_task_t *cf__task_spawn_watched(cf_runtime_t *rt, cf_future_t *f, size_t size,
                                  const char *name, const cf_waker_t *watcher,
                                  int *err) {
  cf_task_t *t = cf__task_spawn(rt, f, size, name, err);
  if (t) {
    /* A handle-less SOLO task: task_complete wakes join_waker, task_free
     * drops it, and with no CF_T_HANDLE it is freed once complete. */
    t->flags |= CF_T_SOLO;
    t->join_waker = *watcher;
  }
  return t;
}

/* Abort t (not yet complete, no abort under way); a task being polled is
 * aborted after its poll. */
static void task_abort(cf_task_t *t) {
  if (t->flags & CF_T_RUNNING) {
    t->flags |= CF_T_ABORT_REQ;
  } else {
    cf_runtime_t *rt = t->rt;
    cf__rt_enter(rt); /* the task's drop may free the runtime */
    cf__task_abort_now(t);
    /* Outside a turn no turn end follows to notice that this may have
     * been the last task: the idle release of the task slab and spare
     * blocks depends on it (an rt.call aborted from JS; the heap checks
     * of tests/node/fiber.test.mjs and pipeline.test.mjs). */
    if (!rt->in_turn && !rt->in_poll)
      cf__runtime_update_alive(rt);
    (void)cf__rt_leave(rt);
  }
}

void cf__task_abort_by_id(cf_task_t *t, uint64_t id) {
  if (t->id == id && !(t->flags & (CF_T_FREE | CF_T_COMPLETE | CF_T_ABORT_REQ)))
    task_abort(t);
}

int cf_task_abort(cf_join_handle_t *h) {
  cf_task_t *t = h ? h->task : NULL;
  if (!t)
    return CF_EINVAL;
  if (t->flags & CF_T_COMPLETE)
    return (t->flags & CF_T_CANCELED) ? CF_EAGAIN : CF_EINVAL;
  if (t->flags & CF_T_ABORT_REQ)
    return CF_EAGAIN;
  task_abort(t);
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
