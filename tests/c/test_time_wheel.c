/* test_time_wheel.c: the timer queue at scale and at the wheel's window
 * edge (src/timer_wheel.c), on the virtual clock, through the public
 * sleep futures and runtime turns. Each sleep is polled directly with a
 * recording waker, so the log shows exactly which timer fired in which
 * turn:
 *   - equal deadlines fire in start order even when the first ones were
 *     started beyond the window (heap) and the later ones inside it
 *     (wheel); nothing fires a millisecond early; the host timer is armed
 *     for the exact earliest deadline throughout;
 *   - 1e5 timers (scaled down under valgrind), most inside the window and
 *     some far beyond it, stepped through with irregular clock steps: each
 *     fires in the first turn whose clock reaches its deadline, in
 *     (deadline, start) order, and the host timer always follows the
 *     earliest pending deadline;
 *   - a slot's timers span several blocks: cancels at the head, middle
 *     and tail keep the rest in start order, and the blocks are reused;
 *     churn (cancel and restart on one deadline) keeps the blocks bounded
 *     by the pending timers;
 *   - a burst of due timers fires in batches between polls and ends the
 *     turn at its time slice, the rest in later turns. */
#include <stdlib.h>

#include "harness.h"

typedef struct fire_log {
  cf_driver_t *drv;
  long n;
  long *ids;
  int64_t *at;
} fire_log_t;

static cf_waker_t rec_clone(const cf_waker_t *w) {
  return *w;
}
static void rec_wake_by_ref(const cf_waker_t *w) {
  fire_log_t *log = w->data;
  log->ids[log->n] = (long)w->tag;
  log->at[log->n++] = cf_virtual_driver_now(log->drv);
}
static void rec_wake(cf_waker_t *w) {
  rec_wake_by_ref(w);
}
static void rec_drop(cf_waker_t *w) {
  (void)w;
}
static const cf_waker_vtable_t rec_vt = {rec_clone, rec_wake, rec_wake_by_ref,
                                         rec_drop};

/* Start sleep s (sleep_until deadline) with a waker that logs `id`. */
static void start(cf_runtime_t *rt, cf_sleep_t *s, int64_t deadline,
                  fire_log_t *log, long id) {
  cf_waker_t w = cf_waker_from_raw(&rec_vt, log, (uint64_t)id);
  cf_context_t cx;
  cx.waker = &w;
  cx.rt = rt;
  cx.task = NULL;
  cx.coop = NULL;
  cf_sleep_until_init(s, deadline);
  CHECK_EQ(cf_future_poll(&s->base, &cx), CF_PENDING);
}

static int64_t armed(th_env_t *env) {
  cf_virtual_driver_stats_t vs;
  cf_virtual_driver_stats(env->drv, &vs);
  return vs.armed_deadline;
}

static void step_to(th_env_t *env, int64_t t) {
  cf_virtual_driver_advance(env->drv, t - cf_virtual_driver_now(env->drv));
  CHECK(cf_runtime_turn(env->rt) >= 0);
}

static void window_edge_ties_keep_start_order(void) {
  enum { D = 10000 }; /* beyond the 4096 ms window at time 0 */
  th_env_t env;
  cf_sleep_t s[7];
  long ids[8];
  int64_t at[8];
  fire_log_t log = {NULL, 0, ids, at};
  int i;
  th_env_open(&env);
  log.drv = env.drv;
  start(env.rt, &s[0], D, &log, 0); /* far: heap */
  start(env.rt, &s[1], D, &log, 1);
  CHECK_EQ(armed(&env), D);
  step_to(&env, 7000); /* D is inside the window from here on */
  CHECK_EQ(log.n, 0);
  start(env.rt, &s[2], D, &log, 2); /* wheel */
  start(env.rt, &s[3], D, &log, 3);
  start(env.rt, &s[4], D - 1, &log, 4);
  start(env.rt, &s[5], D + 1, &log, 5);
  start(env.rt, &s[6], D + 5000, &log, 6); /* far again */
  CHECK_EQ(armed(&env), D - 1);
  step_to(&env, D - 2); /* never early */
  CHECK_EQ(log.n, 0);
  step_to(&env, D);
  CHECK_EQ(log.n, 5);
  if (log.n == 5) {
    CHECK_EQ(ids[0], 4);
    for (i = 1; i < 5; i++)
      CHECK_EQ(ids[i], i - 1); /* 0, 1 (heap) before 2, 3 (wheel) */
  }
  CHECK_EQ(armed(&env), D + 1);
  step_to(&env, D + 1);
  CHECK_EQ(log.n, 6);
  CHECK_EQ(armed(&env), D + 5000);
  step_to(&env, D + 4999);
  CHECK_EQ(log.n, 6);
  step_to(&env, D + 5000);
  CHECK_EQ(log.n, 7);
  CHECK_EQ(armed(&env), CF_TIME_NEVER);
  for (i = 0; i < 7; i++)
    cf_future_drop(&s[i].base);
  th_env_close(&env);
}

