/* test_memory.c: memory behaviour with the counting allocator. Allocation
 * failure injected at every allocation the core makes (runtime_new, the
 * default driver, spawn's slab chunk, timer heap growth,
 * join/select with more than CF_COMBINE_INLINE children, a whole scenario
 * swept over every failure point): always CF_ENOMEM, never a crash or a
 * leak. Then a phased leak check: 3 phases x 1e4 rounds of
 * spawn/abort/select/timeout must not grow between phases 2 and 3. */
#include <stdlib.h>

#include "harness.h"

static cf_waker_t no_waker = {NULL, NULL, 0};
static cf_context_t direct_cx(cf_runtime_t *rt) {
  cf_context_t cx;
  cx.waker = &no_waker;
  cx.rt = rt;
  cx.task = NULL;
  cx.coop = NULL;
  return cx;
}

static void runtime_new_enomem(void) {
  cf_runtime_t *rt = (cf_runtime_t *)1;
  cf_driver_t *drv = (cf_driver_t *)1;
  cf_runtime_options_t opts = {0};
  th_fail_after(0);
  CHECK_EQ(cf_virtual_driver_new(&drv, 0), CF_ENOMEM);
  CHECK(drv == NULL);
  CHECK_EQ(cf_runtime_new(&rt, NULL), CF_ENOMEM); /* the runtime block */
  CHECK(rt == NULL);
  th_fail_after(1);
  CHECK_EQ(cf_runtime_new(&rt, NULL), CF_ENOMEM); /* the default driver */
  CHECK(rt == NULL);
  CHECK_EQ(th_live_bytes(), 0);
  th_fail_after(-1);
  CHECK_EQ(cf_virtual_driver_new(&drv, 0), 0);
  opts.driver = drv;
  th_fail_after(0);
  CHECK_EQ(cf_runtime_new(&rt, &opts), CF_ENOMEM);
  th_fail_after(-1);
  CHECK_EQ(cf_runtime_new(&rt, &opts), 0);
  cf_runtime_free(rt);
  cf_virtual_driver_free(drv);
}

static void spawn_enomem_leaves_future_with_caller(void) {
  th_env_t env;
  th_probe_t p = {0};
  cf_poll_fn_t f;
  cf_join_handle_t h;
  int k;
  th_env_open(&env);
  /* The first spawn allocates its class's first slab chunk; nothing else. */
  for (k = 0; k < 1; k++) {
    size_t before = th_live_bytes();
    memset(&p, 0, sizeof p);
    th_probe_init(&f, &p);
    th_fail_after(k);
    CHECK_EQ(CF_SPAWN(env.rt, &f, NULL, &h), CF_ENOMEM);
    th_fail_after(-1);
    CHECK_EQ(th_live_bytes(), before);
    CHECK_EQ(f.base.state, CF_FUTURE_UNPOLLED); /* still the caller's */
    CHECK_EQ(cf_task_id(&h), 0);
    cf_future_drop(&h.base);
    cf_future_drop(&f.base);
    CHECK_EQ(p.drops, 1);
  }
  /* Detached spawn and join-set spawn fail the same way. */
  {
    cf_join_set_t set;
    memset(&p, 0, sizeof p);
    th_probe_init(&f, &p);
    cf_join_set_init(&set, env.rt);
    th_fail_after(0);
    CHECK_EQ(CF_SPAWN(env.rt, &f, NULL, NULL), CF_ENOMEM);
    CHECK_EQ(CF_JOIN_SET_SPAWN(&set, &f, NULL, NULL), CF_ENOMEM);
    th_fail_after(-1);
    CHECK_EQ(cf_join_set_len(&set), 0);
    cf_join_set_drop(&set);
    cf_future_drop(&f.base);
    CHECK_EQ(p.drops, 1);
  }
  /* A class's first chunk holds 4 blocks, the next 8: the fifth spawn
   * allocates, so fail exactly there; once the chunk exists, spawns that
   * find a free block allocate nothing. */
  {
    th_probe_t q[7];
    cf_poll_fn_t g;
    cf_join_handle_t hs[6];
    int i;
    memset(q, 0, sizeof q);
    for (i = 0; i < 4; i++) {
      th_probe_init(&g, &q[i]);
      CHECK_EQ(CF_SPAWN(env.rt, &g, NULL, &hs[i]), 0);
    }
    th_probe_init(&g, &q[6]);
    th_fail_after(0);
    CHECK_EQ(CF_SPAWN(env.rt, &g, NULL, &hs[4]), CF_ENOMEM);
    th_fail_after(-1);
    cf_future_drop(&g.base);
    cf_future_drop(&hs[4].base);
    th_probe_init(&g, &q[4]);
    CHECK_EQ(CF_SPAWN(env.rt, &g, NULL, &hs[4]), 0);
    th_probe_init(&g, &q[5]);
    th_fail_after(0); /* block 6 of the 8-block chunk: no allocation */
    CHECK_EQ(CF_SPAWN(env.rt, &g, NULL, &hs[5]), 0);
    th_fail_after(-1);
    for (i = 0; i < 6; i++)
      cf_future_drop(&hs[i].base);
    for (i = 0; i < 7; i++)
      CHECK_EQ(q[i].drops, 1);
    CHECK_EQ(cf_runtime_run_until_stalled(env.rt), 0);
  }
  th_env_close(&env);
}

