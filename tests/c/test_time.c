/* test_time.c: timers on the virtual clock. Edge durations (0, negative,
 * INT64_MAX, past deadlines), sleep vs sleep_until reading what init was
 * given at the first poll, never early, equal deadlines in start order,
 * one host timer for 1e5 pending timers (and re-arm on cancel of the
 * earliest), interval missed-tick policies, timeout outcomes; plus one real
 * sleep on the native POSIX driver (only "not early" and "not absurd"). */
#define _POSIX_C_SOURCE 200809L
#include <stdlib.h>
#include <time.h>

#include "harness.h"

/* A context for polling leaf futures directly, outside any task. */
static cf_waker_t no_waker = {NULL, NULL, 0};
static cf_context_t direct_cx(cf_runtime_t *rt) {
  cf_context_t cx;
  cx.waker = &no_waker;
  cx.rt = rt;
  cx.task = NULL;
  cx.coop = NULL;
  return cx;
}

static size_t live_timers(th_env_t *env) {
  cf_runtime_stats_t st;
  cf_runtime_stats(env->rt, &st);
  return st.live_timers;
}

static void zero_and_negative_sleep_are_immediate(void) {
  static const int64_t durations[] = {0, -1, -1000, INT64_MIN};
  th_env_t env;
  size_t i;
  cf_virtual_driver_stats_t vs;
  th_env_open(&env);
  cf_virtual_driver_advance(env.drv, 500);
  for (i = 0; i < sizeof durations / sizeof durations[0]; i++) {
    cf_sleep_t s;
    cf_context_t cx = direct_cx(env.rt);
    cf_sleep_init(&s, durations[i]);
    CHECK_EQ(cf_future_poll(&s.base, &cx), CF_READY);
    CHECK_EQ(s.base.rc, 0);
    CHECK_EQ(cf_sleep_deadline(&s), 500);
    CHECK_EQ(live_timers(&env), 0);
    cf_future_drop(&s.base);
  }
  cf_virtual_driver_stats(env.drv, &vs);
  CHECK_EQ(vs.arms, 0);
  th_env_close(&env);
}

static void past_deadlines_are_immediate(void) {
  th_env_t env;
  cf_sleep_t s;
  cf_context_t cx;
  th_env_open(&env);
  cf_virtual_driver_advance(env.drv, 1000);
  cx = direct_cx(env.rt);
  cf_sleep_until_init(&s, 999);
  CHECK_EQ(cf_future_poll(&s.base, &cx), CF_READY);
  cf_future_drop(&s.base);
  cf_sleep_until_init(&s, 1000); /* exactly now: due */
  CHECK_EQ(cf_future_poll(&s.base, &cx), CF_READY);
  cf_future_drop(&s.base);
  cf_sleep_until_init(&s, INT64_MIN);
  CHECK_EQ(cf_future_poll(&s.base, &cx), CF_READY);
  cf_future_drop(&s.base);
  cf_sleep_until_init(&s, 1001);
  CHECK_EQ(cf_future_poll(&s.base, &cx), CF_PENDING);
  CHECK_EQ(live_timers(&env), 1);
  cf_future_drop(&s.base);
  CHECK_EQ(live_timers(&env), 0);
  th_env_close(&env);
}

/* cf_sleep_t keeps what init was given in its timer's deadline until the
 * first poll: the same number is a duration for sleep (from the first
 * poll, not from init) and a deadline for sleep_until. */
