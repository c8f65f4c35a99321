/* test_combine.c: join, try_join, select and join sets. Join of N children
 * (inline, allocated, 1e4) polling only the woken child; try_join's first
 * error dropping the rest; select fair vs biased; the select loop
 * (CF_SELECT_LOOP + rearm ending in CF_EEMPTY); join sets in completion
 * order, abort-all on drop, CF_EEMPTY when empty. */
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

static void join_polls_only_woken_children(void) {
  static const long sizes[] = {
      0, 1, 3, CF_COMBINE_INLINE, CF_COMBINE_INLINE + 1, 10000};
  size_t k;
  for (k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    th_env_t env;
    long i, n = sizes[k], woken, bad = 0;
    th_probe_t *p = calloc((size_t)n + 1, sizeof *p);
    cf_poll_fn_t *f = calloc((size_t)n + 1, sizeof *f);
    cf_future_t **ptrs = calloc((size_t)n + 1, sizeof *ptrs);
    cf_join_t j;
    cf_context_t cx;
    th_env_open(&env);
    cx = direct_cx(env.rt);
    for (i = 0; i < n; i++) {
      th_probe_init(&f[i], &p[i]);
      ptrs[i] = &f[i].base;
    }
    cf_join_init(&j, ptrs, (size_t)n);
    if (n == 0) {
      CHECK_EQ(cf_future_poll(&j.base, &cx), CF_READY);
      CHECK_EQ(j.base.rc, 0);
    } else {
      CHECK_EQ(cf_future_poll(&j.base, &cx), CF_PENDING);
      for (i = 0; i < n; i++)
        bad += p[i].polls != 1;
      CHECK_EQ(bad, 0);
      /* A spurious poll of the join polls no child. */
      CHECK_EQ(cf_future_poll(&j.base, &cx), CF_PENDING);
      for (i = 0; i < n; i++)
        bad += p[i].polls != 1;
      CHECK_EQ(bad, 0);
      /* Complete them one at a time in a scattered order; each poll of
       * the join polls exactly the woken child. */
      for (woken = 0; woken < n; woken++) {
        long c = (woken * 7) % n;
        if (n % 7 == 0)
          c = woken;
        p[c].ready = 1;
        th_probe_wake(&p[c]);
        th_probe_wake(&p[c]); /* duplicate wakes poll it once */
        CHECK_EQ(cf_future_poll(&j.base, &cx),
                 woken == n - 1 ? CF_READY : CF_PENDING);
        if (p[c].polls != 2)
          bad++;
        if (woken == 0)
          for (i = 0; i < n; i++)
            bad += i != c && p[i].polls != 1;
      }
      CHECK_EQ(bad, 0);
      CHECK_EQ(j.base.rc, 0);
      for (i = 0; i < n; i++)
        bad += p[i].late_polls + p[i].drops;
      CHECK_EQ(bad, 0); /* completed children are the owner's to drop */
    }
    cf_future_drop(&j.base);
    for (i = 0; i < n; i++)
      cf_future_drop(&f[i].base);
    free(p);
    free(f);
    free(ptrs);
    th_env_close(&env);
  }
}

/* A parent waker that counts its wakes. */
static int parent_wakes;
static cf_waker_t cw_clone(const cf_waker_t *w) {
  return *w;
}
static void cw_wake_by_ref(const cf_waker_t *w) {
  (void)w;
  parent_wakes++;
}
static void cw_wake(cf_waker_t *w) {
  cw_wake_by_ref(w);
}
static void cw_drop(cf_waker_t *w) {
  (void)w;
}
static const cf_waker_vtable_t count_vt = {cw_clone, cw_wake, cw_wake_by_ref,
                                           cw_drop};
static void wake_sibling(th_probe_t *p, cf_context_t *cx) {
  (void)cx;
  th_probe_wake(p->ud);
}
static void wake_self(th_probe_t *p, cf_context_t *cx) {
  (void)p;
  cf_waker_wake_by_ref(cx->waker);
}

/* The join wakes its parent once per poll of it however many children
 * wake before that poll, and again for a child woken during or after it
 * (no lost wake: that child is polled by the next poll). */
