/* runtime.c: the executor: turns, run_until_stalled, block_on, host holds
 * and the conversation with the driver.
 *
 * Invariants:
 *   - run_requested is set while a driver run is outstanding, so the
 *     driver is asked at most once until that run happens.
 *   - armed_deadline mirrors the one host timer: it is re-synced after each
 *     turn and after timer changes made outside a turn.
 *   - in_poll > 0 while any future is being polled by this runtime; turns
 *     and block_on refuse to start then (CF_EDEADLK), so nothing is ever
 *     polled inside another poll.
 *   - The task slab (task.c) is released whenever the runtime is idle
 *     (nothing queued, no timer, no host hold) outside block_on with no
 *     task and no waker left: every turn and block_on end in
 *     cf__runtime_update_alive, which checks.
 *   - A host completion polls its task directly (cf__runtime_host_run)
 *     only where host_leave would have run that task's turn inline and the
 *     task is all the turn would poll; what the poll leaves continues as
 *     the same turn, so a direct poll is a turn with one less queue trip.
 * Costs: a turn is O(tasks polled + timers fired). The clock is read at
 * adaptive intervals (polls_until_check): cheap polls pay about one read
 * per 256, slow ones are caught after one or two, and near the end of the
 * slice it is read after every poll, so a turn ends at the first poll that
 * reaches the slice. */
#include "runtime_internal.h"
#include "spare.h"

#include "cfuture/alloc.h"
#include "cfuture/error.h"

/* Polls per turn before yielding to the host. A yield costs a macrotask
 * hop (~1.7 us in Node): with 1024 that was ~15% of a loop of cheap polls
 * (W2 wasm ~11 ns/wake; ~10 with 4096, ~9.8 with 16384), but 16384 made
 * W4's 1e4 tasks x 100 host awaits ~7% slower (1e4 first polls in one
 * turn instead of overlapping with completions), 4096 did not. The time
 * slice (budget_ms) bounds a turn either way. */
#define DEFAULT_BUDGET_POLLS 4096u
#define DEFAULT_BUDGET_MS 8
#define DEFAULT_COOP 128u

int cf_runtime_new(cf_runtime_t **out, const cf_runtime_options_t *opts) {
  cf_runtime_t *rt;
  *out = NULL;
  if (opts && opts->driver && (!opts->driver->vt || !opts->driver->vt->now))
    return CF_EINVAL;
  rt = cf_malloc(sizeof *rt);
  if (!rt)
    return CF_ENOMEM;
  *rt = (cf_runtime_t){0};
  if (opts && opts->driver) {
    rt->driver = (cf_driver_t *)opts->driver;
  } else {
    int err = cf__platform_default_driver(&rt->owned_driver);
    if (err < 0) {
      cf_free(rt, sizeof *rt);
      return err;
    }
    rt->driver = rt->owned_driver;
  }
  rt->budget_polls =
      opts && opts->budget_polls ? opts->budget_polls : DEFAULT_BUDGET_POLLS;
  rt->budget_ms =
      opts && opts->budget_ms > 0 ? opts->budget_ms : DEFAULT_BUDGET_MS;
  rt->coop_budget =
      opts && opts->coop_budget ? opts->coop_budget : DEFAULT_COOP;
  rt->armed_deadline = CF_TIME_NEVER;
  rt->poll_waker = cf_waker_from_raw(&cf__task_waker_vt, NULL, 0);
  rt->poll_cx.waker = &rt->poll_waker;
  rt->poll_cx.rt = rt;
  rt->poll_cx.coop = &rt->poll_coop;
  cf__timers_init(&rt->timers);
  if (rt->driver->vt->attach)
    rt->driver->vt->attach(rt->driver->self, rt);
  *out = rt;
  return 0;
}

static void abort_unfinished(cf_task_t *t, void *ud) {
  (void)ud;
  if (!(t->flags & (CF_T_COMPLETE | CF_T_REAP)))
    cf__task_abort_now(t);
}

/* Still referenced by a handle or join set: force it out. */
static void force_out(cf_task_t *t, void *ud) {
  (void)ud;
  if (!(t->flags & CF_T_SOLO))
    t->set = NULL;
  t->flags =
      (uint16_t)(CF_T_COMPLETE | (t->flags & (CF_T_SOLO | CF_T_CLASS_MASK)));
  cf__task_release_if_unused(t);
}

