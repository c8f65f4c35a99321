/* runtime_internal.h: the executor's private structures, shared by
 * runtime.c (turns, block_on), task.c (spawn, wake, abort, handles),
 * time.c (timers), yield.c and join_set.c.
 *
 * Task lifetime: a task is live from spawn until it is complete AND has no
 * handle AND is not linked in the run queue; then its future is dropped and
 * its block goes back to the slab. Wakers name the block and the task's id,
 * and a block keeps being a task block (free or reused, with a new id)
 * while any waker lives, which turns a waker that outlived its task into a
 * no-op.
 *
 * Frees and aborts go through the runtime's reap list: dropping a task's
 * future may drop join handles and so free or abort other tasks, whose
 * futures may do the same. Processing those one after another from a list
 * (instead of recursively) keeps a chain of 1e5 tasks, each holding the
 * previous one's handle, from overflowing the stack. An abort that is
 * requested while the list is being processed completes before the
 * outermost free/abort call returns.
 *
 * Free task blocks stay in the runtime's slab (task.c) until the runtime
 * is idle with no task and no waker left, or freed; then every chunk goes
 * back to the allocator.
 *
 * Deferred free: every entry point that may run user code (a poll, a drop,
 * a waker) and then touches the runtime again is a frame (cf__rt_enter /
 * cf__rt_leave): turns, run_until_stalled, block_on, host completions,
 * abort, detach, handle and join set drops. cf_runtime_free inside a frame
 * only sets free_pending; the outermost frame's leave frees the runtime
 * and tells its caller (returns 1), which must then return without
 * touching rt or anything the runtime owned. While free_pending or
 * freeing, spawns and turns are refused with CF_ESHUTDOWN. */
#ifndef CF_RUNTIME_INTERNAL_H
#define CF_RUNTIME_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "cfuture/combine.h"
#include "cfuture/driver.h"
#include "cfuture/runtime.h"
#include "timer_wheel.h"

enum cf_task_flag {
  CF_T_QUEUED = 1u << 0,    /* linked in the run or deferred queue */
  CF_T_RUNNING = 1u << 1,   /* being polled */
  CF_T_NOTIFIED = 1u << 2,  /* woken during its own poll */
  CF_T_COMPLETE = 1u << 3,  /* finished (ready or aborted) */
  CF_T_CANCELED = 1u << 4,  /* finished by abort */
  CF_T_HANDLE = 1u << 5,    /* a join handle (or join set) observes it */
  CF_T_ABORT_REQ = 1u << 6, /* abort requested (own poll, or on the reap
                               list), not yet done */
  CF_T_YIELDED = 1u << 7,   /* cf_yield_now: defer to the next turn */
  CF_T_REAP = 1u << 8,      /* on the reap list (to abort or to free) */
  CF_T_SOLO = 1u << 9,      /* spawned by cf_spawn: never in a join set, so
                               the union in cf_task holds join_waker */
  CF_T_FREE = 1u << 10      /* a free slab block, not a task */
};

/* 80 bytes on 64-bit targets (56 on wasm32): a task of a 24-byte future
 * (cf_future_t itself) is a 104-byte slab block. The block's size class
 * and "free" live in the flags' top bits, the outcome in the future's rc;
 * wakers check the task id (see task.c), so no generation is stored. */
struct cf_task {
  cf_runtime_t *rt;
  cf_task_t *next;      /* run queue, deferred queue or slab free list */
  cf_task_t *reap_next; /* reap list */
  const char *name;
  uint64_t id;
  /* A task either has a join handle (cf_spawn, CF_T_SOLO) or belongs to a
   * join set, never both at once: a set task's links are all NULL once the
   * set lets it go (join_set.c), which reads as CF_WAKER_NONE, and its
   * handle then only sees a finished task, which never registers a waker.
   * task.c touches join_waker only for CF_T_SOLO tasks, and set fields
   * only for the others. */
  union {
    cf_waker_t join_waker;
    struct {
      cf_task_t *set_prev, *set_next; /* join set running or done list */
      cf_join_set_t *set;
    };
  };
  uint32_t polls, wakes;
  uint32_t at_lo; /* spawned_at: 48 bits, sign-extended (+-4000 years) */
  int16_t at_hi;
  uint16_t flags; /* enum cf_task_flag | class << CF_T_CLASS_SHIFT */
  /* The future copy follows (see CF_TASK_HEADER). */
};