static void join_wakes_parent_once_per_poll(void) {
  th_env_t env;
  th_probe_t p[3] = {{0}};
  cf_poll_fn_t f[3];
  cf_join_t j;
  cf_waker_t pw = cf_waker_from_raw(&count_vt, NULL, 0);
  cf_context_t cx;
  int i;
  th_env_open(&env);
  cx = direct_cx(env.rt);
  cx.waker = &pw;
  for (i = 0; i < 3; i++)
    th_probe_init(&f[i], &p[i]);
  cf_join_init(&j, (cf_future_t *[]){&f[0].base, &f[1].base, &f[2].base}, 3);
  CHECK_EQ(cf_future_poll(&j.base, &cx), CF_PENDING);
  parent_wakes = 0;
  th_probe_wake(&p[0]);
  th_probe_wake(&p[1]);
  th_probe_wake(&p[0]);
  CHECK_EQ(parent_wakes, 1);
  CHECK_EQ(cf_future_poll(&j.base, &cx), CF_PENDING);
  CHECK_EQ(p[0].polls, 2);
  CHECK_EQ(p[1].polls, 2);
  CHECK_EQ(p[2].polls, 1);
  th_probe_wake(&p[1]); /* after the poll: wakes the parent again */
  CHECK_EQ(parent_wakes, 2);
  p[0].on_poll = wake_sibling; /* p[0]'s next poll wakes p[2] */
  p[0].ud = &p[2];
  th_probe_wake(&p[0]);
  CHECK_EQ(parent_wakes, 2);
  CHECK_EQ(cf_future_poll(&j.base, &cx), CF_PENDING);
  CHECK_EQ(parent_wakes, 3); /* p[2], woken during the poll */
  CHECK_EQ(p[2].polls, 1);   /* ... is left to the next poll */
  p[0].on_poll = NULL;
  for (i = 0; i < 3; i++)
    p[i].ready = 1;
  th_probe_wake(&p[0]);
  th_probe_wake(&p[1]);
  CHECK_EQ(cf_future_poll(&j.base, &cx), CF_READY);
  CHECK_EQ(p[2].polls, 2);
  for (i = 0; i < 3; i++)
    CHECK_EQ(p[i].late_polls, 0);
  cf_future_drop(&j.base);
  for (i = 0; i < 3; i++)
    cf_future_drop(&f[i].base);
  th_env_close(&env);
}

/* A child that wakes itself in the poll where it completes is in the
 * ready ring but done: the join must not poll it again nor count it twice
 * (it would complete with its other child still pending). */
static void join_child_waking_itself_as_it_completes(void) {
  th_env_t env;
  th_probe_t p[2] = {{0}};
  cf_poll_fn_t f[2];
  cf_join_t j;
  cf_context_t cx;
  int i;
  th_env_open(&env);
  cx = direct_cx(env.rt);
  for (i = 0; i < 2; i++)
    th_probe_init(&f[i], &p[i]);
  p[0].on_poll = wake_self;
  p[0].ready_at = 1;
  cf_join_init(&j, (cf_future_t *[]){&f[0].base, &f[1].base}, 2);
  CHECK_EQ(cf_future_poll(&j.base, &cx), CF_PENDING);
  CHECK_EQ(cf_future_poll(&j.base, &cx), CF_PENDING);
  CHECK_EQ(p[0].polls, 1);
  p[1].ready = 1;
  th_probe_wake(&p[1]);
  CHECK_EQ(cf_future_poll(&j.base, &cx), CF_READY);
  CHECK_EQ(j.base.rc, 0);
  CHECK_EQ(p[0].late_polls + p[1].late_polls, 0);
  cf_future_drop(&j.base);
  for (i = 0; i < 2; i++)
    cf_future_drop(&f[i].base);
  th_env_close(&env);
}

/* Dropping a join that is still pending drops the pending children; a
 * join dropped before its first poll drops all of them. */
