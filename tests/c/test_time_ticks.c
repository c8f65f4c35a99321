/* test_time_ticks.c: timers on a driver with a sub-ms clock (now_ticks,
 * as the JavaScript event loop's): deadlines start from the clock rounded
 * up to a quarter-ms tick, fire at the first turn at or after them (never
 * a tick early, not a whole ms late), the host timer is armed in ticks,
 * and what the API reports stays in whole ms (cf_runtime_now,
 * cf_sleep_deadline rounded up). Intervals keep their whole-ms grid. */
#include <stdlib.h>

#include "harness.h"

/* A manual clock in microseconds: now_ticks rounds it to ticks of 250 us
 * (down, or up), now() is whole ms; arm_timer records what it is given. */
typedef struct us_driver {
  cf_driver_t base;
  int64_t us, armed;
  int arms;
} us_driver_t;
static void ud_attach(void *self, struct cf_runtime *rt) {
  (void)self;
  (void)rt;
}
static int64_t ud_now(void *self) {
  return ((us_driver_t *)self)->us / 1000;
}
static int64_t ud_now_ticks(void *self, int up) {
  int64_t us = ((us_driver_t *)self)->us;
  return us / 250 + (up && us % 250 != 0);
}
static void ud_arm(void *self, int64_t deadline) {
  us_driver_t *d = self;
  d->armed = deadline;
  d->arms++;
}
static void ud_request(void *self, cf_run_kind_t kind) {
  (void)self;
  (void)kind;
}
static void ud_keepalive(void *self, int alive) {
  (void)self;
  (void)alive;
}
static const cf_driver_vtable_t ud_vt = {
    ud_attach, ud_now, ud_arm, ud_request,  ud_keepalive,
    NULL,      NULL,   NULL,   ud_now_ticks};

static cf_runtime_t *open_rt(us_driver_t *d, int64_t us) {
  cf_runtime_options_t opts = {0};
  cf_runtime_t *rt = NULL;
  d->base.vt = &ud_vt;
  d->base.self = d;
  d->us = us;
  d->armed = CF_TIME_NEVER;
  d->arms = 0;
  opts.driver = &d->base;
  CHECK_EQ(cf_runtime_new(&rt, &opts), 0);
  return rt;
}

static size_t live_timers(cf_runtime_t *rt) {
  cf_runtime_stats_t st;
  cf_runtime_stats(rt, &st);
  return st.live_timers;
}

/* sleep(10) from 1.1 ms: start rounded up to 1.25 ms (tick 5), deadline
 * tick 45 (11.25 ms): not due at 11.249 ms, due at 11.25. Whole-ms
 * deadlines would have made it 12 ms. */
static void sleep_fires_a_tick_after_start_plus_duration(void) {
  us_driver_t d;
  cf_runtime_t *rt = open_rt(&d, 1100);
  cf_sleep_t s;
  cf_join_handle_t h;
  cf_sleep_init(&s, 10);
  CHECK_EQ(CF_SPAWN(rt, &s, "nap", &h), 0);
  CHECK(cf_runtime_turn(rt) >= 1);
  CHECK_EQ(d.armed, 45); /* in ticks: this driver has now_ticks */
  CHECK_EQ(live_timers(rt), 1);
  d.us = 11249;
  cf_runtime_turn(rt);
  CHECK_EQ(live_timers(rt), 1); /* tick 44: a tick early, not due */
  d.us = 11250;
  cf_runtime_turn(rt);
  CHECK_EQ(live_timers(rt), 0);
  CHECK_EQ(cf_block_on(rt, &h.base), 0);
  CHECK_EQ(d.armed, CF_TIME_NEVER);
  cf_future_drop(&h.base);
  cf_runtime_free(rt);
}

/* What the API reports stays whole ms: the deadline rounded up, the
 * runtime clock rounded down; sleep_until takes whole ms exactly. */
static void api_times_stay_whole_ms(void) {
  us_driver_t d;
  cf_runtime_t *rt = open_rt(&d, 2600);
  cf_waker_t none = {NULL, NULL, 0};
  cf_context_t cx;
  cf_sleep_t a, b, z;
  cx.waker = &none;
  cx.rt = rt;
  cx.task = NULL;
  cx.coop = NULL;
  CHECK_EQ(cf_runtime_now(rt), 2);
  cf_sleep_init(&a, 5);
  CHECK_EQ(cf_future_poll(&a.base, &cx), CF_PENDING);
  CHECK_EQ(cf_sleep_deadline(&a), 8); /* 2.75 + 5 = 7.75: reported 8 */
  cf_sleep_until_init(&b, 7);
  CHECK_EQ(cf_future_poll(&b.base, &cx), CF_PENDING);
  CHECK_EQ(cf_sleep_deadline(&b), 7);
  CHECK_EQ(d.armed, 28); /* the earliest: 7 ms, in ticks */
  cf_sleep_init(&z, 0);
  CHECK_EQ(cf_future_poll(&z.base, &cx), CF_READY); /* <= 0: due at once */
  cf_future_drop(&z.base);
  cf_sleep_until_init(&z, 2); /* now is 2.6 ms: whole ms 2 has passed */
  CHECK_EQ(cf_future_poll(&z.base, &cx), CF_READY);
  cf_future_drop(&z.base);
  d.us = 7000;
  cf_runtime_turn(rt);
  CHECK_EQ(cf_future_poll(&b.base, &cx), CF_READY);
  CHECK_EQ(cf_future_poll(&a.base, &cx), CF_PENDING);
  d.us = 7750;
  cf_runtime_turn(rt);
  CHECK_EQ(cf_future_poll(&a.base, &cx), CF_READY);
  cf_future_drop(&a.base);
  cf_future_drop(&b.base);
  CHECK_EQ(live_timers(rt), 0);
  cf_runtime_free(rt);
}