/* Arm the driver's one host timer for `ticks` (CF_TIME_NEVER: disarm):
 * a driver with a sub-ms clock takes ticks, others whole ms. */
static void arm_host(cf_runtime_t *rt, int64_t ticks) {
  const cf_driver_vtable_t *vt = rt->driver->vt;
  if (vt->arm_timer)
    vt->arm_timer(rt->driver->self,
                  vt->now_ticks ? ticks : cf__ticks_to_ms(ticks));
}

/* The teardown proper. Drops run user code, which may call back into the
 * runtime: `freeing` makes those calls refuse (CF_ESHUTDOWN) or no-ops. */
static void destroy(cf_runtime_t *rt) {
  cf_task_t *t;
  rt->freeing = 1;
  rt->free_pending = 0;
  /* Abort first (futures may wake or abort other tasks while dropping),
   * then unlink the queues, then free what is left. Spawns are refused
   * now, so the slab does not change shape under cf__task_each. */
  cf__task_each(rt, abort_unfinished, NULL);
  while ((t = cf__task_dequeue(&rt->runq)) != NULL)
    cf__task_release_if_unused(t);
  while ((t = cf__task_dequeue(&rt->deferred)) != NULL)
    cf__task_release_if_unused(t);
  cf__task_each(rt, force_out, NULL);
  if (rt->pool) /* waits for running blocking jobs, joins the threads */
    cf__blocking_shutdown(rt);
  while (rt->timers.len) {
    cf_timer_t *tm = cf__timers_peek(&rt->timers);
    cf__timers_remove(&rt->timers, tm);
    cf_waker_drop(&tm->waker);
  }
  cf__timers_free(&rt->timers);
  if (rt->armed_deadline != CF_TIME_NEVER)
    arm_host(rt, CF_TIME_NEVER);
  if (rt->alive && rt->driver->vt->keepalive)
    rt->driver->vt->keepalive(rt->driver->self, 0);
  if (rt->driver->vt->attach)
    rt->driver->vt->attach(rt->driver->self, NULL);
  if (rt->owned_driver)
    cf__platform_default_driver_free(rt->owned_driver);
  cf__task_slab_release(rt, 1);
  cf__spare_release(rt);
  cf_free(rt, sizeof *rt);
}

void cf_runtime_free(cf_runtime_t *rt) {
  if (!rt || rt->freeing)
    return; /* a drop run by the teardown itself */
  if (rt->frames) {
    rt->free_pending = 1; /* the outermost frame frees it (cf__rt_leave) */
    return;
  }
  destroy(rt);
}

/* The outermost frame has left and a free is pending. */
int cf__rt_leave_pending(cf_runtime_t *rt) {
  if (rt->freeing)
    return 0;
  destroy(rt);
  return 1;
}

int64_t cf_runtime_now(const cf_runtime_t *rt) {
  return rt->driver->vt->now(rt->driver->self);
}

int64_t cf__ms_to_ticks(int64_t ms) {
  int64_t t;
  if (__builtin_mul_overflow(ms, CF_TICKS_PER_MS, &t))
    return ms < 0 ? INT64_MIN : INT64_MAX;
  return t;
}

int64_t cf__ticks_to_ms(int64_t t) { /* division truncates: ceil if t < 0 */
  if (t > INT64_MAX - (CF_TICKS_PER_MS - 1))
    return INT64_MAX;
  return (t > 0 ? t + (CF_TICKS_PER_MS - 1) : t) / CF_TICKS_PER_MS;
}

int64_t cf__runtime_ticks(const cf_runtime_t *rt, int up) {
  const cf_driver_vtable_t *vt = rt->driver->vt;
  void *self = rt->driver->self;
  if (vt->now_ticks)
    return vt->now_ticks(self, up);
  return cf__ms_to_ticks((up && vt->now_ceil ? vt->now_ceil : vt->now)(self));
}

/* Work that keeps the host alive for this runtime. */
static int has_work(const cf_runtime_t *rt) {
  return rt->runq.len || rt->deferred.len || rt->host_holds || rt->timers.len;
}