static void join_drop_cancels_pending_children(void) {
  static const long sizes[] = {2, CF_COMBINE_INLINE + 3};
  size_t k;
  for (k = 0; k < 2; k++) {
    th_env_t env;
    long i, n = sizes[k];
    th_probe_t p[8];
    cf_poll_fn_t f[8];
    cf_future_t *ptrs[8];
    cf_join_t j;
    cf_context_t cx;
    int polled;
    th_env_open(&env);
    cx = direct_cx(env.rt);
    for (polled = 0; polled < 2; polled++) {
      memset(p, 0, sizeof p);
      for (i = 0; i < n; i++) {
        p[i].ready_at = i == 0 ? 1 : 0; /* child 0 completes at once */
        th_probe_init(&f[i], &p[i]);
        ptrs[i] = &f[i].base;
      }
      cf_join_init(&j, ptrs, (size_t)n);
      if (polled)
        CHECK_EQ(cf_future_poll(&j.base, &cx), CF_PENDING);
      cf_future_drop(&j.base);
      CHECK_EQ(p[0].drops, polled ? 0 : 1);
      for (i = 1; i < n; i++)
        CHECK_EQ(p[i].drops, 1);
      for (i = 0; i < n; i++)
        cf_future_drop(&f[i].base);
    }
    th_env_close(&env);
  }
}

static void try_join_first_error_drops_the_rest(void) {
  static const long sizes[] = {3, CF_COMBINE_INLINE + 2};
  size_t k;
  for (k = 0; k < 2; k++) {
    th_env_t env;
    long i, n = sizes[k];
    th_probe_t p[8];
    cf_poll_fn_t f[8];
    cf_future_t *ptrs[8];
    cf_join_t j;
    cf_context_t cx;
    th_env_open(&env);
    cx = direct_cx(env.rt);
    memset(p, 0, sizeof p);
    p[0].ready_at = 1; /* ok at once */
    for (i = 0; i < n; i++) {
      th_probe_init(&f[i], &p[i]);
      ptrs[i] = &f[i].base;
    }
    cf_try_join_init(&j, ptrs, (size_t)n);
    CHECK_EQ(cf_future_poll(&j.base, &cx), CF_PENDING);
    p[2].ready = 1;
    p[2].rc = CF_ECLOSED;
    th_probe_wake(&p[2]);
    CHECK_EQ(cf_future_poll(&j.base, &cx), CF_READY);
    CHECK_EQ(j.base.rc, CF_ECLOSED);
    CHECK_EQ(j.index, 2);
    CHECK_EQ(p[0].drops, 0); /* completed: not the join's to drop */
    CHECK_EQ(p[2].drops, 0);
    for (i = 1; i < n; i++)
      if (i != 2)
        CHECK_EQ(p[i].drops, 1);
    cf_future_drop(&j.base);
    for (i = 0; i < n; i++) {
      cf_future_drop(&f[i].base);
      CHECK_EQ(p[i].drops, 1);
      CHECK_EQ(p[i].late_polls, 0);
    }
    /* All ok: rc 0, index -1. */
    memset(p, 0, sizeof p);
    for (i = 0; i < n; i++) {
      p[i].ready_at = 1;
      th_probe_init(&f[i], &p[i]);
    }
    cf_try_join_init(&j, ptrs, (size_t)n);
    CHECK_EQ(cf_future_poll(&j.base, &cx), CF_READY);
    CHECK_EQ(j.base.rc, 0);
    CHECK_EQ(j.index, -1);
    cf_future_drop(&j.base);
    for (i = 0; i < n; i++)
      cf_future_drop(&f[i].base);
    th_env_close(&env);
  }
}

/* Two branches that are both ready: over many fresh selects, fair picks
 * both; biased always picks the first. */
static void select_fair_vs_biased(void) {
  th_env_t env;
  int round, wins[2][2] = {{0, 0}, {0, 0}}, mode;
  th_env_open(&env);
  for (mode = 0; mode < 2; mode++) {
    for (round = 0; round < 200; round++) {
      th_probe_t p[2];
      cf_poll_fn_t f[2];
      cf_select_t s;
      cf_context_t cx = direct_cx(env.rt);
      memset(p, 0, sizeof p);
      p[0].ready_at = p[1].ready_at = 1;
      p[0].rc = 10;
      p[1].rc = 11;
      th_probe_init(&f[0], &p[0]);
      th_probe_init(&f[1], &p[1]);
      cf_select_init(&s, (cf_future_t *[]){&f[0].base, &f[1].base}, 2,
                     mode ? CF_SELECT_BIASED : CF_SELECT_FAIR);
      CHECK_EQ(cf_future_poll(&s.base, &cx), CF_READY);
      if (s.index >= 0 && s.index < 2) {
        wins[mode][s.index]++;
        CHECK_EQ(s.base.rc, 10 + s.index);
        /* the loser was never polled (or polled pending) and is dropped */
        CHECK_EQ(p[1 - s.index].drops, 1);
        CHECK_EQ(p[1 - s.index].polls, 0);
      }
      cf_future_drop(&s.base);
      cf_future_drop(&f[0].base);
      cf_future_drop(&f[1].base);
    }
  }
  CHECK(wins[0][0] >= 50);
  CHECK(wins[0][1] >= 50);
  CHECK_EQ(wins[1][0], 200);
  th_env_close(&env);
}

