/* time.c: timer registration and the time futures (sleep, sleep_until,
 * interval, timeout).
 *
 * A timer is "fired" by being popped from the runtime's timer queue
 * (timer_wheel.h) with its deadline <= now; a future whose timer is no
 * longer armed and whose deadline has passed is ready. Nothing fires
 * before its deadline, equal deadlines fire in start order, and a timer
 * changed outside a turn re-syncs the one host timer immediately.
 * Costs: start, cancel and fire are O(1) for deadlines within the wheel's
 * window (2 s), O(log n) beyond it; a fire is one pop and one wake.
 * Deadlines are in ticks (CF_TICKS_PER_MS per ms; the API's times are ms). */
#include "runtime_internal.h"

#include "cfuture/error.h"
#include "cfuture/time.h"

static int64_t saturating_add(int64_t a, int64_t b) {
  if (b > 0 && a > INT64_MAX - b)
    return INT64_MAX;
  if (b < 0 && a < INT64_MIN - b)
    return INT64_MIN;
  return a + b;
}

/* `now` is passed in by callers that just read the clock: on wasm every
 * read is a call into JS, and a timer start should cost at most one. */
static int timer_start_at(cf_runtime_t *rt, cf_timer_t *t, int64_t deadline,
                          const cf_waker_t *w, int64_t now) {
  int err;
  t->deadline = deadline; /* t is not armed (callers cancel first) */
  t->rt = rt;
  if (deadline <= now)
    return 1;
  err = cf__timers_insert(&rt->timers, t, now);
  if (err < 0)
    return err;
  t->waker = cf_waker_clone(w);
  if (!rt->in_turn)
    cf__runtime_sync_timer(rt);
  return 0;
}

int cf_timer_start(cf_runtime_t *rt, cf_timer_t *t, int64_t deadline,
                   const cf_waker_t *w) {
  cf_timer_cancel(t);
  return timer_start_at(rt, t, cf__ms_to_ticks(deadline), w,
                        cf__runtime_ticks(rt, 0));
}

void cf_timer_cancel(cf_timer_t *t) {
  cf_runtime_t *rt = t->rt;
  if (!cf_timer_is_armed(t))
    return;
  cf__timers_remove(&rt->timers, t);
  cf_waker_drop(&t->waker);
  if (!rt->in_turn)
    cf__runtime_sync_timer(rt);
}

int cf__timers_fire(cf_runtime_t *rt, int64_t now, uint32_t max) {
  cf_timer_t *t;
  cf__timers_touch(&rt->timers, max);
  for (; max; max--) {
    if (!(t = cf__timers_pop_due(&rt->timers, now)))
      return 0;
    cf_waker_wake(&t->waker);
  }
  return 1;
}

/* ---- sleep ---- */

static const cf_future_vtable_t sleep_until_vt;

static cf_poll_t sleep_poll(cf_future_t *f, cf_context_t *cx) {
  cf_sleep_t *s = (cf_sleep_t *)f;
  int64_t arg = s->timer.deadline; /* before the first poll: init's */
  int absolute = f->vt == &sleep_until_vt;
  int r;
  if (!cx->rt) { /* a timer needs a runtime's clock and heap */
    f->rc = CF_EINVAL;
    return CF_READY;
  }
  if (s->timer.rt == NULL) { /* first poll: the deadline starts now (rt is
                               set once it is armed or found due) */
    /* A relative deadline starts from the clock rounded up (to a tick),
     * so it never falls before start + duration in real time; ms <= 0
     * is due at that reading. */
    int64_t now = cf__runtime_ticks(cx->rt, !absolute);
    s->timer.deadline =
        absolute ? cf__ms_to_ticks(arg)
                 : saturating_add(now, arg > 0 ? cf__ms_to_ticks(arg) : 0);
    if (s->timer.deadline == CF_TIME_NEVER)
      return CF_PENDING; /* never fires, needs no timer */
    r = timer_start_at(cx->rt, &s->timer, s->timer.deadline, cx->waker, now);
    if (r < 0) {
      f->rc = r;
      return CF_READY;
    }
    return r == 1 ? CF_READY : CF_PENDING;
  }
  if (cf_timer_is_armed(&s->timer)) {
    cf_waker_register(&s->timer.waker, cx->waker);
    return CF_PENDING;
  }
  return s->timer.deadline == CF_TIME_NEVER ? CF_PENDING : CF_READY;
}

static void sleep_drop(cf_future_t *f) {
  cf_timer_cancel(&((cf_sleep_t *)f)->timer);
}

static const cf_future_vtable_t sleep_vt = {"sleep", sleep_poll, sleep_drop, 0};
static const cf_future_vtable_t sleep_until_vt = {"sleep_until", sleep_poll,
                                                  sleep_drop, 0};

void cf_sleep_init(cf_sleep_t *s, int64_t ms) {
  cf_future_init(&s->base, &sleep_vt);
  cf_timer_init(&s->timer);
  s->timer.deadline = ms; /* until the first poll (cf_sleep_t) */
}