/* The first timer allocates the wheel's slot array; a timer due within
 * the wheel's window (4 s) takes an entry in a block of its slot, and a
 * new block comes from the spares (blocks emptied by expiry or cancel)
 * before the allocator; the heap for later deadlines grows geometrically
 * (64 entries first). */
static void timer_heap_growth_enomem(void) {
  th_env_t env;
  cf_sleep_t s[65], near;
  cf_context_t cx;
  int i;
  th_env_open(&env);
  cx = direct_cx(env.rt);
  cf_sleep_init(&s[0], 10);
  th_fail_after(0); /* the first timer allocates the wheel */
  CHECK_EQ(cf_future_poll(&s[0].base, &cx), CF_READY);
  CHECK_EQ(s[0].base.rc, CF_ENOMEM);
  th_fail_after(-1);
  cf_future_drop(&s[0].base);
  for (i = 0; i < 64; i++) { /* far: into the heap */
    cf_sleep_init(&s[i], 100000 + i);
    CHECK_EQ(cf_future_poll(&s[i].base, &cx), CF_PENDING);
  }
  th_fail_after(0);
  cf_sleep_init(&near, 5); /* inside the window: no block yet */
  CHECK_EQ(cf_future_poll(&near.base, &cx), CF_READY);
  CHECK_EQ(near.base.rc, CF_ENOMEM);
  th_fail_after(-1);
  cf_future_drop(&near.base);
  cf_sleep_init(&near, 5); /* allocates a block */
  CHECK_EQ(cf_future_poll(&near.base, &cx), CF_PENDING);
  cf_future_drop(&near.base); /* its block becomes a spare */
  th_fail_after(0);
  cf_sleep_init(&near, 6); /* another slot: the spare, no allocation */
  CHECK_EQ(cf_future_poll(&near.base, &cx), CF_PENDING);
  cf_future_drop(&near.base);
  cf_sleep_init(&s[64], 99995);
  /* the 65th far one grows the heap */
  CHECK_EQ(cf_future_poll(&s[64].base, &cx), CF_READY);
  CHECK_EQ(s[64].base.rc, CF_ENOMEM);
  th_fail_after(-1);
  {
    cf_virtual_driver_stats_t vs;
    cf_virtual_driver_stats(env.drv, &vs);
    CHECK_EQ(vs.armed_deadline, 100000); /* the failed one armed nothing */
  }
  /* Interval: the same failure surfaces as its outcome. */
  {
    cf_interval_t iv;
    cf_interval_init(&iv, 100000, CF_MISSED_TICK_BURST);
    CHECK_EQ(cf_future_poll(&iv.base, &cx), CF_READY); /* first tick */
    cf_future_rearm(&iv.base);
    th_fail_after(0);
    CHECK_EQ(cf_future_poll(&iv.base, &cx), CF_READY);
    CHECK_EQ(iv.base.rc, CF_ENOMEM);
    th_fail_after(-1);
    cf_future_drop(&iv.base);
  }
  /* Cancelling under allocation failure (the heap may try to shrink). */
  th_fail_after(0);
  for (i = 0; i < 65; i++)
    cf_future_drop(&s[i].base);
  th_fail_after(-1);
  th_env_close(&env);
}