/* Rune's select-in-a-loop: three sleeps; each round handles one winner
 * and disables it; the fourth round reports CF_EEMPTY. */
typedef struct {
  cf_async_t co;
  cf_sleep_t a, b, c;
  cf_select_t sel;
  int order[8], n;
  int64_t at[8];
} sel_loop_t;
static cf_poll_t sel_loop_poll(cf_future_t *f, cf_context_t *cx) {
  sel_loop_t *self = (sel_loop_t *)f;
  CF_BEGIN(self);
  cf_sleep_init(&self->a, 30);
  cf_sleep_init(&self->b, 10);
  cf_sleep_init(&self->c, 20);
  cf_select_init(&self->sel,
                 (cf_future_t *[]){&self->a.base, &self->b.base, &self->c.base},
                 3, CF_SELECT_LOOP);
  for (;;) {
    CF_AWAIT(self, &self->sel);
    self->order[self->n] = cf_select_index(&self->sel);
    self->at[self->n++] = cf_runtime_now(cx->rt);
    if (cf_select_index(&self->sel) < 0)
      break;
    if (cf_future_rearm(&self->sel.base) != 0)
      CF_RETURN(self, CF_EINVAL);
  }
  CF_END(self, self->sel.base.rc);
}
static void sel_loop_cleanup(cf_future_t *f) {
  sel_loop_t *self = (sel_loop_t *)f;
  cf_future_drop(&self->sel.base);
  cf_future_drop(&self->a.base);
  cf_future_drop(&self->b.base);
  cf_future_drop(&self->c.base);
}
CF_ASYNC_VTABLE(sel_loop_vt, "select_loop", sel_loop_poll, sel_loop_cleanup);

static void select_loop_until_empty(void) {
  th_env_t env;
  sel_loop_t s;
  th_env_open(&env);
  CF_ASYNC_INIT(&s, &sel_loop_vt);
  CHECK_EQ(cf_block_on(env.rt, &s.co.base), CF_EEMPTY);
  CHECK_EQ(s.n, 4);
  CHECK_EQ(s.order[0], 1);
  CHECK_EQ(s.order[1], 2);
  CHECK_EQ(s.order[2], 0);
  CHECK_EQ(s.order[3], -1);
  CHECK_EQ(s.at[0], 10);
  CHECK_EQ(s.at[1], 20);
  CHECK_EQ(s.at[2], 30);
  CHECK_EQ(s.at[3], 30);
  CHECK_EQ(cf_future_rearm(&s.co.base), CF_EINVAL); /* coroutines: no */
  cf_future_drop(&s.co.base);
  th_env_close(&env);
}

/* In a loop, a branch that is always ready does not starve the other. */
static void select_loop_is_fair_between_ready_branches(void) {
  th_env_t env;
  th_probe_t p[2];
  cf_poll_fn_t f[2];
  cf_select_t s;
  cf_context_t cx;
  int wins[2] = {0, 0};
  th_env_open(&env);
  cx = direct_cx(env.rt);
  memset(p, 0, sizeof p);
  th_probe_init(&f[0], &p[0]);
  th_probe_init(&f[1], &p[1]);
  cf_select_init(&s, (cf_future_t *[]){&f[0].base, &f[1].base}, 2,
                 CF_SELECT_LOOP);
  CHECK_EQ(cf_future_poll(&s.base, &cx), CF_PENDING);
  /* Both become ready together: one wins this round... */
  p[0].ready = p[1].ready = 1;
  th_probe_wake(&p[0]);
  th_probe_wake(&p[1]);
  CHECK_EQ(cf_future_poll(&s.base, &cx), CF_READY);
  CHECK(s.index >= 0);
  if (s.index >= 0)
    wins[s.index]++;
  CHECK_EQ(cf_future_rearm(&s.base), 0);
  /* ...and the other, still queued and not dropped, wins the next. */
  CHECK_EQ(cf_future_poll(&s.base, &cx), CF_READY);
  CHECK(s.index >= 0);
  if (s.index >= 0)
    wins[s.index]++;
  CHECK_EQ(wins[0], 1);
  CHECK_EQ(wins[1], 1);
  CHECK_EQ(cf_future_rearm(&s.base), 0);
  CHECK_EQ(cf_future_poll(&s.base, &cx), CF_READY);
  CHECK_EQ(s.index, -1);
  CHECK_EQ(s.base.rc, CF_EEMPTY);
  CHECK_EQ(p[0].drops + p[1].drops, 0);
  cf_future_drop(&s.base);
  cf_future_drop(&f[0].base);
  cf_future_drop(&f[1].base);
  th_env_close(&env);
}

