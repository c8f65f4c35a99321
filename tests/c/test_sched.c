/* test_sched.c: the scheduling contract. Fairness between self-waking
 * tasks, FIFO order of wakes, the per-turn poll budget, the time slice on
 * the virtual clock, the cooperative (per-poll) budget through
 * cf_coop_proceed, yield_now (also inside a combinator) and what the driver
 * is asked for (microtask on idle -> runnable, macrotask when a turn ends
 * with work left). */
#include "harness.h"

static void fairness_between_self_waking_tasks(void) {
  static const uint32_t budgets[] = {0, 1, 7, 64};
  size_t b;
  for (b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
    th_env_t env;
    cf_runtime_options_t opts = {0};
    th_probe_t a = {0}, c = {0};
    cf_poll_fn_t fa, fc;
    cf_join_handle_t ha, hc;
    int turn, worst = 0;
    opts.budget_polls = budgets[b];
    th_env_open_opts(&env, opts);
    a.self_wake = c.self_wake = 1;
    th_probe_init(&fa, &a);
    th_probe_init(&fc, &c);
    CHECK_EQ(CF_SPAWN(env.rt, &fa, "a", &ha), 0);
    CHECK_EQ(CF_SPAWN(env.rt, &fc, "c", &hc), 0);
    for (turn = 0; turn < 1000; turn++) {
      int n = cf_runtime_turn(env.rt), d = a.polls - c.polls;
      if (budgets[b])
        CHECK(n <= (int)budgets[b]);
      if (d < 0)
        d = -d;
      if (d > worst)
        worst = d;
    }
    CHECK(worst <= 1);
    CHECK(a.polls >= 500);
    cf_future_drop(&ha.base);
    cf_future_drop(&hc.base);
    /* Aborted while queued: unlinked (and freed) by the next turn. */
    CHECK_EQ(cf_runtime_run_until_stalled(env.rt), 0);
    th_env_close(&env);
  }
}

/* The run queue is FIFO: tasks are polled in the order they were woken. */
static int order_log[16], order_len;
static void log_poll(th_probe_t *p, cf_context_t *cx) {
  (void)cx;
  if (p->polls > 1 && order_len < 16)
    order_log[order_len++] = (int)(intptr_t)p->ud;
}

static void run_queue_is_fifo(void) {
  static const int wake_order[8] = {5, 2, 7, 0, 3, 6, 1, 4};
  th_env_t env;
  th_probe_t p[8];
  cf_poll_fn_t f;
  cf_join_handle_t h[8];
  int i;
  th_env_open(&env);
  memset(p, 0, sizeof p);
  for (i = 0; i < 8; i++) {
    p[i].on_poll = log_poll;
    p[i].ud = (void *)(intptr_t)i;
    th_probe_init(&f, &p[i]);
    CHECK_EQ(CF_SPAWN(env.rt, &f, NULL, &h[i]), 0);
  }
  cf_runtime_run_until_stalled(env.rt);
  order_len = 0;
  for (i = 0; i < 8; i++) {
    th_probe_wake(&p[wake_order[i]]);
    th_probe_wake(&p[wake_order[i]]); /* a second wake does not requeue */
  }
  CHECK_EQ(cf_runtime_run_until_stalled(env.rt), 8);
  CHECK_EQ(order_len, 8);
  for (i = 0; i < 8; i++)
    CHECK_EQ(order_log[i], wake_order[i]);
  for (i = 0; i < 8; i++)
    cf_future_drop(&h[i].base);
  th_env_close(&env);
}