static void join_and_select_beyond_inline_enomem(void) {
  th_env_t env;
  th_probe_t p[CF_COMBINE_INLINE + 2];
  cf_poll_fn_t f[CF_COMBINE_INLINE + 2];
  cf_future_t *ptrs[CF_COMBINE_INLINE + 2];
  const size_t n = CF_COMBINE_INLINE + 2;
  cf_context_t cx;
  int k, kind;
  size_t i;
  th_env_open(&env);
  cx = direct_cx(env.rt);
  for (kind = 0; kind < 3; kind++) {
    for (k = 0; k < 2; k++) { /* 0: init's copy fails; 1: the first poll's */
      cf_combine_t c;
      memset(p, 0, sizeof p);
      for (i = 0; i < n; i++) {
        th_probe_init(&f[i], &p[i]);
        ptrs[i] = &f[i].base;
      }
      th_fail_after(k);
      if (kind == 0)
        cf_join_init(&c, ptrs, n);
      else if (kind == 1)
        cf_try_join_init(&c, ptrs, n);
      else
        cf_select_init(&c, ptrs, n, CF_SELECT_FAIR);
      CHECK_EQ(cf_future_poll(&c.base, &cx), CF_READY);
      CHECK_EQ(c.base.rc, CF_ENOMEM);
      th_fail_after(-1);
      for (i = 0; i < n; i++) {
        CHECK_EQ(p[i].polls, 0);
        CHECK_EQ(p[i].drops, 1); /* the combinator cancelled them */
      }
      cf_future_drop(&c.base);
      for (i = 0; i < n; i++) {
        cf_future_drop(&f[i].base);
        CHECK_EQ(p[i].drops, 1);
      }
    }
  }
  /* Dropped without a poll after init failed: no double drop, no leak. */
  {
    cf_join_t j;
    memset(p, 0, sizeof p);
    for (i = 0; i < n; i++)
      th_probe_init(&f[i], &p[i]);
    th_fail_after(0);
    cf_join_init(&j, ptrs, n);
    th_fail_after(-1);
    cf_future_drop(&j.base);
    for (i = 0; i < n; i++)
      CHECK_EQ(p[i].drops, 1);
  }
  th_env_close(&env);
}

/* ---- a whole scenario under every failure point ---- */

typedef struct {
  cf_async_t co;
  cf_sleep_t s[CF_COMBINE_INLINE + 2];
  cf_join_t all;
  cf_join_handle_t h;
  cf_sleep_t nap;
  th_probe_t stuck_probe;
  cf_poll_fn_t stuck;
  cf_timeout_t to;
  cf_join_set_t set;
  cf_join_next_t next;
  int i;
} scenario_t;

typedef struct {
  cf_async_t co;
  cf_sleep_t s;
} napping_t;
static cf_poll_t napping_poll(cf_future_t *f, cf_context_t *cx) {
  napping_t *self = (napping_t *)f;
  CF_BEGIN(self);
  cf_sleep_init(&self->s, 5);
  CF_AWAIT_TRY(self, &self->s);
  CF_END(self, 0);
}
static void napping_cleanup(cf_future_t *f) {
  cf_future_drop(&((napping_t *)f)->s.base);
}
CF_ASYNC_VTABLE(napping_vt, "napping", napping_poll, napping_cleanup);

static cf_poll_t scenario_poll(cf_future_t *f, cf_context_t *cx) {
  scenario_t *self = (scenario_t *)f;
  int err;
  CF_BEGIN(self);
  for (self->i = 0; self->i < CF_COMBINE_INLINE + 2; self->i++)
    cf_sleep_init(&self->s[self->i], self->i);
  {
    cf_future_t *ptrs[CF_COMBINE_INLINE + 2];
    int i;
    for (i = 0; i < CF_COMBINE_INLINE + 2; i++)
      ptrs[i] = &self->s[i].base;
    cf_join_init(&self->all, ptrs, CF_COMBINE_INLINE + 2);
  }
  CF_AWAIT_TRY(self, &self->all);
  for (self->i = 0; self->i < CF_COMBINE_INLINE + 2; self->i++)
    if (self->s[self->i].base.rc < 0)
      CF_RETURN(self, self->s[self->i].base.rc);
  {
    napping_t n;
    CF_ASYNC_INIT(&n, &napping_vt);
    err = CF_SPAWN(cx->rt, &n, "nap", &self->h);
    if (err < 0) {
      cf_future_drop(&n.co.base);
      CF_RETURN(self, err);
    }
  }
  CF_AWAIT_TRY(self, &self->h);
  th_probe_init(&self->stuck, &self->stuck_probe);
  cf_timeout_init(&self->to, &self->stuck.base, 3);
  CF_AWAIT(self, &self->to);
  if (self->to.base.rc != CF_ETIMEDOUT)
    CF_RETURN(self, self->to.base.rc);
  cf_join_set_init(&self->set, cx->rt);
  for (self->i = 0; self->i < 3; self->i++) {
    napping_t n;
    CF_ASYNC_INIT(&n, &napping_vt);
    err = CF_JOIN_SET_SPAWN(&self->set, &n, NULL, NULL);
    if (err < 0) {
      cf_future_drop(&n.co.base);
      CF_RETURN(self, err);
    }
  }
  for (;;) {
    cf_join_next_init(&self->next, &self->set);
    CF_AWAIT(self, &self->next);
    if (self->next.base.rc == CF_EEMPTY)
      break;
    if (self->next.base.rc < 0)
      CF_RETURN(self, self->next.base.rc);
    cf_future_drop(&self->next.base);
  }
  CF_END(self, 0);
}
static void scenario_cleanup(cf_future_t *f) {
  scenario_t *self = (scenario_t *)f;
  int i;
  cf_future_drop(&self->all.base);
  for (i = 0; i < CF_COMBINE_INLINE + 2; i++)
    cf_future_drop(&self->s[i].base);
  cf_future_drop(&self->h.base);
  cf_future_drop(&self->to.base);
  cf_future_drop(&self->stuck.base);
  cf_future_drop(&self->next.base);
  if (self->set.rt)
    cf_join_set_drop(&self->set);
}
CF_ASYNC_VTABLE(scenario_vt, "scenario", scenario_poll, scenario_cleanup);