/* ---- join sets ---- */

typedef struct {
  cf_async_t co;
  cf_sleep_t s;
  int64_t ms;
  int id;
} job_t;
static cf_poll_t job_poll(cf_future_t *f, cf_context_t *cx) {
  job_t *self = (job_t *)f;
  CF_BEGIN(self);
  cf_sleep_init(&self->s, self->ms);
  CF_AWAIT(self, &self->s);
  CF_END(self, self->id);
}
static void job_cleanup(cf_future_t *f) {
  cf_future_drop(&((job_t *)f)->s.base);
}
CF_ASYNC_VTABLE(job_vt, "job", job_poll, job_cleanup);

typedef struct {
  cf_async_t co;
  cf_join_set_t set;
  cf_join_next_t next;
  int n, got[128], ngot, last_rc;
  int64_t at[128];
} collector_t;
static cf_poll_t collector_poll(cf_future_t *f, cf_context_t *cx) {
  collector_t *self = (collector_t *)f;
  CF_BEGIN(self);
  cf_join_set_init(&self->set, cx->rt);
  for (self->ngot = 0; self->ngot < self->n; self->ngot++) {
    job_t j;
    CF_ASYNC_INIT(&j, &job_vt);
    j.id = self->ngot;
    j.ms = (int64_t)(self->n - self->ngot) * 10; /* last spawned first */
    if (CF_JOIN_SET_SPAWN(&self->set, &j, "job", NULL) != 0)
      CF_RETURN(self, CF_ENOMEM);
  }
  self->ngot = 0;
  for (;;) {
    cf_join_next_init(&self->next, &self->set);
    CF_AWAIT(self, &self->next);
    self->last_rc = self->next.base.rc;
    if (self->next.base.rc == CF_EEMPTY)
      break;
    {
      job_t *done = (job_t *)cf_join_handle_output(&self->next.handle);
      self->got[self->ngot] = done ? done->id : -1;
      self->at[self->ngot++] = cf_runtime_now(cx->rt);
    }
    cf_future_drop(&self->next.base);
  }
  CF_END(self, 0);
}
static void collector_cleanup(cf_future_t *f) {
  collector_t *self = (collector_t *)f;
  cf_future_drop(&self->next.base);
  if (self->set.rt)
    cf_join_set_drop(&self->set);
}
CF_ASYNC_VTABLE(collector_vt, "collector", collector_poll, collector_cleanup);

static void join_set_completion_order(void) {
  th_env_t env;
  collector_t c;
  int i;
  th_env_open(&env);
  CF_ASYNC_INIT(&c, &collector_vt);
  c.n = 100;
  CHECK_EQ(cf_block_on(env.rt, &c.co.base), 0);
  CHECK_EQ(c.ngot, 100);
  CHECK_EQ(c.last_rc, CF_EEMPTY);
  for (i = 0; i < 100; i++) {
    CHECK_EQ(c.got[i], 99 - i);
    CHECK_EQ(c.at[i], (i + 1) * 10);
  }
  CHECK_EQ(cf_join_set_len(&c.set), 0);
  cf_future_drop(&c.co.base);
  th_env_close(&env);
}