void cf__runtime_update_alive(cf_runtime_t *rt) {
  uint8_t alive = (uint8_t)has_work(rt);
  /* Idle: the host may measure its heap now (tests/node/leaks.test.mjs). */
  if (!alive && !rt->in_block_on && !rt->in_turn && !rt->freeing) {
    if (rt->chunks)
      cf__task_slab_release(rt, 0); /* if no task and no waker is left */
    if (rt->spare)
      cf__spare_release(rt);
    if (rt->timers.slots || rt->timers.far) { /* the wheel and far heap too */
      cf__timers_free(&rt->timers);
      cf__timers_init(&rt->timers);
    }
  }
  if (alive != rt->alive) {
    rt->alive = alive;
    if (rt->driver->vt->keepalive)
      rt->driver->vt->keepalive(rt->driver->self, alive);
  }
}

void cf__runtime_request_run(cf_runtime_t *rt, cf_run_kind_t kind) {
  if (rt->run_requested || cf__rt_closing(rt))
    return; /* closing: no run will come; the free releases the driver */
  rt->run_requested = 1;
  if (rt->in_host_cb) { /* cf__runtime_host_leave runs it */
    rt->run_inline = 1;
    return;
  }
  if (rt->driver->vt->request_run)
    rt->driver->vt->request_run(rt->driver->self, kind);
  cf__runtime_update_alive(rt);
}

void cf__runtime_sync_timer(cf_runtime_t *rt) {
  cf_timer_t *first = cf__timers_peek(&rt->timers);
  int64_t want = first ? first->deadline : CF_TIME_NEVER;
  if (want != rt->armed_deadline) {
    rt->armed_deadline = want;
    rt->timer_arms++;
    arm_host(rt, want);
  }
  cf__runtime_update_alive(rt);
}

/* Holds come and go with every host await: when the runtime is alive
 * before and after (the usual case: the awaiting task is running or
 * queued), neither touches the keepalive nor the idle trim. */
void cf_runtime_hold(cf_runtime_t *rt) {
  rt->host_holds++;
  if (!rt->alive)
    cf__runtime_update_alive(rt);
}

void cf_runtime_release(cf_runtime_t *rt) {
  if (rt->host_holds)
    rt->host_holds--;
  if (!rt->alive || !has_work(rt))
    cf__runtime_update_alive(rt);
}

/* Move tasks that yielded last turn to the back of the run queue. */
static void admit_deferred(cf_runtime_t *rt) {
  cf_task_t *t;
  while ((t = cf__task_dequeue(&rt->deferred)) != NULL)
    cf__task_enqueue(rt, &rt->runq, t);
}

/* How many more polls before the next clock read: aim to read again when
 * about half of the remaining slice is spent, judging by the average cost
 * of the polls so far (a clock read is a call into JS on wasm, so cheap
 * polls must not pay one each; slow polls are caught within one or two). */
static uint32_t polls_until_check(const cf_runtime_t *rt, uint32_t polls,
                                  int64_t elapsed) {
  int64_t spent = elapsed > 0 ? elapsed : 1;
  int64_t n = (int64_t)polls * (rt->budget_ms - elapsed) / (2 * spent);
  return n < 1 ? 1u : n > 256 ? 256u : (uint32_t)n;
}

/* Set per turn, not per poll: a thread-local store per poll cost W2's
 * self-wake ~10% in the threaded build. */
_Thread_local cf_runtime_t *cf__polling;

/* What a turn leaves behind: a run for what is still queued, deferred or
 * due, and the host timer. */
static void turn_end(cf_runtime_t *rt, int timers_due) {
  if (rt->free_pending)
    return; /* the caller's leave frees everything */
  /* Timers left due by the budget need a run too: the host timer that
   * started this turn is spent, and the earliest deadline may not have
   * changed, so syncing it would arm nothing. */
  if (rt->runq.len || rt->deferred.len || timers_due)
    cf__runtime_request_run(rt, CF_RUN_MACROTASK);
  /* Nothing timed and still busy (a host await pending, the usual end of
   * a turn run by a host completion): no timer to sync, nothing to trim. */
  if (rt->timers.len || rt->armed_deadline != CF_TIME_NEVER || !rt->alive ||
      !has_work(rt))
    cf__runtime_sync_timer(rt);
}

/* The time slice runs from the turn's start, which costs a clock read (a
 * call into JS on wasm). A turn run inside a host completion (lazy_clock,
 * see cf__runtime_host_enter) usually polls just the task the completion
 * woke, so it reads the clock only when it must: at its start if timers
 * are pending, otherwise at the first check, which comes after the first
 * poll and only if more work is queued; its slice then does not count
 * that first poll. */