static void sleep_and_sleep_until_read_init_at_first_poll(void) {
  th_env_t env;
  cf_sleep_t s, u;
  cf_context_t cx;
  th_env_open(&env);
  cx = direct_cx(env.rt);
  cf_virtual_driver_advance(env.drv, 100);
  cf_sleep_init(&s, 150);
  cf_sleep_until_init(&u, 150);
  CHECK_EQ(cf_sleep_deadline(&s), 150); /* before the first poll: init's */
  cf_virtual_driver_advance(env.drv, 20);
  CHECK_EQ(cf_future_poll(&s.base, &cx), CF_PENDING);
  CHECK_EQ(cf_future_poll(&u.base, &cx), CF_PENDING);
  CHECK_EQ(cf_sleep_deadline(&s), 270);
  CHECK_EQ(cf_sleep_deadline(&u), 150);
  CHECK_EQ(live_timers(&env), 2);
  cf_virtual_driver_advance(env.drv, 30); /* 150 */
  CHECK_EQ(cf_future_poll(&s.base, &cx), CF_PENDING);
  cf_future_drop(&s.base);
  cf_future_drop(&u.base);
  CHECK_EQ(live_timers(&env), 0);
  th_env_close(&env);
}

static void never_deadline_arms_nothing(void) {
  th_env_t env;
  cf_sleep_t a, b, c;
  cf_context_t cx;
  cf_virtual_driver_stats_t vs;
  th_env_open(&env);
  cf_virtual_driver_advance(env.drv, 10);
  cx = direct_cx(env.rt);
  cf_sleep_init(&a, INT64_MAX);
  cf_sleep_init(&b, INT64_MAX - 5); /* saturates to never */
  cf_sleep_until_init(&c, CF_TIME_NEVER);
  CHECK_EQ(cf_future_poll(&a.base, &cx), CF_PENDING);
  CHECK_EQ(cf_future_poll(&b.base, &cx), CF_PENDING);
  CHECK_EQ(cf_future_poll(&c.base, &cx), CF_PENDING);
  CHECK_EQ(cf_sleep_deadline(&b), CF_TIME_NEVER);
  CHECK_EQ(live_timers(&env), 0);
  cf_virtual_driver_stats(env.drv, &vs);
  CHECK_EQ(vs.arms, 0);
  CHECK_EQ(vs.armed_deadline, CF_TIME_NEVER);
  /* Still pending much later, and block_on sees that nothing can wake it. */
  cf_virtual_driver_advance(env.drv, INT64_MAX / 2);
  CHECK_EQ(cf_future_poll(&a.base, &cx), CF_PENDING);
  CHECK_EQ(cf_block_on(env.rt, &b.base), CF_EDEADLK);
  cf_future_drop(&a.base);
  cf_future_drop(&b.base);
  cf_future_drop(&c.base);
  th_env_close(&env);
}

/* A task sleeping `ms`, recording when it finished. */
typedef struct {
  cf_async_t co;
  cf_sleep_t s;
  int64_t arg;
  int absolute, id;
  int *log, *len;
} sleeper_t;
static cf_poll_t sleeper_poll(cf_future_t *f, cf_context_t *cx) {
  sleeper_t *self = (sleeper_t *)f;
  CF_BEGIN(self);
  if (self->absolute)
    cf_sleep_until_init(&self->s, self->arg);
  else
    cf_sleep_init(&self->s, self->arg);
  CF_AWAIT(self, &self->s);
  if (self->log)
    self->log[(*self->len)++] = self->id;
  CF_END(self, 0);
}
static void sleeper_cleanup(cf_future_t *f) {
  cf_future_drop(&((sleeper_t *)f)->s.base);
}
CF_ASYNC_VTABLE(sleeper_vt, "sleeper", sleeper_poll, sleeper_cleanup);
static void sleeper(sleeper_t *s, int64_t arg, int absolute, int id, int *log,
                    int *len) {
  CF_ASYNC_INIT(s, &sleeper_vt);
  s->arg = arg;
  s->absolute = absolute;
  s->id = id;
  s->log = log;
  s->len = len;
}

static void never_fires_early(void) {
  static const int64_t ms[] = {1, 2, 100, 12345};
  size_t i;
  for (i = 0; i < sizeof ms / sizeof ms[0]; i++) {
    th_env_t env;
    sleeper_t s;
    cf_join_handle_t h;
    th_env_open(&env);
    cf_virtual_driver_advance(env.drv, 7);
    sleeper(&s, ms[i], 0, 0, NULL, NULL);
    CHECK_EQ(CF_SPAWN(env.rt, &s, NULL, &h), 0);
    cf_runtime_turn(env.rt);
    cf_virtual_driver_advance(env.drv, ms[i] - 1);
    cf_runtime_turn(env.rt);
    CHECK(!cf_task_is_finished(&h));
    cf_virtual_driver_advance(env.drv, 1);
    cf_runtime_turn(env.rt);
    CHECK(cf_task_is_finished(&h));
    CHECK_EQ(th_now(&env), 7 + ms[i]);
    cf_future_drop(&h.base);
    th_env_close(&env);
  }
}