static void join_set_drop_aborts_all(void) {
  th_env_t env;
  cf_join_set_t set;
  th_probe_t p[10];
  cf_poll_fn_t f;
  cf_runtime_stats_t st;
  uint64_t id;
  int i;
  th_env_open(&env);
  cf_join_set_init(&set, env.rt);
  memset(p, 0, sizeof p);
  for (i = 0; i < 10; i++) {
    p[i].ready_at = i < 3 ? 1 : 0; /* three finish, seven keep running */
    th_probe_init(&f, &p[i]);
    CHECK_EQ(CF_JOIN_SET_SPAWN(&set, &f, NULL, &id), 0);
    CHECK_EQ(id, (uint64_t)i + 1);
  }
  CHECK_EQ(cf_join_set_len(&set), 10);
  cf_runtime_run_until_stalled(env.rt);
  cf_runtime_stats(env.rt, &st);
  CHECK_EQ(st.live_tasks, 10); /* finished ones wait to be taken */
  cf_join_set_drop(&set);
  for (i = 0; i < 10; i++) {
    CHECK_EQ(p[i].drops, 1);
    CHECK_EQ(p[i].polls, 1);
  }
  cf_runtime_stats(env.rt, &st);
  CHECK_EQ(st.live_tasks, 0);
  CHECK_EQ(cf_join_set_len(&set), 0);
  th_env_close(&env);
}

static void join_set_abort_all_and_empty(void) {
  th_env_t env;
  cf_join_set_t set;
  cf_join_next_t next;
  th_probe_t p[4];
  cf_poll_fn_t f;
  int i, canceled = 0;
  th_env_open(&env);
  cf_join_set_init(&set, env.rt);
  /* Empty: ready at once with CF_EEMPTY. */
  cf_join_next_init(&next, &set);
  CHECK_EQ(cf_block_on(env.rt, &next.base), CF_EEMPTY);
  cf_future_drop(&next.base);
  memset(p, 0, sizeof p);
  for (i = 0; i < 4; i++) {
    th_probe_init(&f, &p[i]);
    CHECK_EQ(CF_JOIN_SET_SPAWN(&set, &f, NULL, NULL), 0);
  }
  cf_runtime_run_until_stalled(env.rt);
  cf_join_set_abort_all(&set);
  for (i = 0; i < 4; i++)
    CHECK_EQ(p[i].drops, 1);
  CHECK_EQ(cf_join_set_len(&set), 4); /* aborted, not yet taken */
  for (i = 0; i < 5; i++) {
    cf_join_next_init(&next, &set);
    int rc = cf_block_on(env.rt, &next.base);
    if (i < 4)
      canceled += rc == CF_ECANCELED;
    else
      CHECK_EQ(rc, CF_EEMPTY);
    cf_future_drop(&next.base);
  }
  CHECK_EQ(canceled, 4);
  cf_join_set_drop(&set);
  th_env_close(&env);
}

/* Bad input is an error outcome, never a crash. */
static void combinators_reject_missing_children(void) {
  th_env_t env;
  cf_join_t j;
  cf_select_t sel;
  cf_ready_t r;
  th_env_open(&env);
  cf_join_init(&j, NULL, 3);
  CHECK_EQ(cf_block_on(env.rt, &j.base), CF_EINVAL);
  cf_future_drop(&j.base);
  cf_select_init(&sel, NULL, 2, CF_SELECT_FAIR);
  CHECK_EQ(cf_block_on(env.rt, &sel.base), CF_EINVAL);
  cf_future_drop(&sel.base);
  cf_ready_init(&r, 0);
  cf_try_join_init(&j, (cf_future_t *[]){&r.base, NULL}, 2);
  CHECK_EQ(cf_block_on(env.rt, &j.base), CF_EINVAL);
  cf_future_drop(&j.base);
  cf_join_init(&j, NULL, 0); /* nothing to wait for: ready at once */
  CHECK_EQ(cf_block_on(env.rt, &j.base), 0);
  cf_future_drop(&j.base);
  th_env_close(&env);
}

TH_MAIN(TH_CASE(combinators_reject_missing_children),
        TH_CASE(join_polls_only_woken_children),
        TH_CASE(join_wakes_parent_once_per_poll),
        TH_CASE(join_child_waking_itself_as_it_completes),
        TH_CASE(join_drop_cancels_pending_children),
        TH_CASE(try_join_first_error_drops_the_rest),
        TH_CASE(select_fair_vs_biased), TH_CASE(select_loop_until_empty),
        TH_CASE(select_loop_is_fair_between_ready_branches),
        TH_CASE(join_set_completion_order), TH_CASE(join_set_drop_aborts_all),
        TH_CASE(join_set_abort_all_and_empty))