static int turn_once(cf_runtime_t *rt, int lazy_clock, int admit) {
  cf_runtime_t *outer = cf__polling; /* a poll may turn another runtime */
  int64_t start = 0, elapsed;        /* start: in ticks, for the timers */
  uint32_t polls = 0, next_check = 1;
  int started = 0, timers_due = 0;
  cf_task_t *t, *held = NULL;

  rt->run_requested = 0;
  rt->in_turn = 1;
  rt->turn_clock = 0;
  cf__polling = rt;
  if (rt->timers.len || !lazy_clock) { /* in ticks for the timers */
    start = cf__runtime_ticks(rt, 0);
    /* whole ms: exact without a sub-ms clock, floor with one (>= 0) */
    rt->turn_now = start / CF_TICKS_PER_MS;
    rt->turn_clock = started = 1;
    timers_due = rt->timers.len != 0;
  }
  if (rt->deferred.head && admit)
    admit_deferred(rt);
  /* A free requested inside this turn stops it at the next task: what is
   * still queued is aborted by the free, not polled. Timers due at the
   * start fire in batches: one first, then one whenever the queue runs
   * dry or the polls reach a multiple of CF_TIMER_BATCH, so the tasks of a
   * burst are polled while the memory their timers touched is still in
   * cache; the time slice is checked while due timers remain even if the
   * queue is momentarily empty, and what the budget leaves due fires in
   * the next turn (a macrotask run, as for queued tasks).
   * `held`: a task woken during its own poll when nothing else was queued
   * is polled again without a trip through the queue (the same order).
   * Between its polls only timers run user code (their wakers), so it is
   * queued again before they fire and whenever the loop ends. */
  while (polls < rt->budget_polls) {
    if (timers_due &&
        ((!rt->runq.head && !held) || !(polls % CF_TIMER_BATCH))) {
      if (held) {
        cf__task_enqueue(rt, &rt->runq, held);
        held = NULL;
      }
      timers_due = cf__timers_fire(rt, start, CF_TIMER_BATCH);
    }
    if (rt->free_pending)
      break;
    if (held) {
      t = held;
      held = NULL;
    } else if (!(t = cf__task_dequeue(&rt->runq))) {
      if (timers_due) /* the wakes queued nothing (user wakers) */
        continue;
      break;
    } else if (t->flags & CF_T_COMPLETE) { /* aborted while queued */
      cf__task_release_if_unused(t);
      continue;
    }
    if (cf__task_run(rt, t)) {
      if (rt->runq.head)
        cf__task_enqueue(rt, &rt->runq, t);
      else
        held = t;
    }
    polls++;
    if (polls == next_check && (rt->runq.head || held || timers_due)) {
      rt->turn_now = cf_runtime_now(rt);
      rt->turn_clock = 1;
      if (!started) {
        start = cf__ms_to_ticks(rt->turn_now);
        started = 1;
      }
      elapsed = rt->turn_now - start / CF_TICKS_PER_MS;
      if (elapsed >= rt->budget_ms)
        break;
      next_check = polls + polls_until_check(rt, polls, elapsed);
    }
  }
  if (held)
    cf__task_enqueue(rt, &rt->runq, held);
  cf__polling = outer;
  rt->in_turn = 0;
  if (polls)
    rt->turns++;
  turn_end(rt, timers_due);
  return (int)polls;
}

/* A turn that leaves nothing to run while blocking jobs are in flight,
 * and nothing else outstanding in the host (the pool's hold is the only
 * one: no host await, fetch or call that would wake it sooner), waits a
 * little for the jobs' completions before giving the thread back
 * (cf__blocking_spin: bounded per wait and per turn), so a short job's
 * result is taken without a host wake-up. */
static int spin_for_blocking(cf_runtime_t *rt, int lazy_clock) {
  int n = 0;
  int64_t until = 0;
  while (rt->pool && rt->host_holds == 1 && !rt->free_pending &&
         !rt->runq.len && !rt->deferred.len && cf__blocking_spin(rt, &until)) {
    cf__blocking_drain(rt);
    n += turn_once(rt, lazy_clock, 1);
  }
  return n;
}