/* Slab: task blocks come from chunks (runtime-owned arrays of same-size
 * blocks) and go back to their class's free list, never to the allocator,
 * until the runtime is idle with no task and no waker left (or freed):
 * a waker may point at any block while it lives, so blocks stay blocks.
 * Classes are 8-byte steps of the future's size up to CF_SLAB_MAX_FUTURE;
 * a larger task gets a chunk of its own (class CF_SLAB_BIG). */
#define CF_T_CLASS_SHIFT 11u
#define CF_T_CLASS_MASK (31u << CF_T_CLASS_SHIFT)
#define CF_SLAB_CLASSES 31u /* classes 0..30: futures of 8..248 bytes */
#define CF_SLAB_BIG 31u
#define CF_SLAB_MAX_FUTURE (CF_SLAB_CLASSES * 8u)

typedef struct cf_task_chunk {
  struct cf_task_chunk *next; /* the runtime's list of chunks */
  uint32_t stride, count;     /* bytes per block, blocks */
} cf_task_chunk_t;

typedef struct cf_task_queue {
  cf_task_t *head, *tail;
  size_t len;
} cf_task_queue_t;

struct cf_runtime {
  cf_driver_t *driver;
  cf_driver_t *owned_driver; /* the platform default, freed with us */
  uint32_t budget_polls, coop_budget;
  int64_t budget_ms;

  cf_task_t *current; /* task being polled */
  /* What cf__task_run polls with: cx.waker = &poll_waker (a task waker),
   * cx.rt = this runtime, cx.coop = &poll_coop, set by cf_runtime_new;
   * the task fields are set per poll. */
  cf_context_t poll_cx;
  cf_waker_t poll_waker;
  uint32_t poll_coop;
  uint32_t in_poll; /* depth of polls in progress (tasks or block_on) */
  uint8_t in_turn, run_requested, alive, root_woken, in_block_on, reaping;
  uint8_t turn_clock;   /* turn_now was read in this turn or root poll */
  uint8_t clock_uses;   /* cheap reads since turn_now was last read */
  uint8_t in_host_cb;   /* a host completion is being delivered (see
                           cf__runtime_host_enter) */
  uint8_t run_inline;   /* a run was requested during it: the caller turns */
  uint8_t free_pending; /* cf_runtime_free was called inside a frame */
  uint8_t freeing;      /* cf_runtime_free is tearing the runtime down */
  uint32_t frames;      /* runtime frames on the stack (see above) */

  cf_task_queue_t runq;     /* FIFO of runnable tasks */
  cf_task_queue_t deferred; /* yielded: run on the next turn */

  cf_task_chunk_t *chunks;               /* every slab chunk */
  cf_task_t *slab_free[CF_SLAB_CLASSES]; /* free blocks by class */
  cf_task_t *big_free;                   /* free blocks of big chunks */
  uint8_t slab_made[CF_SLAB_CLASSES];    /* chunks made per class: sizes
                                            grow geometrically */

  int64_t armed_deadline; /* what the driver's host timer is set for */
  int64_t turn_now;       /* clock at the last read in this turn */

  cf_task_t *reap_head, *reap_tail; /* tasks to abort or free, FIFO */

  size_t live_tasks, live_wakers, host_holds;
  uint64_t next_id, polls, wakes, turns, timer_arms;
  uint32_t select_seed;  /* first branch of the next fair select */
  struct cf__pool *pool; /* blocking pool (blocking.c), NULL until used */
  void *spare;           /* spare blocks (spare.h), linked through their
                            first word */
  uint32_t spares;
  /* Last: its 1 KiB occupancy bitmap would otherwise sit between the
   * queues and the per-poll fields above (measured: w4seq 3-4% slower). */
  cf_timers_t timers; /* wheel + far heap (timer_wheel.h) */
};

/* Bytes before the future in a task block. */
#define CF_TASK_HEADER                                                         \
  ((sizeof(cf_task_t) + _Alignof(max_align_t) - 1) &                           \
   ~(size_t)(_Alignof(max_align_t) - 1))

static inline cf_future_t *cf__task_future(cf_task_t *t) {
  return (cf_future_t *)((char *)t + CF_TASK_HEADER);
}

/* Frames (see "Deferred free" above). leave returns 1 if it freed rt. */
static inline void cf__rt_enter(cf_runtime_t *rt) {
  rt->frames++;
}
int cf__rt_leave_pending(cf_runtime_t *rt);
/* Inline: every handle drop, abort and detach leaves a frame, and a free is
 * almost never pending. */