static void spawn_never_polls_inline(void) {
  th_env_t env;
  th_probe_t p = {0};
  cf_poll_fn_t f;
  cf_join_handle_t h;
  cf_virtual_driver_stats_t vs;
  th_env_open(&env);
  th_probe_init(&f, &p);
  CHECK_EQ(CF_SPAWN(env.rt, &f, NULL, &h), 0);
  CHECK_EQ(p.polls, 0);
  cf_virtual_driver_stats(env.drv, &vs);
  CHECK_EQ(vs.microtasks, 1); /* idle -> runnable asks for a microtask */
  CHECK_EQ(vs.alive, 1);
  CHECK_EQ(cf_runtime_turn(env.rt), 1);
  cf_virtual_driver_stats(env.drv, &vs);
  CHECK_EQ(vs.alive, 0); /* idle, no timers, no holds */
  cf_future_drop(&h.base);
  th_env_close(&env);
}

static void turn_respects_poll_budget(void) {
  th_env_t env;
  cf_runtime_options_t opts = {0};
  th_probe_t p[100];
  cf_poll_fn_t f;
  cf_virtual_driver_stats_t vs;
  int i, turns = 0, total = 0, n;
  opts.budget_polls = 10;
  th_env_open_opts(&env, opts);
  memset(p, 0, sizeof p);
  for (i = 0; i < 100; i++) {
    p[i].ready_at = 3;
    p[i].self_wake = 1;
    th_probe_init(&f, &p[i]);
    CHECK_EQ(CF_SPAWN(env.rt, &f, NULL, NULL), 0);
  }
  while ((n = cf_runtime_turn(env.rt)) > 0) {
    CHECK(n <= 10);
    total += n;
    turns++;
  }
  CHECK_EQ(total, 300);
  CHECK_EQ(turns, 30);
  cf_virtual_driver_stats(env.drv, &vs);
  CHECK_EQ(vs.microtasks, 1);
  CHECK_EQ(vs.macrotasks, 29); /* every turn that left work behind */
  th_env_close(&env);
}

/* Polls that take virtual time: the turn ends once its time slice is
 * spent, not at the poll budget. */
typedef struct {
  th_env_t *env;
  int64_t cost;
} slow_t;
static void slow_poll(th_probe_t *p, cf_context_t *cx) {
  slow_t *s = p->ud;
  (void)cx;
  cf_virtual_driver_advance(s->env->drv, s->cost);
}

static void turn_respects_time_slice(void) {
  static const int64_t costs[] = {1, 3, 8, 20};
  size_t k;
  for (k = 0; k < sizeof costs / sizeof costs[0]; k++) {
    th_env_t env;
    cf_runtime_options_t opts = {0};
    th_probe_t p[64];
    slow_t s;
    cf_poll_fn_t f;
    int i, n;
    int64_t t0, want;
    opts.budget_polls = 1000;
    opts.budget_ms = 8;
    th_env_open_opts(&env, opts);
    s.env = &env;
    s.cost = costs[k];
    memset(p, 0, sizeof p);
    for (i = 0; i < 64; i++) {
      p[i].self_wake = 1;
      p[i].on_poll = slow_poll;
      p[i].ud = &s;
      th_probe_init(&f, &p[i]);
      CHECK_EQ(CF_SPAWN(env.rt, &f, NULL, NULL), 0);
    }
    t0 = th_now(&env);
    n = cf_runtime_turn(env.rt);
    /* The first poll at or past the slice ends the turn. */
    want = (8 + costs[k] - 1) / costs[k];
    CHECK_EQ(n, want);
    CHECK_EQ(th_now(&env) - t0, want * costs[k]);
    /* The next turn gets a fresh slice. */
    n = cf_runtime_turn(env.rt);
    CHECK_EQ(n, want);
    /* Cheap polls: the poll budget is the limit. */
    s.cost = 0;
    CHECK_EQ(cf_runtime_turn(env.rt), 1000);
    cf_runtime_free(env.rt); /* aborts the 64 detached tasks */
    env.rt = NULL;
    cf_virtual_driver_free(env.drv);
    for (i = 0; i < 64; i++)
      CHECK_EQ(p[i].drops, 1);
  }
}

/* A stream with `left` ready messages: it consumes them under the coop
 * budget, yielding (pending + self wake) when the budget is spent. */