static void scenario_under_every_failure_point(void) {
  long k;
  int completed = 0, enomem = 0, other = 0;
  for (k = 0; k < 200 && !completed; k++) {
    th_env_t env;
    scenario_t s;
    cf_join_handle_t h;
    int rc;
    th_env_open(&env);
    CF_ASYNC_INIT(&s, &scenario_vt);
    th_fail_after(k);
    rc = CF_SPAWN(env.rt, &s, "scenario", &h);
    if (rc == 0)
      rc = cf_block_on(env.rt, &h.base);
    else
      cf_future_drop(&s.co.base);
    th_fail_after(-1);
    if (rc == 0)
      completed = 1;
    else if (rc == CF_ENOMEM)
      enomem++;
    else
      other++;
    cf_future_drop(&h.base);
    cf_runtime_run_until_stalled(env.rt);
    th_env_close(&env);
    CHECK_EQ(th_live_bytes(), 0);
  }
  CHECK(completed);
  CHECK(enomem >= 5); /* there are that many allocation points */
  CHECK_EQ(other, 0);
}

/* ---- phased leak check ---- */

static void one_round(th_env_t *env, long i) {
  napping_t n;
  cf_join_handle_t h;
  th_probe_t p = {0}, q = {0};
  cf_poll_fn_t pf, qf;
  cf_sleep_t s;
  cf_select_t sel;
  cf_timeout_t to;

  /* spawn, then abort half of them (some before, some after a poll) */
  CF_ASYNC_INIT(&n, &napping_vt);
  CHECK_EQ(CF_SPAWN(env->rt, &n, NULL, &h), 0);
  if (i % 4 == 1)
    cf_runtime_turn(env->rt);
  if (i % 2)
    CHECK_EQ(cf_task_abort(&h), 0);
  CHECK_EQ(cf_block_on(env->rt, &h.base), i % 2 ? CF_ECANCELED : 0);
  cf_future_drop(&h.base);

  /* select: a sleep beats a probe that never finishes */
  th_probe_init(&pf, &p);
  cf_sleep_init(&s, 1 + i % 3);
  cf_select_init(&sel, (cf_future_t *[]){&pf.base, &s.base}, 2, 0);
  CHECK_EQ(cf_block_on(env->rt, &sel.base), 0);
  CHECK_EQ(sel.index, 1);
  cf_future_drop(&sel.base);
  cf_future_drop(&s.base);
  cf_future_drop(&pf.base);

  /* timeout of a stuck future */
  th_probe_init(&qf, &q);
  cf_timeout_init(&to, &qf.base, 2);
  CHECK_EQ(cf_block_on(env->rt, &to.base), CF_ETIMEDOUT);
  cf_future_drop(&to.base);
  cf_future_drop(&qf.base);
}

static void phased_leak_check(void) {
  th_env_t env;
  long phase, i, rounds = th_scaled(10000);
  size_t live[3];
  cf_runtime_stats_t st;
  th_env_open(&env);
  for (phase = 0; phase < 3; phase++) {
    for (i = 0; i < rounds; i++)
      one_round(&env, i);
    live[phase] = th_live_bytes();
    cf_runtime_stats(env.rt, &st);
    CHECK_EQ(st.live_tasks, 0);
    CHECK_EQ(st.live_timers, 0);
    CHECK_EQ(st.live_wakers, 0);
  }
  CHECK_EQ(live[2], live[1]);
  CHECK(live[0] > 0); /* the runtime itself */
  th_env_close(&env);
}

TH_MAIN(TH_CASE(runtime_new_enomem),
        TH_CASE(spawn_enomem_leaves_future_with_caller),
        TH_CASE(timer_heap_growth_enomem),
        TH_CASE(join_and_select_beyond_inline_enomem),
        TH_CASE(scenario_under_every_failure_point), TH_CASE(phased_leak_check))
