/* cfuture/time.h: sleep, sleep_until, interval, timeout.
 *
 * All timers of a runtime live in one structure ordered by (deadline,
 * sequence): equal deadlines fire in the order they were started and
 * nothing fires before its deadline. The runtime asks its driver to arm at
 * most one host timer, for the earliest deadline. A timer entry is embedded
 * in its future; the runtime keeps a pointer to it in a 64-byte block of
 * its deadline's slot (13 per block, 128 bytes on 64-bit). Starting a
 * timer allocates only when the runtime needs more blocks than it ever
 * had (emptied blocks are kept for reuse until the runtime is idle or
 * freed), besides the wheel's slot array (once) and the geometric growth
 * of the heap that holds deadlines more than 2 s ahead; cancelling never
 * allocates. Starting, cancelling and firing a timer due within 2 s costs
 * O(1) (amortized).
 *
 * Deadlines are computed at the first poll (futures are lazy): sleep(ms)
 * started at time t completes at the first turn with now >= t + ms. On a
 * driver with a sub-ms clock (now_ticks: the JavaScript event loop) t and
 * the deadline keep quarter milliseconds (ticks), so a sleep fires up to
 * 1 ms closer to t + ms than whole-ms deadlines allow and never before it;
 * on other drivers they are whole ms. Order: timers due by the same turn
 * fire in deadline order (in ticks), equal deadlines in start order.
 * ms <= 0 or a deadline already past completes on the first poll without a
 * timer. Deadlines saturate: INT64_MAX (CF_TIME_NEVER) never fires.
 */
#ifndef CFUTURE_TIME_H
#define CFUTURE_TIME_H

#include <stdint.h>

#include "future.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A timer registration (embedded; managed by the runtime). In the
 * runtime's timer wheel u.w locates its entry in its deadline's slot; in
 * the heap of far deadlines seq orders equal deadlines. `where` says where
 * it is (CF_TIMER_IDLE: not armed). */
/* Timer deadlines count ticks: CF_TICKS_PER_MS per ms (the API's times
 * are ms). */
#define CF_TICKS_PER_MS 4

typedef struct cf_timer {
  int64_t deadline; /* in ticks once started */
  cf_waker_t waker;
  union { /* internal: the timer queue's (src/timer_wheel.h) */
    struct {
      void *blk;    /* the slot block holding it */
      uint32_t idx; /* its entry there */
    } w;
    uint64_t seq;
  } u;
  cf_runtime_t *rt;
  uint32_t where;
} cf_timer_t;
#define CF_TIMER_IDLE UINT32_MAX

/* Until its first poll, timer.deadline holds what init was given (the
 * duration, or the deadline of a sleep_until, which has its own vtable):
 * no field is kept for it, so that a sleep is a future and a timer only
 * (56 bytes on wasm32), fewer cache lines per expiry in a burst. */
typedef struct cf_sleep {
  cf_future_t base;
  cf_timer_t timer;
} cf_sleep_t;

/* Complete `ms` milliseconds after the first poll. */
void cf_sleep_init(cf_sleep_t *s, int64_t ms);
/* Complete once the runtime clock reaches `deadline`. */
void cf_sleep_until_init(cf_sleep_t *s, int64_t deadline);
/* The deadline in ms, rounded up to a whole ms (valid after the first
 * poll; before it, what init was given). */
int64_t cf_sleep_deadline(const cf_sleep_t *s);

/* What an interval does when ticks were missed (the task was late). */
typedef enum cf_missed_tick {
  CF_MISSED_TICK_BURST = 0, /* fire the missed ticks back to back, keep the
                               original schedule (tokio's default) */
  CF_MISSED_TICK_DELAY,     /* next tick one period after the late one */
  CF_MISSED_TICK_SKIP       /* drop missed ticks, stay on the grid */
} cf_missed_tick_t;

/* A rearmable future: ready at each tick. The first tick is immediate (at
 * the first poll), then every `period_ms` (> 0). After each CF_READY call
 * cf_future_rearm(&iv.base) (or cf_interval_next) before awaiting again.
 * `tick_at` holds the scheduled time of the tick that fired. */
typedef struct cf_interval {
  cf_future_t base;
  int64_t period;
  int64_t next;    /* scheduled time of the next tick */
  int64_t tick_at; /* scheduled time of the last tick delivered */
  uint64_t ticks;  /* ticks delivered */
  cf_missed_tick_t missed;
  uint8_t started;
  cf_timer_t timer;
} cf_interval_t;
/* period_ms <= 0 makes the interval complete with CF_EINVAL. */
void cf_interval_init(cf_interval_t *iv, int64_t period_ms,
                      cf_missed_tick_t missed);
static inline int cf_interval_next(cf_interval_t *iv) {
  return cf_future_rearm(&iv->base);
}

/* Run `inner` with a time limit. Ready with inner's rc when it completes
 * first; with CF_ETIMEDOUT when the limit passes first, in which case
 * `inner` is dropped (its work cancelled). Dropping the timeout drops
 * `inner` if still pending. `inner` must stay at its address. */
typedef struct cf_timeout {
  cf_future_t base;
  cf_future_t *inner;
  cf_sleep_t sleep;
} cf_timeout_t;
void cf_timeout_init(cf_timeout_t *t, cf_future_t *inner, int64_t ms);

/* ---- timer registration (for futures that need a deadline) ------------ */

/* Register `t` to wake `w` at `deadline` (ms; replaces a previous
 * registration of `t`). Returns 1 if the deadline already passed (not
 * registered). */
int cf_timer_start(cf_runtime_t *rt, cf_timer_t *t, int64_t deadline,
                   const cf_waker_t *w);
/* Remove `t` if registered; drops its waker. Idempotent. */
void cf_timer_cancel(cf_timer_t *t);
static inline void cf_timer_init(cf_timer_t *t) {
  t->deadline = 0;
  t->waker = CF_WAKER_NONE;
  t->u.seq = 0;
  t->rt = NULL;
  t->where = CF_TIMER_IDLE;
}
static inline int cf_timer_is_armed(const cf_timer_t *t) {
  return t->where != CF_TIMER_IDLE;
}

#ifdef __cplusplus
}
#endif
#endif