static void equal_deadlines_fire_in_start_order(void) {
  th_env_t env;
  sleeper_t s;
  cf_join_handle_t h[20];
  int log[20], len = 0, i;
  th_env_open(&env);
  /* 10 relative sleeps started at t=0 and 10 absolute ones started at
   * t=50, all due at 100; interleave the order of ids. */
  for (i = 0; i < 10; i++) {
    sleeper(&s, 100, 0, 9 - i, log, &len);
    CHECK_EQ(CF_SPAWN(env.rt, &s, NULL, &h[i]), 0);
  }
  cf_runtime_turn(env.rt);
  cf_virtual_driver_advance(env.drv, 50);
  for (i = 10; i < 20; i++) {
    sleeper(&s, 100, 1, i, log, &len);
    CHECK_EQ(CF_SPAWN(env.rt, &s, NULL, &h[i]), 0);
  }
  cf_runtime_turn(env.rt);
  cf_virtual_driver_advance(env.drv, 50);
  cf_runtime_run_until_stalled(env.rt);
  CHECK_EQ(len, 20);
  for (i = 0; i < 10; i++)
    CHECK_EQ(log[i], 9 - i);
  for (i = 10; i < 20; i++)
    CHECK_EQ(log[i], i);
  for (i = 0; i < 20; i++)
    cf_future_drop(&h[i].base);
  th_env_close(&env);
}

/* 1e5 pending timers: the driver holds exactly one host timer, always for
 * the earliest deadline; cancelling the earliest re-arms to the next. */