void cf_sleep_until_init(cf_sleep_t *s, int64_t deadline) {
  cf_sleep_init(s, deadline);
  s->base.vt = &sleep_until_vt;
}

int64_t cf_sleep_deadline(const cf_sleep_t *s) {
  return s->timer.rt ? cf__ticks_to_ms(s->timer.deadline) : s->timer.deadline;
}

/* ---- interval ---- */

static int64_t next_after_miss(const cf_interval_t *iv, int64_t now) {
  switch (iv->missed) {
  case CF_MISSED_TICK_DELAY:
    return saturating_add(now, iv->period);
  case CF_MISSED_TICK_SKIP: {
    int64_t behind = now - iv->next;
    return saturating_add(iv->next, (behind / iv->period + 1) * iv->period);
  }
  case CF_MISSED_TICK_BURST:
  default:
    return saturating_add(iv->next, iv->period);
  }
}

static cf_poll_t interval_poll(cf_future_t *f, cf_context_t *cx) {
  cf_interval_t *iv = (cf_interval_t *)f;
  int64_t now, ticks;
  int r;
  if (!cx->rt || iv->period <= 0) {
    f->rc = CF_EINVAL;
    return CF_READY;
  }
  if (!iv->started) {
    /* The first tick is immediate; the grid starts from the clock rounded
     * up so that later ticks are never early in real time. */
    iv->started = 1;
    iv->tick_at = cf__ticks_to_ms(cf__runtime_ticks(cx->rt, 1));
    iv->next = saturating_add(iv->tick_at, iv->period);
    iv->ticks++;
    return CF_READY;
  }
  ticks = cf__runtime_ticks(cx->rt, 0);
  now = ticks / CF_TICKS_PER_MS; /* as the turn's (runtime.c) */
  if (now >= iv->next) {
    iv->tick_at = iv->next;
    iv->ticks++;
    /* A tick more than one period late is a miss: the policy decides. */
    iv->next = now - iv->next >= iv->period
                   ? next_after_miss(iv, now)
                   : saturating_add(iv->next, iv->period);
    cf_timer_cancel(&iv->timer);
    return CF_READY;
  }
  if (cf_timer_is_armed(&iv->timer) &&
      iv->timer.deadline == cf__ms_to_ticks(iv->next)) {
    cf_waker_register(&iv->timer.waker, cx->waker);
    return CF_PENDING;
  }
  cf_timer_cancel(&iv->timer); /* armed for an older tick, if at all */
  r = timer_start_at(cx->rt, &iv->timer, cf__ms_to_ticks(iv->next), cx->waker,
                     ticks);
  if (r < 0) {
    f->rc = r;
    return CF_READY;
  }
  if (r == 1) {
    cf_waker_wake_by_ref(cx->waker); /* became due meanwhile: poll again */
  }
  return CF_PENDING;
}

static void interval_drop(cf_future_t *f) {
  cf_timer_cancel(&((cf_interval_t *)f)->timer);
}

static const cf_future_vtable_t interval_vt = {"interval", interval_poll,
                                               interval_drop, CF_VT_REARMABLE};

void cf_interval_init(cf_interval_t *iv, int64_t period_ms,
                      cf_missed_tick_t missed) {
  cf_future_init(&iv->base, &interval_vt);
  iv->period = period_ms;
  iv->next = 0;
  iv->tick_at = 0;
  iv->ticks = 0;
  iv->missed = missed;
  iv->started = 0;
  cf_timer_init(&iv->timer);
}

/* ---- timeout ---- */

static cf_poll_t timeout_poll(cf_future_t *f, cf_context_t *cx) {
  cf_timeout_t *t = (cf_timeout_t *)f;
  if (!t->inner) {
    f->rc = CF_EINVAL;
    return CF_READY;
  }
  if (cf_future_poll(t->inner, cx) == CF_READY) {
    f->rc = t->inner->rc;
    cf_future_drop(&t->sleep.base);
    return CF_READY;
  }
  if (cf_future_poll(&t->sleep.base, cx) == CF_READY) {
    cf_future_drop(t->inner);
    f->rc = t->sleep.base.rc < 0 ? t->sleep.base.rc : CF_ETIMEDOUT;
    return CF_READY;
  }
  return CF_PENDING;
}

static void timeout_drop(cf_future_t *f) {
  cf_timeout_t *t = (cf_timeout_t *)f;
  if (t->inner && !cf_future_is_done(t->inner))
    cf_future_drop(t->inner);
  cf_future_drop(&t->sleep.base);
}

static const cf_future_vtable_t timeout_vt = {"timeout", timeout_poll,
                                              timeout_drop, 0};

void cf_timeout_init(cf_timeout_t *t, cf_future_t *inner, int64_t ms) {
  cf_future_init(&t->base, &timeout_vt);
  t->inner = inner;
  cf_sleep_init(&t->sleep, ms);
}