static int turn(cf_runtime_t *rt, int lazy_clock) {
  int n = turn_once(rt, lazy_clock, 1);
  if (rt->pool)
    n += spin_for_blocking(rt, lazy_clock);
  return n;
}

int cf__runtime_host_enter(cf_runtime_t *rt) {
  if (!rt)
    return 0;
  cf__rt_enter(rt);
  if (rt->in_turn || rt->in_poll || rt->in_block_on || rt->in_host_cb ||
      rt->run_requested || cf__rt_closing(rt))
    return 1;
  rt->in_host_cb = 1;
  return 2;
}

int cf__runtime_host_leave(cf_runtime_t *rt, int entered) {
  if (!entered)
    return 0;
  if (entered == 2) {
    rt->in_host_cb = 0;
    if (rt->run_inline) {
      rt->run_inline = 0;
      if (!cf__rt_closing(rt))
        turn(rt, 1);
    }
  }
  return cf__rt_leave(rt);
}

cf_task_t *cf__runtime_host_sole(cf_runtime_t *rt, const cf_waker_t *w) {
  cf_task_t *t;
  if (w->vt != &cf__task_waker_vt || rt->runq.head || rt->deferred.head ||
      rt->timers.len || rt->pool || rt->reaping)
    return NULL;
  t = w->data;
  if (t->id != w->tag || t->rt != rt ||
      (t->flags & (CF_T_FREE | CF_T_COMPLETE | CF_T_QUEUED | CF_T_RUNNING |
                   CF_T_ABORT_REQ | CF_T_REAP)))
    return NULL;
  return t;
}

/* One poll of t as the turn its wake would have started (host_leave's):
 * the same flags and clock rules (no read unless more work follows),
 * without the trip through the run queue. What the poll leaves behind (t
 * woken again, other tasks woken or spawned, a yield, a timer) goes on
 * exactly as in turn_once: the same turn continues with the queue (a task
 * that yielded stays deferred until the next one), then turn_end. The
 * completed op's hold is released only after the poll, so the runtime
 * never looks idle in between (no keepalive flip when the task awaits
 * again). */
void cf__runtime_host_run(cf_runtime_t *rt, cf_task_t *t) {
  cf_runtime_t *outer;
  int again;
  rt->in_host_cb = 0; /* from here on this is the turn host_leave runs */
  t->wakes++;
  rt->wakes++;
  rt->in_turn = 1;
  rt->turn_clock = 0;
  outer = cf__polling;
  cf__polling = rt;
  again = cf__task_run(rt, t);
  cf__polling = outer;
  rt->in_turn = 0;
  rt->turns++;
  if (again | (rt->runq.head != NULL) | (rt->deferred.head != NULL) |
          (rt->timers.len != 0) | rt->free_pending | (rt->pool != NULL) ||
      rt->armed_deadline != CF_TIME_NEVER) {
    if (again) /* as turn_once's `held` */
      cf__task_enqueue(rt, &rt->runq, t);
    if (rt->runq.head && !rt->free_pending) {
      if (turn_once(rt, 1, 0)) /* ends with turn_end */
        rt->turns--;           /* it and the direct poll are one turn */
    } else {
      turn_end(rt, 0);
    }
  }
  cf_runtime_release(rt);
  if (rt->pool) /* created by the poll; as turn() does, with the hold gone */
    (void)spin_for_blocking(rt, 1);
}

/* Refusal shared by the turn entry points. */
static int turn_refused(const cf_runtime_t *rt) {
  if (cf__rt_closing(rt))
    return CF_ESHUTDOWN;
  if (rt->in_poll || rt->in_turn)
    return CF_EDEADLK;
  return 0;
}

int cf_runtime_turn(cf_runtime_t *rt) {
  int n = turn_refused(rt);
  if (n < 0)
    return n;
  cf__rt_enter(rt);
  if (rt->pool) /* finished blocking jobs wake their tasks */
    cf__blocking_drain(rt);
  n = turn(rt, 0);
  return cf__rt_leave(rt) ? CF_ESHUTDOWN : n;
}

/* A turn fires due timers in batches and stops at its poll budget, so a
 * burst larger than the budget leaves due timers with an empty queue:
 * "stalled" means nothing queued and nothing due. */
static int timers_due_now(cf_runtime_t *rt) {
  cf_timer_t *t = rt->timers.len ? cf__timers_peek(&rt->timers) : NULL;
  return t && t->deadline <= cf__runtime_ticks(rt, 0);
}