static void one_host_timer_for_many(void) {
  th_env_t env;
  long i, n = th_scaled(100000);
  cf_sleep_t *s = malloc((size_t)n * sizeof *s);
  cf_context_t cx;
  cf_virtual_driver_stats_t vs;
  cf_runtime_stats_t st;
  uint64_t arms_before;
  int bad = 0;
  th_env_open(&env);
  cx = direct_cx(env.rt);
  /* Deadlines 1000 + (i * 7919) % n: scattered, one of them the minimum. */
  for (i = 0; i < n; i++) {
    cf_sleep_until_init(&s[i], 1000 + (i * 7919) % n);
    if (cf_future_poll(&s[i].base, &cx) != CF_PENDING)
      bad++;
  }
  CHECK_EQ(bad, 0);
  cf_runtime_stats(env.rt, &st);
  CHECK_EQ(st.live_timers, (size_t)n);
  cf_virtual_driver_stats(env.drv, &vs);
  CHECK_EQ(vs.armed_deadline, 1000);
  CHECK_EQ(vs.arms, st.timer_arms);
  CHECK(vs.arms <= 2); /* armed at the first timer, again at the minimum */
  {
    long *by_deadline = malloc((size_t)n * sizeof *by_deadline);
    for (i = 0; i < n; i++)
      by_deadline[(i * 7919) % n] = i;
    /* Cancelling a timer that is not the earliest re-arms nothing. */
    arms_before = vs.arms;
    cf_future_drop(&s[by_deadline[n - 1]].base);
    cf_virtual_driver_stats(env.drv, &vs);
    CHECK_EQ(vs.arms, arms_before);
    CHECK_EQ(vs.armed_deadline, 1000);
    /* Cancel in deadline order: each cancel of the earliest re-arms once,
     * to the next deadline; the last one disarms. */
    for (i = 0; i < n - 1; i++) {
      cf_future_drop(&s[by_deadline[i]].base);
      cf_virtual_driver_stats(env.drv, &vs);
      if (vs.armed_deadline != (i + 1 < n - 1 ? 1000 + i + 1 : CF_TIME_NEVER))
        bad++;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(vs.arms, arms_before + (uint64_t)(n - 1));
    free(by_deadline);
  }
  for (i = 0; i < n; i++)
    cf_future_drop(&s[i].base);
  CHECK_EQ(live_timers(&env), 0);
  free(s);
  th_env_close(&env);
}

/* Firing in a turn: timers fire in deadline order, the host timer follows
 * the next deadline, and one turn fires every due timer. */
static void host_timer_follows_firing(void) {
  th_env_t env;
  sleeper_t s;
  cf_join_handle_t h[3];
  int log[3], len = 0, i;
  cf_virtual_driver_stats_t vs;
  static const int64_t ms[3] = {300, 100, 200};
  th_env_open(&env);
  for (i = 0; i < 3; i++) {
    sleeper(&s, ms[i], 0, i, log, &len);
    CHECK_EQ(CF_SPAWN(env.rt, &s, NULL, &h[i]), 0);
  }
  cf_runtime_turn(env.rt);
  cf_virtual_driver_stats(env.drv, &vs);
  CHECK_EQ(vs.armed_deadline, 100);
  CHECK_EQ(vs.alive, 1); /* pending timers keep the host alive */
  cf_virtual_driver_advance(env.drv, 250);
  cf_runtime_turn(env.rt);
  CHECK_EQ(len, 2);
  CHECK_EQ(log[0], 1);
  CHECK_EQ(log[1], 2);
  cf_virtual_driver_stats(env.drv, &vs);
  CHECK_EQ(vs.armed_deadline, 300);
  cf_virtual_driver_advance(env.drv, 50);
  cf_runtime_turn(env.rt);
  CHECK_EQ(len, 3);
  cf_virtual_driver_stats(env.drv, &vs);
  CHECK_EQ(vs.armed_deadline, CF_TIME_NEVER);
  CHECK_EQ(vs.alive, 0);
  for (i = 0; i < 3; i++)
    cf_future_drop(&h[i].base);
  th_env_close(&env);
}

/* ---- intervals ---- */

static void interval_missed_ticks(void) {
  static const cf_missed_tick_t policies[] = {
      CF_MISSED_TICK_BURST, CF_MISSED_TICK_DELAY, CF_MISSED_TICK_SKIP};
  /* After ticking at 0 and waking at 350: the ticks delivered back to back
   * (tick_at), then the next scheduled time. */
  static const int64_t late_ticks[3][3] = {
      {100, 200, 300}, {100, -1, -1}, {100, -1, -1}};
  static const int64_t next_after[3] = {400, 450, 400};
  size_t k;
  for (k = 0; k < 3; k++) {
    th_env_t env;
    cf_interval_t iv;
    cf_context_t cx;
    int j;
    th_env_open(&env);
    cx = direct_cx(env.rt);
    cf_interval_init(&iv, 100, policies[k]);
    CHECK_EQ(cf_future_poll(&iv.base, &cx), CF_READY); /* immediate */
    CHECK_EQ(iv.tick_at, 0);
    CHECK_EQ(cf_interval_next(&iv), 0);
    cf_virtual_driver_advance(env.drv, 99);
    CHECK_EQ(cf_future_poll(&iv.base, &cx), CF_PENDING); /* not early */
    CHECK_EQ(live_timers(&env), 1);
    cf_virtual_driver_advance(env.drv, 251); /* now 350 */
    for (j = 0; j < 3 && late_ticks[k][j] >= 0; j++) {
      CHECK_EQ(cf_future_poll(&iv.base, &cx), CF_READY);
      CHECK_EQ(iv.tick_at, late_ticks[k][j]);
      CHECK_EQ(cf_interval_next(&iv), 0);
    }
    CHECK_EQ(cf_future_poll(&iv.base, &cx), CF_PENDING);
    CHECK_EQ(iv.next, next_after[k]);
    cf_virtual_driver_advance(env.drv, next_after[k] - 351);
    CHECK_EQ(cf_future_poll(&iv.base, &cx), CF_PENDING);
    cf_virtual_driver_advance(env.drv, 1);
    CHECK_EQ(cf_future_poll(&iv.base, &cx), CF_READY);
    CHECK_EQ(iv.tick_at, next_after[k]);
    CHECK_EQ(iv.ticks, (uint64_t)(j + 2));
    CHECK_EQ(live_timers(&env), 0);
    CHECK_EQ(cf_future_rearm(&iv.base), 0);
    CHECK_EQ(cf_future_poll(&iv.base, &cx), CF_PENDING);
    cf_future_drop(&iv.base);
    CHECK_EQ(live_timers(&env), 0);
    th_env_close(&env);
  }
}

static void interval_bad_period_and_rearm_rules(void) {
  th_env_t env;
  cf_interval_t iv;
  cf_sleep_t s;
  cf_context_t cx;
  th_env_open(&env);
  cx = direct_cx(env.rt);
  cf_interval_init(&iv, 0, CF_MISSED_TICK_BURST);
  CHECK_EQ(cf_future_poll(&iv.base, &cx), CF_READY);
  CHECK_EQ(iv.base.rc, CF_EINVAL);
  cf_future_drop(&iv.base);
  cf_interval_init(&iv, 10, CF_MISSED_TICK_BURST);
  CHECK_EQ(cf_future_rearm(&iv.base), CF_EINVAL); /* not done yet */
  cf_future_drop(&iv.base);
  cf_sleep_init(&s, 0);
  CHECK_EQ(cf_future_poll(&s.base, &cx), CF_READY);
  CHECK_EQ(cf_future_rearm(&s.base), CF_EINVAL); /* not rearmable */
  cf_future_drop(&s.base);
  th_env_close(&env);
}

/* An interval in a task: five ticks at 0, 100, ..., 400. */
typedef struct {
  cf_async_t co;
  cf_interval_t iv;
  int64_t at[5];
  int n;
} ticker_t;
static cf_poll_t ticker_poll(cf_future_t *f, cf_context_t *cx) {
  ticker_t *self = (ticker_t *)f;
  CF_BEGIN(self);
  cf_interval_init(&self->iv, 100, CF_MISSED_TICK_BURST);
  while (self->n < 5) {
    CF_AWAIT(self, &self->iv);
    self->at[self->n++] = cf_runtime_now(cx->rt);
    cf_interval_next(&self->iv);
  }
  CF_END(self, 0);
}
static void ticker_cleanup(cf_future_t *f) {
  cf_future_drop(&((ticker_t *)f)->iv.base);
}
CF_ASYNC_VTABLE(ticker_vt, "ticker", ticker_poll, ticker_cleanup);

static void interval_in_a_task(void) {
  th_env_t env;
  ticker_t t;
  int i;
  th_env_open(&env);
  CF_ASYNC_INIT(&t, &ticker_vt);
  CHECK_EQ(cf_block_on(env.rt, &t.co.base), 0);
  for (i = 0; i < 5; i++)
    CHECK_EQ(t.at[i], i * 100);
  cf_future_drop(&t.co.base);
  th_env_close(&env);
}

/* ---- timeout ---- */

static void timeout_outcomes(void) {
  th_env_t env;
  cf_sleep_t inner;
  cf_timeout_t to;
  th_probe_t p = {0};
  cf_poll_fn_t pf;
  th_env_open(&env);

  /* inner first: ok, and the limit's timer is gone. */
  cf_sleep_init(&inner, 50);
  cf_timeout_init(&to, &inner.base, 100);
  CHECK_EQ(cf_block_on(env.rt, &to.base), 0);
  CHECK_EQ(th_now(&env), 50);
  CHECK_EQ(live_timers(&env), 0);
  cf_future_drop(&to.base);
  cf_future_drop(&inner.base);

  /* limit first: CF_ETIMEDOUT, inner dropped at that moment. */
  th_probe_init(&pf, &p);
  cf_timeout_init(&to, &pf.base, 100);
  CHECK_EQ(cf_block_on(env.rt, &to.base), CF_ETIMEDOUT);
  CHECK_EQ(th_now(&env), 150);
  CHECK_EQ(p.drops, 1);
  CHECK_EQ(p.polls, 2); /* polled again at the wake, then dropped */
  cf_future_drop(&to.base);
  cf_future_drop(&pf.base);
  CHECK_EQ(p.drops, 1);

  /* inner's own error passes through. */
  memset(&p, 0, sizeof p);
  p.ready_at = 1;
  p.rc = CF_ECLOSED;
  th_probe_init(&pf, &p);
  cf_timeout_init(&to, &pf.base, 100);
  CHECK_EQ(cf_block_on(env.rt, &to.base), CF_ECLOSED);
  cf_future_drop(&to.base);
  cf_future_drop(&pf.base);

  /* zero limit: a ready inner still wins (it is polled first); a pending
   * one times out at once. */
  cf_sleep_init(&inner, 0);
  cf_timeout_init(&to, &inner.base, 0);
  CHECK_EQ(cf_block_on(env.rt, &to.base), 0);
  cf_future_drop(&to.base);
  cf_future_drop(&inner.base);
  memset(&p, 0, sizeof p);
  th_probe_init(&pf, &p);
  cf_timeout_init(&to, &pf.base, 0);
  CHECK_EQ(cf_block_on(env.rt, &to.base), CF_ETIMEDOUT);
  CHECK_EQ(p.drops, 1);
  cf_future_drop(&to.base);
  cf_future_drop(&pf.base);

  /* dropped while pending: inner dropped, no timer left. */
  memset(&p, 0, sizeof p);
  th_probe_init(&pf, &p);
  cf_timeout_init(&to, &pf.base, 1000);
  {
    cf_context_t cx = direct_cx(env.rt);
    CHECK_EQ(cf_future_poll(&to.base, &cx), CF_PENDING);
  }
  CHECK_EQ(live_timers(&env), 1);
  cf_future_drop(&to.base);
  CHECK_EQ(p.drops, 1);
  CHECK_EQ(live_timers(&env), 0);
  cf_future_drop(&pf.base);
  CHECK_EQ(th_now(&env), 150);
  th_env_close(&env);
}

/* ---- native POSIX driver ---- */

static int64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Real time, measured in ns: a sleep of d ms never returns before d ms have
 * passed, even though the runtime's clock is whole milliseconds (the start
 * is rounded up, see the driver's now_ceil). Short sleeps from arbitrary
 * sub-ms phases are where truncation would show. */
static void posix_real_sleep_not_early(void) {
  cf_runtime_t *rt;
  cf_sleep_t s;
  int i;
  CHECK_EQ(cf_runtime_new(&rt, NULL), 0);
  for (i = 0; i < 40; i++) {
    int64_t d = 1 + i % 3, t0, t1;
    t0 = mono_ns();
    cf_sleep_init(&s, d);
    CHECK_EQ(cf_block_on(rt, &s.base), 0);
    t1 = mono_ns();
    CHECK(t1 - t0 >= d * 1000000);
    CHECK(t1 - t0 < 2000000000);
    CHECK(cf_runtime_now(rt) >= cf_sleep_deadline(&s));
    cf_future_drop(&s.base);
  }
  cf_runtime_free(rt);
}

TH_MAIN(TH_CASE(zero_and_negative_sleep_are_immediate),
        TH_CASE(past_deadlines_are_immediate),
        TH_CASE(sleep_and_sleep_until_read_init_at_first_poll),
        TH_CASE(never_deadline_arms_nothing), TH_CASE(never_fires_early),
        TH_CASE(equal_deadlines_fire_in_start_order),
        TH_CASE(one_host_timer_for_many), TH_CASE(host_timer_follows_firing),
        TH_CASE(interval_missed_ticks),
        TH_CASE(interval_bad_period_and_rearm_rules),
        TH_CASE(interval_in_a_task), TH_CASE(timeout_outcomes),
        TH_CASE(posix_real_sleep_not_early))