typedef struct {
  int left, consumed_this_poll, max_per_poll, polls;
  int *interleave; /* other task's poll count seen at each poll */
  int other_seen[16];
} stream_t;
static cf_poll_t stream_poll(void *env, cf_context_t *cx, int *rc) {
  stream_t *s = env;
  s->consumed_this_poll = 0;
  if (s->polls < 16 && s->interleave)
    s->other_seen[s->polls] = *s->interleave;
  s->polls++;
  while (s->left > 0) {
    if (!cf_coop_proceed(cx)) {
      if (s->consumed_this_poll > s->max_per_poll)
        s->max_per_poll = s->consumed_this_poll;
      return CF_PENDING;
    }
    s->left--;
    s->consumed_this_poll++;
  }
  if (s->consumed_this_poll > s->max_per_poll)
    s->max_per_poll = s->consumed_this_poll;
  *rc = 0;
  return CF_READY;
}

static void coop_budget_makes_busy_task_yield(void) {
  th_env_t env;
  stream_t s = {0};
  th_probe_t other = {0};
  cf_poll_fn_t f, g;
  cf_join_handle_t h, ho;
  int i;
  th_env_open(&env);
  s.left = 1000;
  s.interleave = &other.polls;
  other.self_wake = 1;
  cf_poll_fn_init(&f, stream_poll, &s, NULL);
  th_probe_init(&g, &other);
  CHECK_EQ(CF_SPAWN(env.rt, &f, "stream", &h), 0);
  CHECK_EQ(CF_SPAWN(env.rt, &g, "other", &ho), 0);
  CHECK_EQ(cf_block_on(env.rt, &h.base), 0);
  CHECK_EQ(s.left, 0);
  CHECK_EQ(s.max_per_poll, 128); /* the default coop budget */
  CHECK_EQ(s.polls, 8);          /* ceil(1000 / 128) */
  /* The other task ran between every two polls of the stream. */
  for (i = 1; i < s.polls; i++)
    CHECK_EQ(s.other_seen[i], s.other_seen[i - 1] + 1);
  cf_future_drop(&h.base);
  cf_future_drop(&ho.base);

  /* A custom coop budget, and no budget for a user executor (coop NULL). */
  cf_runtime_free(env.rt);
  cf_virtual_driver_free(env.drv);
  {
    cf_runtime_options_t opts = {0};
    opts.coop_budget = 10;
    th_env_open_opts(&env, opts);
  }
  memset(&s, 0, sizeof s);
  s.left = 95;
  cf_poll_fn_init(&f, stream_poll, &s, NULL);
  CHECK_EQ(cf_block_on(env.rt, &f.base), 0); /* root future: budgeted too */
  CHECK_EQ(s.polls, 10);
  CHECK_EQ(s.max_per_poll, 10);
  cf_future_drop(&f.base);
  memset(&s, 0, sizeof s);
  s.left = 1000;
  {
    cf_context_t cx;
    cf_waker_t none = CF_WAKER_NONE;
    cx.waker = &none;
    cx.rt = NULL;
    cx.task = NULL;
    cx.coop = NULL;
    cf_poll_fn_init(&f, stream_poll, &s, NULL);
    CHECK_EQ(cf_future_poll(&f.base, &cx), CF_READY);
    CHECK_EQ(s.polls, 1);
    cf_future_drop(&f.base);
  }
  th_env_close(&env);
}

/* ---- yield_now ---- */

typedef struct {
  cf_async_t co;
  cf_yield_t y;
  int *log;
} yielder_t;
static cf_poll_t yielder_poll(cf_future_t *f, cf_context_t *cx) {
  yielder_t *self = (yielder_t *)f;
  CF_BEGIN(self);
  self->y = cf_yield_now(); /* the by-value form the docs name */
  CF_AWAIT(self, &self->y);
  CF_END(self, 0);
}
CF_ASYNC_VTABLE(yielder_vt, "yielder", yielder_poll, NULL);