int cf_runtime_run_until_stalled(cf_runtime_t *rt) {
  int total = turn_refused(rt);
  if (total < 0)
    return total;
  cf__rt_enter(rt);
  if (rt->pool)
    cf__blocking_drain(rt);
  for (;;) {
    total += turn(rt, 0);
    if (rt->free_pending ||
        (!rt->runq.len && !rt->deferred.len && !timers_due_now(rt)))
      break;
  }
  return cf__rt_leave(rt) ? CF_ESHUTDOWN : total;
}

/* ---- block_on: the root future is polled outside any task ---- */

static cf_waker_t root_clone(const cf_waker_t *w) {
  ((cf_runtime_t *)w->data)->live_wakers++;
  return *w;
}
static void root_wake_by_ref(const cf_waker_t *w) {
  /* A clone kept past its block_on can only cause one spurious poll of a
   * later root future, which the protocol allows. */
  ((cf_runtime_t *)w->data)->root_woken = 1;
}
static void root_drop(cf_waker_t *w) {
  ((cf_runtime_t *)w->data)->live_wakers--;
}
static void root_wake(cf_waker_t *w) {
  root_wake_by_ref(w);
  root_drop(w);
}
static const cf_waker_vtable_t root_waker_vt = {root_clone, root_wake,
                                                root_wake_by_ref, root_drop};

int cf_block_on(cf_runtime_t *rt, cf_future_t *f) {
  cf_waker_t w;
  cf_context_t cx;
  uint32_t coop;
  int err = 0;

  if (cf__rt_closing(rt))
    return CF_ESHUTDOWN;
  if (rt->in_poll || rt->in_turn || rt->in_block_on)
    return CF_EDEADLK;
  if (!f)
    return CF_EINVAL;
  w = cf_waker_from_raw(&root_waker_vt, rt, 0);
  cx.waker = &w;
  cx.rt = rt;
  cx.task = NULL;
  cx.coop = &coop;
  cf__rt_enter(rt);
  rt->in_block_on = 1;
  rt->root_woken = 1;
  for (;;) {
    if (rt->root_woken) {
      cf_poll_t r;
      rt->root_woken = 0;
      rt->turn_clock = 0; /* spawns in this poll share one clock read */
      coop = rt->coop_budget;
      rt->in_poll++;
      r = cf_future_poll(f, &cx);
      rt->in_poll--;
      if (rt->free_pending)
        break;
      if (r == CF_READY)
        break;
    }
    turn(rt, 0);
    if (rt->free_pending)
      break;
    if (rt->root_woken || rt->runq.len || rt->deferred.len)
      continue;
    {
      cf_timer_t *first = cf__timers_peek(&rt->timers);
      int64_t deadline =
          first ? cf__ticks_to_ms(first->deadline) : CF_TIME_NEVER;
      if (deadline == CF_TIME_NEVER && !rt->host_holds) {
        err = CF_EDEADLK; /* nothing left that could ever wake f */
        break;
      }
      if (!rt->driver->vt->park) {
        err = CF_EINVAL;
        break;
      }
      err = rt->driver->vt->park(rt->driver->self, deadline);
      if (err < 0 || rt->free_pending)
        break;
      if (rt->pool) /* a notify from a blocking job may have ended it */
        cf__blocking_drain(rt);
    }
  }
  rt->in_block_on = 0;
  if (rt->free_pending) {
    /* f may hold clones of the root waker (which point into rt) or
     * timers and handles of rt: drop it while rt still exists. */
    cf_future_drop(f);
    (void)cf__rt_leave(rt);
    return CF_ESHUTDOWN;
  }
  cf__runtime_sync_timer(rt);
  if (cf__rt_leave(rt))
    return CF_ESHUTDOWN;
  return err < 0 ? err : f->rc;
}

void cf_runtime_stats(const cf_runtime_t *rt, cf_runtime_stats_t *out) {
  out->live_tasks = rt->live_tasks;
  out->queued_tasks = rt->runq.len + rt->deferred.len;
  out->live_wakers = rt->live_wakers;
  out->live_timers = rt->timers.len;
  out->host_holds = rt->host_holds;
  out->polls = rt->polls;
  out->wakes = rt->wakes;
  out->turns = rt->turns;
  out->timer_arms = rt->timer_arms;
}