static inline int cf__rt_leave(cf_runtime_t *rt) {
  if (--rt->frames || !rt->free_pending)
    return 0;
  return cf__rt_leave_pending(rt);
}
/* The runtime refuses new work: a free is pending or in progress. */
static inline int cf__rt_closing(const cf_runtime_t *rt) {
  return rt->free_pending || rt->freeing;
}

/* Inlined into callers in other files when the library is linked with
 * LTO (the wasm builds; clang honours the attribute across files there):
 * for functions on the per-await path, where a wasm call costs a stack
 * check and a chain of dependent loads (cf__task_run's call was 4-5 ns of
 * ~50 per await). Not when optimising for size (-Os: +280 bytes), nor
 * with gcc, which would warn that it cannot inline across files. */
#if defined(__clang__) && !defined(__OPTIMIZE_SIZE__)
#define CF__HOT_INLINE __attribute__((always_inline))
#else
#define CF__HOT_INLINE
#endif

/* task.c */
void cf__task_schedule(cf_task_t *t);
/* Inline: the turn loop dequeues once per poll, from another file. */
static inline void cf__task_enqueue(cf_runtime_t *rt, cf_task_queue_t *q,
                                    cf_task_t *t) {
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
static inline cf_task_t *cf__task_dequeue(cf_task_queue_t *q) {
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
/* Poll t once. Returns 1 if it was woken during its poll and must run
 * again: the caller queues it (the turn may instead poll it right away
 * when nothing else is queued, which is the same order). */
CF__HOT_INLINE int cf__task_run(cf_runtime_t *rt, cf_task_t *t);
/* The runtime whose turn this thread is running (its tasks are polled),
 * else NULL (what an allocation without a runtime argument may borrow:
 * spare.h). */
extern _Thread_local cf_runtime_t *cf__polling;
void cf__task_release_if_unused(cf_task_t *t);
void cf__task_abort_now(cf_task_t *t);
cf_task_t *cf__task_spawn(cf_runtime_t *rt, cf_future_t *f, size_t size,
                          const char *name, int *err);
void cf__task_detach(cf_task_t *t);
/* Spawn f as a task with no join handle whose completion is reported to
 * `watcher` instead (taken over; rt.call's tasks, export.c): its wake runs
 * inside the completion, before the task is freed, so the finished future
 * is still readable through cf__task_future (and already dropped if the
 * task was aborted: the task's CF_T_CANCELED); its drop runs if the task
 * is freed without completing. The watcher must not touch the task after
 * returning, nor free the runtime. No clone is ever made of it. Returns
 * the task, or NULL with *err (the watcher is then not taken). */
cf_task_t *cf__task_spawn_watched(cf_runtime_t *rt, cf_future_t *f, size_t size,
                                  const char *name, const cf_waker_t *watcher,
                                  int *err);
/* cf_task_abort for a task known by pointer and id (the block stays a
 * task block while the caller may hold it; a stale id is a no-op). */
void cf__task_abort_by_id(cf_task_t *t, uint64_t id);
void cf__task_handle_attach(cf_join_handle_t *h, cf_task_t *t);
/* Give every slab chunk back to the allocator if no task and no waker is
 * left, or if `force` (the runtime's free); else do nothing. */
void cf__task_slab_release(cf_runtime_t *rt, int force);
/* Call fn for every live task (slab order; fn must not spawn). */
void cf__task_each(cf_runtime_t *rt, void (*fn)(cf_task_t *t, void *ud),
                   void *ud);
static inline int64_t cf__task_spawned_at(const cf_task_t *t) {
  return (int64_t)((uint64_t)(int64_t)t->at_hi << 32 | t->at_lo);
}

/* runtime.c */
/* The clock in timer ticks (CF_TICKS_PER_MS per ms): rounded down (what
 * is due), or with up, rounded up (where relative deadlines start, so
 * they never fall before start + duration in real time). From now_ticks
 * on a driver with a sub-ms clock, else whole ms (now, or now_ceil). Out
 * of line: inlined into turn_once it made the turn loop ~1 ns per task
 * slower (bench/README.md, W1 after the tick change). */
__attribute__((noinline)) int64_t cf__runtime_ticks(const cf_runtime_t *rt,
                                                    int up);
/* ms -> ticks, saturating (CF_TIME_NEVER stays never). */
int64_t cf__ms_to_ticks(int64_t ms);
/* ticks -> ms, rounded up (a deadline in whole ms never comes early). */
int64_t cf__ticks_to_ms(int64_t t);
/* The clock as last read in the current turn or block_on root poll (read
 * again after 256 cheap reads, so a long poll does not stamp stale times
 * for long), or a fresh read outside them. A read costs ~35 ns natively
 * (more than a spawn) and a call into JS on wasm. For bookkeeping only,
 * never for deadlines. */
static inline int64_t cf__runtime_now_cheap(cf_runtime_t *rt) {
  if (!rt->in_turn && !rt->in_poll)
    return cf_runtime_now(rt);
  if (!rt->turn_clock || !++rt->clock_uses) {
    rt->turn_now = cf_runtime_now(rt);
    rt->turn_clock = 1;
  }
  return rt->turn_now;
}
/* Host completions (wasm): JS delivers each one from the top of a promise
 * reaction or task, so the executor can run the turn that the wake asks
 * for right there, instead of asking the driver for a microtask that would
 * run it one hop later (a wasm->JS->wasm round trip per await). enter
 * opens a frame (the wake may reach user code that frees the runtime) and
 * returns 0 for a NULL rt, 2 if the turn may run inline (no turn or poll
 * on the stack, no run outstanding: an outstanding run already covers the
 * wake), else 1. Every enter must be paired with one leave given its
 * result; leave runs the turn if a run was requested in between, closes
 * the frame and returns 1 if that freed rt (the caller must not touch it). */
int cf__runtime_host_enter(cf_runtime_t *rt);
int cf__runtime_host_leave(cf_runtime_t *rt, int entered);
/* The fast form of a host completion (hostop.c): inside a host frame
 * that may run its turn inline (enter returned 2), when the completed
 * op's waker `w` wakes a task of rt that would be the only thing that
 * turn polls (nothing queued or deferred, no timer, no blocking pool, the
 * task idle and not aborted), host_sole returns that task, else NULL.
 * The caller then consumes the waker without waking and calls host_run,
 * which polls the task right away (the turn, continued as a full one if
 * the poll leaves work) and then releases the op's runtime hold; the
 * caller's host_leave closes the frame as usual. */
cf_task_t *cf__runtime_host_sole(cf_runtime_t *rt, const cf_waker_t *w);
void cf__runtime_host_run(cf_runtime_t *rt, cf_task_t *t);
void cf__runtime_update_alive(cf_runtime_t *rt);
void cf__runtime_request_run(cf_runtime_t *rt, cf_run_kind_t kind);
void cf__runtime_sync_timer(cf_runtime_t *rt);

/* time.c */
/* Fire (pop and wake) up to `max` timers due by `now`, in order; returns 1
 * if due timers may be left (the batch was full), else 0. A turn fires
 * CF_TIMER_BATCH at a time, polling the woken tasks in between: small
 * enough that what a batch touched is still in cache (and the TLB) when
 * its tasks run, large enough that the batch's cache misses overlap
 * (bench/README.md, "W5: the expiry floor": 16 and 32 measured alike, 4
 * and 8 slower, 128 slower with the list wheel). */
int cf__timers_fire(cf_runtime_t *rt, int64_t now, uint32_t max);
#define CF_TIMER_BATCH 16u

/* blocking.c: take finished blocking jobs from the cross-thread inbox
 * (one atomic load when there are none); tear the pool down on free.
 * Drained where a notify leads (cf_runtime_turn, which event-loop drivers
 * call; block_on after a park; run_until_stalled) and by the handle's own
 * poll, never inside the internal turn loop: no cost on the hot path. */
void cf__blocking_drain(cf_runtime_t *rt);
/* Spins (without the lock) until a blocking job's completion is in the
 * inbox (returns 1) or a short wait ends (0); *until (0 at first) bounds
 * the total of the calls of one turn. 0 at once with no job in flight. */
int cf__blocking_spin(cf_runtime_t *rt, int64_t *until);
void cf__blocking_shutdown(cf_runtime_t *rt);
/* wasm threaded build (src/wasm/threads.c): the pool's last thread was
 * joined; the platform may release idle Web Workers so the host can exit. */
void cf__blocking_platform_idle(void);

/* join_set.c: a task of a set finished. */
void cf__join_set_task_done(cf_task_t *t);

/* platform (src/native or src/wasm) */
int cf__platform_default_driver(cf_driver_t **out);
void cf__platform_default_driver_free(cf_driver_t *d);

#endif