static void yield_now_defers_to_next_turn(void) {
  th_env_t env;
  yielder_t y;
  th_probe_t other = {0};
  cf_poll_fn_t g;
  cf_join_handle_t h, ho;
  cf_virtual_driver_stats_t vs;
  th_env_open(&env);
  CF_ASYNC_INIT(&y, &yielder_vt);
  other.self_wake = 1;
  th_probe_init(&g, &other);
  CHECK_EQ(CF_SPAWN(env.rt, &y, "yielder", &h), 0);
  CHECK_EQ(CF_SPAWN(env.rt, &g, "other", &ho), 0);
  /* Turn 1: yielder (defers), other, other again... until the budget;
   * the yielder does not come back in this turn. */
  CHECK_EQ(cf_runtime_turn(env.rt), 4096); /* the default poll budget */
  CHECK(!cf_task_is_finished(&h));
  cf_virtual_driver_stats(env.drv, &vs);
  CHECK_EQ(vs.macrotasks, 1);
  cf_runtime_turn(env.rt);
  CHECK(cf_task_is_finished(&h));
  cf_future_drop(&h.base);
  cf_future_drop(&ho.base);
  /* Outside a task (block_on's root) it is a plain self wake. */
  CF_ASYNC_INIT(&y, &yielder_vt);
  CHECK_EQ(cf_block_on(env.rt, &y.co.base), 0);
  cf_future_drop(&y.co.base);
  th_env_close(&env);
}

/* yield_now as one branch of a join: the join must poll it again. */
typedef struct {
  cf_async_t co;
  cf_yield_t y;
  cf_sleep_t s;
  cf_join_t j;
  cf_select_t sel;
} yield_join_t;
static cf_poll_t yield_join_poll(cf_future_t *f, cf_context_t *cx) {
  yield_join_t *self = (yield_join_t *)f;
  CF_BEGIN(self);
  cf_yield_init(&self->y);
  cf_sleep_init(&self->s, 0);
  cf_join_init(&self->j, (cf_future_t *[]){&self->y.base, &self->s.base}, 2);
  CF_AWAIT(self, &self->j);
  cf_yield_init(&self->y);
  cf_sleep_init(&self->s, 50);
  cf_select_init(&self->sel, (cf_future_t *[]){&self->s.base, &self->y.base}, 2,
                 CF_SELECT_BIASED);
  CF_AWAIT(self, &self->sel);
  CF_END(self, cf_select_index(&self->sel));
}
static void yield_join_cleanup(cf_future_t *f) {
  yield_join_t *self = (yield_join_t *)f;
  cf_future_drop(&self->j.base);
  cf_future_drop(&self->sel.base);
  cf_future_drop(&self->s.base);
  cf_future_drop(&self->y.base);
}
CF_ASYNC_VTABLE(yield_join_vt, "yield_join", yield_join_poll,
                yield_join_cleanup);

static void yield_now_inside_combinators(void) {
  th_env_t env;
  yield_join_t y;
  cf_join_handle_t h;
  th_env_open(&env);
  CF_ASYNC_INIT(&y, &yield_join_vt);
  CHECK_EQ(CF_SPAWN(env.rt, &y, NULL, &h), 0);
  CHECK_EQ(cf_block_on(env.rt, &h.base), 1); /* the yield wins the select */
  CHECK_EQ(th_now(&env), 0);
  cf_future_drop(&h.base);
  th_env_close(&env);
}

TH_MAIN(TH_CASE(fairness_between_self_waking_tasks), TH_CASE(run_queue_is_fifo),
        TH_CASE(spawn_never_polls_inline), TH_CASE(turn_respects_poll_budget),
        TH_CASE(turn_respects_time_slice),
        TH_CASE(coop_budget_makes_busy_task_yield),
        TH_CASE(yield_now_defers_to_next_turn),
        TH_CASE(yield_now_inside_combinators))