/* Equal deadlines in ticks fire in start order; an earlier tick first
 * even when started later. */
static int order_log[4], order_n;
typedef struct logger {
  cf_future_t base;
  cf_sleep_t s;
  int id;
} logger_t;
static cf_poll_t logger_poll(cf_future_t *f, cf_context_t *cx) {
  logger_t *l = (logger_t *)f;
  if (cf_future_poll(&l->s.base, cx) == CF_PENDING)
    return CF_PENDING;
  order_log[order_n++] = l->id;
  return CF_READY;
}
static void logger_drop(cf_future_t *f) {
  cf_future_drop(&((logger_t *)f)->s.base);
}
static const cf_future_vtable_t logger_vt = {"logger", logger_poll, logger_drop,
                                             0};

static void deadline_order_in_ticks(void) {
  us_driver_t d;
  cf_runtime_t *rt = open_rt(&d, 0);
  logger_t l[3];
  cf_join_handle_t h[3];
  int i;
  order_n = 0;
  for (i = 0; i < 3; i++) {
    cf_future_init(&l[i].base, &logger_vt);
    l[i].id = i;
  }
  /* 0 and 1 start at 0.3 ms (tick 2) for 4 ms: both due at tick 18;
   * 2 starts at 0.6 ms (tick 3) for 3 ms: due at tick 15, first. */
  d.us = 300;
  cf_sleep_init(&l[0].s, 4);
  cf_sleep_init(&l[1].s, 4);
  CHECK_EQ(CF_SPAWN(rt, &l[0], "l0", &h[0]), 0);
  CHECK_EQ(CF_SPAWN(rt, &l[1], "l1", &h[1]), 0);
  cf_runtime_turn(rt);
  d.us = 600;
  cf_sleep_init(&l[2].s, 3);
  CHECK_EQ(CF_SPAWN(rt, &l[2], "l2", &h[2]), 0);
  cf_runtime_turn(rt);
  CHECK_EQ(d.armed, 15);
  d.us = 10000; /* all due in one turn */
  cf_runtime_turn(rt);
  cf_runtime_turn(rt);
  CHECK_EQ(order_n, 3);
  CHECK_EQ(order_log[0], 2);
  CHECK_EQ(order_log[1], 0);
  CHECK_EQ(order_log[2], 1);
  for (i = 0; i < 3; i++) {
    CHECK_EQ(cf_block_on(rt, &h[i].base), 0);
    cf_future_drop(&h[i].base);
  }
  cf_runtime_free(rt);
}

/* An interval keeps its whole-ms grid: the first tick at the clock rounded
 * up to a whole ms, then every period; its timer is armed in ticks. */
static void interval_grid_stays_whole_ms(void) {
  us_driver_t d;
  cf_runtime_t *rt = open_rt(&d, 1300);
  cf_waker_t none = {NULL, NULL, 0};
  cf_context_t cx;
  cf_interval_t iv;
  cx.waker = &none;
  cx.rt = rt;
  cx.task = NULL;
  cx.coop = NULL;
  cf_interval_init(&iv, 5, CF_MISSED_TICK_BURST);
  CHECK_EQ(cf_future_poll(&iv.base, &cx), CF_READY);
  CHECK_EQ(iv.tick_at, 2);
  CHECK_EQ(cf_interval_next(&iv), 0);
  CHECK_EQ(cf_future_poll(&iv.base, &cx), CF_PENDING);
  CHECK_EQ(d.armed, 28); /* 7 ms */
  d.us = 6999;
  cf_runtime_turn(rt);
  CHECK_EQ(cf_future_poll(&iv.base, &cx), CF_PENDING);
  d.us = 7000;
  cf_runtime_turn(rt);
  CHECK_EQ(cf_future_poll(&iv.base, &cx), CF_READY);
  CHECK_EQ(iv.tick_at, 7);
  cf_future_drop(&iv.base);
  CHECK_EQ(live_timers(rt), 0);
  cf_runtime_free(rt);
}

TH_MAIN(TH_CASE(sleep_fires_a_tick_after_start_plus_duration),
        TH_CASE(api_times_stay_whole_ms), TH_CASE(deadline_order_in_ticks),
        TH_CASE(interval_grid_stays_whole_ms))