static int64_t deadline_of(long i) {
  /* most inside the first 4 s, every 16th far beyond, many ties */
  return i % 16 == 15 ? 4096 + (i * 104729) % 60000 : 1 + (i * 7919) % 3000;
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

static void many_timers_fire_exactly_in_order(void) {
  th_env_t env;
  long n = th_scaled(100000), i, bad_order = 0, bad_time = 0, bad_arm = 0;
  cf_sleep_t *s = malloc((size_t)n * sizeof *s);
  fire_log_t log;
  int64_t prev_turn = 0, now = 0, *sorted;
  uint32_t seed = 1;
  CHECK(s != NULL);
  if (!s)
    return;
  log.ids = malloc((size_t)n * sizeof *log.ids);
  log.at = malloc((size_t)n * sizeof *log.at);
  sorted = malloc((size_t)n * sizeof *sorted);
  CHECK(log.ids && log.at && sorted);
  log.n = 0;
  th_env_open(&env);
  log.drv = env.drv;
  for (i = 0; i < n; i++) {
    start(env.rt, &s[i], deadline_of(i), &log, i);
    sorted[i] = deadline_of(i);
  }
  qsort(sorted, (size_t)n, sizeof *sorted, cmp_i64);
  while (log.n < n && now < 70000) {
    long before = log.n, k;
    int64_t want = CF_TIME_NEVER;
    seed = seed * 1103515245u + 12345u;
    now += 1 + (int64_t)((seed >> 16) % 37u);
    step_to(&env, now);
    for (k = before; k < log.n; k++) {
      int64_t d = deadline_of(log.ids[k]);
      /* fired in the first turn that reached its deadline */
      if (d > now || d <= prev_turn || log.at[k] != now)
        bad_time++;
      if (k > 0) {
        int64_t pd = deadline_of(log.ids[k - 1]);
        if (pd > d || (pd == d && log.ids[k - 1] > log.ids[k]))
          bad_order++;
      }
    }
    /* the host timer follows the earliest pending deadline */
    if (log.n < n)
      want = sorted[log.n];
    if (armed(&env) != want)
      bad_arm++;
    prev_turn = now;
  }
  CHECK_EQ(log.n, n);
  CHECK_EQ(bad_time, 0);
  CHECK_EQ(bad_order, 0);
  CHECK_EQ(bad_arm, 0);
  CHECK_EQ(armed(&env), CF_TIME_NEVER);
  for (i = 0; i < n; i++)
    cf_future_drop(&s[i].base);
  th_env_close(&env);
  free(s);
  free(log.ids);
  free(log.at);
  free(sorted);
}

/* One deadline's slot spans several blocks of entries: cancels at its
 * head (whole blocks), in its middle and at its tail leave the survivors
 * and the timers started after them firing in start order, none early;
 * a second round reuses the blocks (no allocation). */
static void slot_blocks_keep_order_through_cancels(void) {
  enum { N = 100, D = 50, LATE = 3, KEEP = 3000 };
  th_env_t env;
  cf_sleep_t s[N + LATE], keeper;
  long ids[N + LATE], expect[N + LATE];
  int64_t at[N + LATE];
  fire_log_t log = {NULL, 0, ids, at};
  int round, i, ne;
  th_env_open(&env);
  log.drv = env.drv;
  /* pending throughout: an idle runtime would free the wheel's memory */
  start(env.rt, &keeper, KEEP, &log, -1);
  for (round = 0; round < 2; round++) {
    int64_t d = D + round * D;
    log.n = 0;
    ne = 0;
    if (round == 1)
      th_fail_after(0); /* every block comes from the spares */
    for (i = 0; i < N; i++)
      start(env.rt, &s[i], d, &log, i);
    for (i = 0; i < N; i++) {
      if (i < 30 || i % 3 == 0 || i >= N - 5)
        cf_future_drop(&s[i].base); /* cancelled */
      else
        expect[ne++] = i;
    }
    for (i = N; i < N + LATE; i++) {
      start(env.rt, &s[i], d, &log, i);
      expect[ne++] = i;
    }
    th_fail_after(-1);
    CHECK_EQ(armed(&env), d);
    step_to(&env, d - 1);
    CHECK_EQ(log.n, 0);
    step_to(&env, d);
    CHECK_EQ(log.n, ne);
    for (i = 0; i < ne && i < log.n; i++) {
      CHECK_EQ(ids[i], expect[i]);
      CHECK_EQ(at[i], d);
    }
    for (i = 0; i < N + LATE; i++)
      cf_future_drop(&s[i].base);
    CHECK_EQ(armed(&env), KEEP);
  }
  cf_future_drop(&keeper.base);
  th_env_close(&env);
}

/* Churn on one deadline (cancel a random pending timer but the first,
 * which stays at the slot's head, start a fresh one; 100 pending) never
 * due meanwhile: cancelled entries must not pile up behind the head. A
 * block whose entries are all cancelled leaves its slot, so the live
 * blocks stay bounded by the pending timers, not the starts (20,000 would
 * be ~1,540 blocks of 13 entries). */
static void churn_keeps_slot_memory_bounded(void) {
  enum { N = 100, D = 500 };
  th_env_t env;
  cf_sleep_t s[N];
  long ids[N];
  int64_t at[N];
  fire_log_t log = {NULL, 0, ids, at};
  long i, rounds = th_scaled(20000);
  size_t after_start;
  uint32_t seed = 7;
  th_env_open(&env);
  log.drv = env.drv;
  for (i = 0; i < N; i++)
    start(env.rt, &s[i], D, &log, i);
  after_start = th_live_blocks();
  for (i = 0; i < rounds; i++) {
    long k;
    seed = seed * 1103515245u + 12345u;
    k = 1 + (long)((seed >> 16) % (N - 1));
    cf_future_drop(&s[k].base);
    start(env.rt, &s[k], D, &log, k);
  }
  /* at most one partly filled block per pending timer: N / 13 + 1 blocks
   * when compact, and far fewer than one per start */
  CHECK(th_live_blocks() <= after_start + N);
  step_to(&env, D);
  CHECK_EQ(log.n, N);
  for (i = 0; i < N; i++)
    cf_future_drop(&s[i].base);
  th_env_close(&env);
}

/* ---- a burst of due timers respects the turn's time slice ---- */

/* A driver whose clock moves 1 ms at every read once `ticking` is set. */
typedef struct tick_driver {
  cf_driver_t base;
  int64_t now, armed;
  int ticking, runs;
} tick_driver_t;
static void td_attach(void *self, struct cf_runtime *rt) {
  (void)self;
  (void)rt;
}
static int64_t td_now(void *self) {
  tick_driver_t *d = self;
  return d->ticking ? d->now++ : d->now;
}
static void td_arm(void *self, int64_t deadline) {
  ((tick_driver_t *)self)->armed = deadline;
}
static void td_request(void *self, cf_run_kind_t kind) {
  (void)kind;
  ((tick_driver_t *)self)->runs++;
}
static void td_keepalive(void *self, int alive) {
  (void)self;
  (void)alive;
}
static const cf_driver_vtable_t td_vt = {td_attach,  td_now,       td_arm,
                                         td_request, td_keepalive, NULL,
                                         NULL,       NULL,         NULL};

/* One task joins N sleeps due at the same time; the clock then passes
 * 1 ms per read. The first turn fires timers in batches between polls of
 * the task and stops at the 4 ms slice (before, a turn fired every due
 * timer at its start, however many); it asks the host for another run,
 * and later turns fire the rest, none lost. */
static void timer_burst_respects_the_time_slice(void) {
  enum { N = 5000 };
  tick_driver_t drv = {{&td_vt, NULL}, 0, CF_TIME_NEVER, 0, 0};
  cf_runtime_options_t opts = {0};
  cf_runtime_t *rt = NULL;
  cf_sleep_t *s = malloc(N * sizeof *s);
  cf_future_t **p = malloc(N * sizeof *p);
  cf_runtime_stats_t st;
  cf_join_t j;
  cf_join_handle_t h;
  cf_context_t cx;
  int i, turns = 0;
  CHECK(s && p);
  if (!s || !p)
    return;
  drv.base.self = &drv;
  opts.driver = &drv.base;
  opts.budget_ms = 4;
  CHECK_EQ(cf_runtime_new(&rt, &opts), 0);
  for (i = 0; i < N; i++) {
    cf_sleep_until_init(&s[i], 100);
    p[i] = &s[i].base;
  }
  cf_join_init(&j, p, N);
  CHECK_EQ(CF_SPAWN(rt, &j, "burst", &h), 0);
  CHECK(cf_runtime_turn(rt) >= 1); /* the join's first poll arms them */
  CHECK_EQ(drv.armed, 100);
  drv.now = 100;
  drv.ticking = 1;
  /* Each turn that the slice ends asks the host for another run (the host
   * timer that started it is spent and its deadline did not change). */
  do {
    int runs = drv.runs;
    CHECK(cf_runtime_turn(rt) >= 1);
    cf_runtime_stats(rt, &st);
    if (turns++ == 0) {
      CHECK(st.live_timers > 0); /* the slice ended the turn */
      CHECK(st.live_timers < N); /* after some batches */
    }
    if (st.live_timers)
      CHECK_EQ(drv.runs, runs + 1);
  } while (st.live_timers && turns < N);
  CHECK_EQ(st.live_timers, 0);
  cf_runtime_turn(rt); /* the join's last poll, if still queued */
  cx.waker = &(cf_waker_t){NULL, NULL, 0};
  cx.rt = rt;
  cx.task = NULL;
  cx.coop = NULL;
  CHECK_EQ(cf_future_poll(&h.base, &cx), CF_READY);
  CHECK_EQ(h.base.rc, 0);
  cf_future_drop(&h.base);
  cf_runtime_free(rt);
  for (i = 0; i < N; i++)
    cf_future_drop(&s[i].base);
  free(s);
  free(p);
}

TH_MAIN(TH_CASE(window_edge_ties_keep_start_order),
        TH_CASE(many_timers_fire_exactly_in_order),
        TH_CASE(slot_blocks_keep_order_through_cancels),
        TH_CASE(churn_keeps_slot_memory_bounded),
        TH_CASE(timer_burst_respects_the_time_slice))
