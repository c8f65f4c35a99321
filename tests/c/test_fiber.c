/* test_fiber.c: stackful fiber tasks (include/cfuture/fiber.h) on the
 * virtual-clock driver. Fibers awaiting sleep, oneshot, mpsc, join handles
 * (fiber and stackless), join/select/timeout; stackless code awaiting a
 * fiber (its handle, and an embedded cf_fiber_t); a fiber awaiting an
 * embedded fiber; abort at each await point with everything freed (the
 * counting allocator and the fiber stats); abort before the first poll
 * (fn still runs, canceled, and frees its argument); a fiber ignoring
 * cancellation (abandoned, counted); the runtime freed with suspended
 * fibers; cf_await outside a fiber; spawn failing at every allocation;
 * the inspector; 1e4 concurrent fibers; 1e5 fibers back to the baseline;
 * deep recursion; a stack overflow reported with the fiber's name (in a
 * child process). Time limit: ctest's TIMEOUT, and alarm() per process. */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

static void run(th_env_t *env) {
  CHECK(cf_runtime_run_until_stalled(env->rt) >= 0);
}
static void advance(th_env_t *env, int64_t ms) {
  cf_virtual_driver_advance(env->drv, ms);
  run(env);
}

/* The whole binary's time limit, on top of ctest's. */
__attribute__((constructor)) static void time_limit(void) {
  alarm(240);
}

/* Poll a finished handle directly to read its outcome. */
static int join_rc(cf_join_handle_t *h) {
  static cf_waker_t none = {NULL, NULL, 0};
  cf_context_t cx = {&none, NULL, NULL, NULL};
  if (cf_future_is_done(&h->base))
    return h->base.rc;
  if (cf_future_poll(&h->base, &cx) != CF_READY)
    return 1; /* still running */
  return h->base.rc;
}

static size_t live_fibers(void) {
  cf_fiber_stats_t st;
  cf_fiber_stats(&st);
  return st.live;
}

/* ---- sleep ---- */

typedef struct sleeper {
  th_env_t *env;
  int64_t woke[3];
  int n;
} sleeper_t;

static int sleeper_fn(void *arg) {
  sleeper_t *s = arg;
  int i;
  for (i = 0; i < 3; i++) {
    int rc = cf_fiber_sleep(100 * (i + 1));
    if (rc < 0)
      return rc;
    s->woke[s->n++] = th_now(s->env); /* a local loop counter survives */
  }
  return 42;
}

static void fiber_sleeps(void) {
  th_env_t env;
  sleeper_t s = {0};
  cf_join_handle_t h;
  cf_fiber_options_t o = {"sleeper", 0, 0, 0};
  th_env_open(&env);
  s.env = &env;
  CHECK_EQ(cf_fiber_spawn(env.rt, sleeper_fn, &s, &o, &h), 0);
  CHECK_STR(cf_task_name(&h), "sleeper");
  CHECK_EQ(s.n, 0); /* lazy: nothing runs inside spawn */
  run(&env);
  CHECK_EQ(s.n, 0);
  advance(&env, 99);
  CHECK_EQ(s.n, 0); /* never early */
  advance(&env, 1);
  CHECK_EQ(s.n, 1);
  advance(&env, 200);
  CHECK_EQ(s.n, 2);
  advance(&env, 300);
  CHECK_EQ(s.n, 3);
  CHECK_EQ(s.woke[0], 100);
  CHECK_EQ(s.woke[1], 300);
  CHECK_EQ(s.woke[2], 600);
  CHECK_EQ(join_rc(&h), 42);
  CHECK_EQ(live_fibers(), 0); /* the stack went with fn's return */
  cf_future_drop(&h.base);
  th_env_close(&env);
}

/* ---- channels ---- */

typedef struct chans {
  cf_oneshot_receiver_t orx;
  cf_mpsc_sender_t tx;
  cf_mpsc_receiver_t rx;
  int got_oneshot;
  long sum, count;
} chans_t;

static int oneshot_fn(void *arg) {
  chans_t *c = arg;
  int v = 0, rc;
  cf_oneshot_recv_t r;
  cf_oneshot_recv_init(&r, &c->orx, &v);
  rc = cf_await(&r.base);
  cf_future_drop(&r.base);
  c->got_oneshot = v;
  return rc;
}

static int producer_fn(void *arg) {
  chans_t *c = arg;
  int i, rc = 0;
  for (i = 1; i <= 100 && rc == 0; i++) {
    cf_mpsc_send_t s;
    cf_mpsc_send_init(&s, &c->tx, &i);
    rc = cf_await(&s.base);
    cf_future_drop(&s.base);
  }
  cf_mpsc_sender_free(&c->tx); /* closes the channel */
  return rc;
}

static int consumer_fn(void *arg) {
  chans_t *c = arg;
  for (;;) {
    int v = 0, rc;
    cf_mpsc_recv_t r;
    cf_mpsc_recv_init(&r, &c->rx, &v);
    rc = cf_await(&r.base);
    cf_future_drop(&r.base);
    if (rc == CF_ECLOSED)
      return 0;
    if (rc < 0)
      return rc;
    c->sum += v;
    c->count++;
  }
}

static void fiber_channels(void) {
  th_env_t env;
  chans_t c = {0};
  cf_oneshot_sender_t otx;
  cf_join_handle_t h1, h2, h3;
  int seven = 7;
  th_env_open(&env);
  CHECK_EQ(cf_oneshot_new(sizeof(int), &otx, &c.orx), 0);
  CHECK_EQ(cf_mpsc_new(sizeof(int), 4, &c.tx, &c.rx), 0);
  CHECK_EQ(cf_fiber_spawn(env.rt, oneshot_fn, &c, NULL, &h1), 0);
  CHECK_EQ(cf_fiber_spawn(env.rt, producer_fn, &c, NULL, &h2), 0);
  CHECK_EQ(cf_fiber_spawn(env.rt, consumer_fn, &c, NULL, &h3), 0);
  run(&env);
  CHECK_EQ(c.got_oneshot, 0);
  CHECK_EQ(join_rc(&h1), 1); /* still waiting */
  CHECK_EQ(cf_oneshot_send(&otx, &seven), 0);
  run(&env);
  CHECK_EQ(c.got_oneshot, 7);
  CHECK_EQ(join_rc(&h1), 0);
  CHECK_EQ(join_rc(&h2), 0);
  CHECK_EQ(join_rc(&h3), 0);
  CHECK_EQ(c.count, 100);
  CHECK_EQ(c.sum, 5050);
  cf_future_drop(&h1.base);
  cf_future_drop(&h2.base);
  cf_future_drop(&h3.base);
  cf_oneshot_receiver_free(&c.orx);
  cf_mpsc_receiver_free(&c.rx);
  th_env_close(&env);
}

/* ---- join handles, join, select, timeout, both styles ---- */

static int return_arg_after_sleep(void *arg) {
  int v = (int)(intptr_t)arg;
  int rc = cf_fiber_sleep(v);
  return rc < 0 ? rc : v;
}

/* A stackless task: sleeps 50 ms, returns 5. */
typedef struct nap {
  cf_async_t co;
  cf_sleep_t s;
} nap_t;
static cf_poll_t nap_poll(cf_future_t *f, cf_context_t *cx) {
  nap_t *self = (nap_t *)f;
  CF_BEGIN(self);
  cf_sleep_init(&self->s, 50);
  CF_AWAIT(self, &self->s);
  CF_END(self, 5);
}
CF_ASYNC_VTABLE(nap_vt, "nap", nap_poll, NULL);
static void nap_init(nap_t *n) {
  CF_ASYNC_INIT(n, &nap_vt);
}

typedef struct combo {
  cf_runtime_t *rt;
  int child_rc, stackless_rc, all_rc, any_rc, any_index, timeout_rc,
      timeout_ok_rc;
  int64_t t_all, t_any, t_timeout;
  th_env_t *env;
} combo_t;

static int combo_fn(void *arg) {
  combo_t *c = arg;
  cf_join_handle_t hf, hs;
  nap_t n;
  cf_sleep_t a, b;
  cf_pending_t never;
  cf_future_t *two[2];
  /* a fiber child and a stackless child, awaited through their handles */
  cf_fiber_spawn(c->rt, return_arg_after_sleep, (void *)(intptr_t)30, NULL,
                 &hf);
  nap_init(&n);
  CF_SPAWN(c->rt, &n, "nap", &hs);
  c->child_rc = cf_await(&hf.base);
  c->stackless_rc = cf_await(&hs.base);
  cf_future_drop(&hf.base);
  cf_future_drop(&hs.base);
  /* join two sleeps: ends with the longer one */
  cf_sleep_init(&a, 10);
  cf_sleep_init(&b, 20);
  two[0] = &a.base;
  two[1] = &b.base;
  c->all_rc = cf_await_all(two, 2);
  c->t_all = th_now(c->env);
  cf_future_drop(&a.base);
  cf_future_drop(&b.base);
  /* select: the 5 ms sleep wins over a future that never completes */
  cf_pending_init(&never);
  cf_sleep_init(&a, 5);
  two[0] = &never.base;
  two[1] = &a.base;
  c->any_rc = cf_await_any(two, 2, &c->any_index);
  c->t_any = th_now(c->env);
  cf_future_drop(&never.base);
  cf_future_drop(&a.base);
  /* timeout: expires; then one that completes in time */
  cf_pending_init(&never);
  c->timeout_rc = cf_await_timeout(&never.base, 15);
  c->t_timeout = th_now(c->env);
  cf_future_drop(&never.base);
  cf_sleep_init(&a, 1);
  c->timeout_ok_rc = cf_await_timeout(&a.base, 15);
  cf_future_drop(&a.base);
  return 0;
}

static void fiber_combinators(void) {
  th_env_t env;
  combo_t c = {0};
  cf_join_handle_t h;
  int i;
  th_env_open(&env);
  c.rt = env.rt;
  c.env = &env;
  CHECK_EQ(cf_fiber_spawn(env.rt, combo_fn, &c, NULL, &h), 0);
  run(&env); /* first poll at t = 0 */
  for (i = 0; i < 200 && join_rc(&h) == 1; i++)
    advance(&env, 1);
  CHECK_EQ(join_rc(&h), 0);
  CHECK_EQ(c.child_rc, 30);
  CHECK_EQ(c.stackless_rc, 5);
  CHECK_EQ(c.all_rc, 0);
  CHECK_EQ(c.t_all, 70); /* children done at 50, then 20 ms */
  CHECK_EQ(c.any_rc, 0);
  CHECK_EQ(c.any_index, 1);
  CHECK_EQ(c.t_any, 75);
  CHECK_EQ(c.timeout_rc, CF_ETIMEDOUT);
  CHECK_EQ(c.t_timeout, 90);
  CHECK_EQ(c.timeout_ok_rc, 0);
  cf_future_drop(&h.base);
  th_env_close(&env);
}

/* A stackless coroutine that awaits a fiber's handle and an embedded
 * cf_fiber_t. */
typedef struct outer {
  cf_async_t co;
  cf_join_handle_t *h;
  cf_fiber_t fib;
  int handle_rc, embedded_rc;
} outer_t;
static cf_poll_t outer_poll(cf_future_t *f, cf_context_t *cx) {
  outer_t *self = (outer_t *)f;
  CF_BEGIN(self);
  CF_AWAIT(self, &self->h->base);
  self->handle_rc = self->h->base.rc;
  CHECK_EQ(cf_fiber_init(&self->fib, return_arg_after_sleep,
                         (void *)(intptr_t)8, NULL),
           0);
  CF_AWAIT(self, &self->fib);
  self->embedded_rc = self->fib.co.base.rc;
  CF_END(self, self->handle_rc + self->embedded_rc);
}
static void outer_cleanup(cf_future_t *f) {
  cf_future_drop(&((outer_t *)f)->fib.co.base);
}
CF_ASYNC_VTABLE(outer_vt, "outer", outer_poll, outer_cleanup);

static void stackless_awaits_fiber(void) {
  th_env_t env;
  cf_join_handle_t hf, ho;
  outer_t o;
  th_env_open(&env);
  CHECK_EQ(cf_fiber_spawn(env.rt, return_arg_after_sleep, (void *)(intptr_t)3,
                          NULL, &hf),
           0);
  CF_ASYNC_INIT(&o, &outer_vt);
  o.h = &hf;
  CHECK_EQ(CF_SPAWN(env.rt, &o, "outer", &ho), 0);
  run(&env);
  advance(&env, 3);
  CHECK_EQ(cf_task_is_finished(&hf), 1);
  CHECK_EQ(cf_task_is_finished(&ho), 0);
  advance(&env, 8);
  CHECK_EQ(join_rc(&ho), 11);
  CHECK_EQ(((outer_t *)cf_join_handle_output(&ho))->handle_rc, 3);
  CHECK_EQ(((outer_t *)cf_join_handle_output(&ho))->embedded_rc, 8);
  cf_future_drop(&ho.base);
  cf_future_drop(&hf.base);
  CHECK_EQ(live_fibers(), 0);
  th_env_close(&env);
}

/* A fiber awaiting an embedded fiber (nested stacks). */
typedef struct nest {
  int inner_steps, outer_rc, cleaned;
} nest_t;
static int inner_fn(void *arg) {
  nest_t *n = arg;
  while (n->inner_steps < 3) {
    if (cf_fiber_sleep(10) < 0) {
      n->cleaned++;
      return CF_ECANCELED;
    }
    n->inner_steps++;
  }
  return 9;
}
static int nester_fn(void *arg) {
  nest_t *n = arg;
  cf_fiber_t inner;
  int rc = cf_fiber_init(&inner, inner_fn, n, NULL);
  if (rc == 0)
    rc = cf_await(&inner.co.base);
  cf_future_drop(&inner.co.base);
  if (rc == CF_ECANCELED)
    n->cleaned++;
  n->outer_rc = rc;
  return rc;
}

static void fiber_awaits_fiber(void) {
  th_env_t env;
  nest_t n = {0};
  cf_join_handle_t h;
  th_env_open(&env);
  CHECK_EQ(cf_fiber_spawn(env.rt, nester_fn, &n, NULL, &h), 0);
  run(&env);
  CHECK_EQ(live_fibers(), 2);
  advance(&env, 10);
  advance(&env, 10);
  advance(&env, 10);
  CHECK_EQ(n.inner_steps, 3);
  CHECK_EQ(join_rc(&h), 9);
  cf_future_drop(&h.base);
  /* abort while both are suspended: both unwind, inner first */
  memset(&n, 0, sizeof n);
  CHECK_EQ(cf_fiber_spawn(env.rt, nester_fn, &n, NULL, &h), 0);
  run(&env);
  advance(&env, 10);
  CHECK_EQ(n.inner_steps, 1);
  CHECK_EQ(cf_task_abort(&h), 0);
  CHECK_EQ(n.cleaned, 2);
  CHECK_EQ(n.outer_rc, CF_ECANCELED);
  CHECK_EQ(join_rc(&h), CF_ECANCELED);
  CHECK_EQ(live_fibers(), 0);
  cf_future_drop(&h.base);
  th_env_close(&env);
}

/* select over two embedded fibers: the loser is unwound from inside the
 * winner's parent fiber (a nested entry), the winner's rc comes back. */
static int quick_or_slow(void *arg) {
  int ms = (int)(intptr_t)arg;
  int rc = cf_fiber_sleep(ms);
  return rc < 0 ? rc : ms;
}
typedef struct race {
  int rc, index, loser_live_after;
} race_t;
static int racer_fn(void *arg) {
  race_t *r = arg;
  cf_fiber_t a, b;
  cf_future_t *two[2];
  cf_fiber_init(&a, quick_or_slow, (void *)(intptr_t)50, NULL);
  cf_fiber_init(&b, quick_or_slow, (void *)(intptr_t)5, NULL);
  two[0] = &a.co.base;
  two[1] = &b.co.base;
  r->rc = cf_await_any(two, 2, &r->index);
  r->loser_live_after = (int)live_fibers();
  cf_future_drop(&a.co.base);
  cf_future_drop(&b.co.base);
  return 0;
}

static void select_over_embedded_fibers(void) {
  th_env_t env;
  cf_join_handle_t h;
  race_t r = {0};
  th_env_open(&env);
  CHECK_EQ(cf_fiber_spawn(env.rt, racer_fn, &r, NULL, &h), 0);
  run(&env);
  CHECK_EQ(live_fibers(), 3);
  advance(&env, 5);
  CHECK_EQ(join_rc(&h), 0);
  CHECK_EQ(r.rc, 5);
  CHECK_EQ(r.index, 1);
  CHECK_EQ(r.loser_live_after, 1); /* only the racer itself */
  CHECK_EQ(live_fibers(), 0);
  cf_future_drop(&h.base);
  th_env_close(&env);
}

/* A fiber aborts its own task: the abort takes effect at its next
 * suspension, and that await returns CF_ECANCELED. */
typedef struct selfab {
  cf_join_handle_t *h;
  int abort_rc, sleep_rc, after;
} selfab_t;
static int self_abort_fn(void *arg) {
  selfab_t *s = arg;
  s->abort_rc = cf_task_abort(s->h);
  s->sleep_rc = cf_fiber_sleep(10);
  s->after = cf_fiber_canceled();
  return 0;
}

static void fiber_aborts_itself(void) {
  th_env_t env;
  cf_join_handle_t h;
  selfab_t s = {0};
  th_env_open(&env);
  s.h = &h;
  CHECK_EQ(cf_fiber_spawn(env.rt, self_abort_fn, &s, NULL, &h), 0);
  run(&env);
  CHECK_EQ(s.abort_rc, 0);
  CHECK_EQ(s.sleep_rc, CF_ECANCELED);
  CHECK_EQ(s.after, 1);
  CHECK_EQ(join_rc(&h), CF_ECANCELED);
  CHECK_EQ(live_fibers(), 0);
  cf_future_drop(&h.base);
  th_env_close(&env);
}

/* ---- cancellation ---- */

typedef struct victim {
  cf_runtime_t *rt;
  int reached;  /* await points reached */
  int unwound;  /* error path ran */
  int late_rc;  /* an await after cancellation */
  int finished; /* ran to the end without cancellation */
  cf_oneshot_receiver_t rx;
} victim_t;

static int victim_fn(void *arg) {
  victim_t *v = arg;
  char *buf = cf_malloc(1000); /* must be freed on every path */
  int rc, idx, val = 0;
  cf_join_handle_t child;
  cf_oneshot_recv_t r;
  cf_pending_t never;
  cf_sleep_t s;
  cf_future_t *two[2];
  if (!buf)
    return CF_ENOMEM;
  v->reached = 1;
  if ((rc = cf_fiber_sleep(10)) < 0)
    goto out;
  v->reached = 2;
  cf_oneshot_recv_init(&r, &v->rx, &val);
  rc = cf_await(&r.base);
  cf_future_drop(&r.base);
  if (rc < 0)
    goto out;
  v->reached = 3;
  rc = cf_fiber_spawn(v->rt, return_arg_after_sleep, (void *)(intptr_t)10, NULL,
                      &child);
  if (rc == 0)
    rc = cf_await(&child.base);
  cf_future_drop(&child.base); /* aborts the child if still running */
  if (rc < 0)
    goto out;
  v->reached = 4;
  cf_pending_init(&never);
  cf_sleep_init(&s, 10);
  two[0] = &never.base;
  two[1] = &s.base;
  rc = cf_await_any(two, 2, &idx);
  cf_future_drop(&never.base);
  cf_future_drop(&s.base);
  if (rc < 0)
    goto out;
  v->reached = 5;
  cf_pending_init(&never);
  rc = cf_await_timeout(&never.base, 1000);
  cf_future_drop(&never.base);
  if (rc < 0 && rc != CF_ETIMEDOUT)
    goto out;
  v->reached = 6;
  rc = cf_fiber_yield();
  if (rc < 0)
    goto out;
  v->finished = 1;
out:
  if (rc == CF_ECANCELED) {
    v->unwound = 1;
    v->late_rc = cf_fiber_sleep(1); /* returns at once */
  }
  cf_free(buf, 1000);
  return rc;
}

/* Drive a victim until it reaches await point `k`, then abort. */
static void abort_at_each_await_point(void) {
  int k;
  for (k = 1; k <= 7; k++) {
    th_env_t env;
    victim_t v = {0};
    cf_oneshot_sender_t tx;
    cf_join_handle_t h;
    int one = 1, i;
    cf_runtime_stats_t st;
    th_env_open(&env);
    v.rt = env.rt;
    CHECK_EQ(cf_oneshot_new(sizeof(int), &tx, &v.rx), 0);
    CHECK_EQ(cf_fiber_spawn(env.rt, victim_fn, &v, NULL, &h), 0);
    /* one turn per virtual ms, so the fiber stops at each point */
    for (i = 0; i < 2000 && v.reached < k && !v.finished; i++) {
      if (v.reached == 2 && tx.chan)
        cf_oneshot_send(&tx, &one);
      CHECK(cf_runtime_turn(env.rt) >= 0);
      if (v.reached < k)
        cf_virtual_driver_advance(env.drv, 1);
    }
    if (k <= 6) {
      CHECK_EQ(v.reached, k);
      CHECK_EQ(v.finished, 0);
      CHECK_EQ(cf_task_abort(&h), 0);
      CHECK_EQ(v.unwound, 1);
      CHECK_EQ(v.late_rc, CF_ECANCELED);
      CHECK_EQ(join_rc(&h), CF_ECANCELED);
    } else {
      CHECK_EQ(v.finished, 1);
      CHECK_EQ(join_rc(&h), 0);
    }
    cf_future_drop(&h.base);
    run(&env);
    CHECK_EQ(live_fibers(), 0);
    cf_runtime_stats(env.rt, &st);
    CHECK_EQ(st.live_timers, 0);
    CHECK_EQ(st.live_tasks, 0);
    cf_oneshot_sender_free(&tx);
    cf_oneshot_receiver_free(&v.rx);
    th_env_close(&env);
    CHECK_EQ(th_live_bytes(), 0); /* buf and the child fiber freed */
  }
}

typedef struct owned {
  int *freed;
  int saw_canceled, await_rc;
} owned_t;
static int owns_arg_fn(void *arg) {
  owned_t *o = arg;
  int *freed = o->freed;
  o->saw_canceled = cf_fiber_canceled();
  o->await_rc = cf_fiber_sleep(5);
  cf_free(o, sizeof *o); /* fn owns arg on every path */
  ++*freed;
  return 0;
}

static void abort_before_first_poll_runs_fn_canceled(void) {
  th_env_t env;
  cf_join_handle_t h;
  int freed = 0;
  owned_t *o;
  th_env_open(&env);
  o = cf_malloc(sizeof *o);
  memset(o, 0, sizeof *o);
  o->freed = &freed;
  CHECK_EQ(cf_fiber_spawn(env.rt, owns_arg_fn, o, NULL, &h), 0);
  CHECK_EQ(cf_task_abort(&h), 0);
  CHECK_EQ(freed, 1);
  CHECK_EQ(join_rc(&h), CF_ECANCELED);
  cf_future_drop(&h.base);
  /* dropping the handle unpolled does the same */
  o = cf_malloc(sizeof *o);
  memset(o, 0, sizeof *o);
  o->freed = &freed;
  CHECK_EQ(cf_fiber_spawn(env.rt, owns_arg_fn, o, NULL, &h), 0);
  cf_future_drop(&h.base);
  CHECK_EQ(freed, 2);
  run(&env);
  th_env_close(&env);
}

static int stubborn_fn(void *arg) {
  int *awaits = arg;
  for (;;) { /* ignores every CF_ECANCELED */
    cf_fiber_sleep(1);
    ++*awaits;
  }
  return 0;
}

static void ignoring_cancellation_is_bounded(void) {
  th_env_t env;
  cf_join_handle_t h;
  cf_fiber_options_t o = {"stubborn", 0, 0, 10};
  cf_fiber_stats_t before, after;
  int awaits = 0, i;
  th_env_open(&env);
  cf_fiber_stats(&before);
  CHECK_EQ(cf_fiber_spawn(env.rt, stubborn_fn, &awaits, &o, &h), 0);
  run(&env);
  for (i = 0; i < 4; i++)
    advance(&env, 1);
  CHECK_EQ(awaits, 4);
  fprintf(stderr, "(expected below: a report of fiber 'stubborn')\n");
  CHECK_EQ(cf_task_abort(&h), 0);
  /* 10 awaits were allowed after cancellation; the 11th abandoned it */
  CHECK_EQ(awaits, 4 + 10);
  cf_fiber_stats(&after);
  CHECK_EQ(after.abandoned, before.abandoned + 1);
  CHECK_EQ(after.live, 0);
  CHECK_EQ(join_rc(&h), CF_ECANCELED);
  cf_future_drop(&h.base);
  th_env_close(&env);
}

static int hold_forever_fn(void *arg) {
  int *cleaned = arg;
  char *mem = cf_malloc(64);
  cf_pending_t never;
  int rc;
  cf_pending_init(&never);
  rc = cf_await(&never.base);
  cf_future_drop(&never.base);
  if (rc == CF_ECANCELED)
    ++*cleaned;
  rc = cf_fiber_sleep(100000);
  cf_free(mem, 64);
  return rc;
}

static void runtime_free_unwinds_suspended_fibers(void) {
  cf_driver_t *drv;
  cf_runtime_t *rt;
  cf_runtime_options_t opts = {0};
  cf_join_handle_t h[3];
  int cleaned = 0, i;
  CHECK_EQ(cf_virtual_driver_new(&drv, 0), 0);
  opts.driver = drv;
  CHECK_EQ(cf_runtime_new(&rt, &opts), 0);
  for (i = 0; i < 10; i++)
    CHECK_EQ(cf_fiber_spawn(rt, hold_forever_fn, &cleaned, NULL,
                            i < 3 ? &h[i] : NULL),
             0);
  cf_runtime_run_until_stalled(rt);
  CHECK_EQ(live_fibers(), 10);
  cf_runtime_free(rt); /* handles h[] are released by the free */
  CHECK_EQ(cleaned, 10);
  CHECK_EQ(live_fibers(), 0);
  cf_virtual_driver_free(drv);
}

/* ---- misuse and failure ---- */

static void await_outside_a_fiber(void) {
  cf_sleep_t s;
  cf_future_t *one[1];
  int idx = 5;
  cf_sleep_init(&s, 10);
  CHECK_EQ(cf_await(&s.base), CF_ENOTFIBER);
  CHECK_EQ(s.base.state, CF_FUTURE_UNPOLLED); /* untouched */
  CHECK_EQ(cf_fiber_sleep(1), CF_ENOTFIBER);
  CHECK_EQ(cf_fiber_yield(), CF_ENOTFIBER);
  CHECK_EQ(cf_await_timeout(&s.base, 1), CF_ENOTFIBER);
  one[0] = &s.base;
  CHECK_EQ(cf_await_any(one, 1, &idx), CF_ENOTFIBER);
  CHECK_EQ(idx, -1);
  CHECK_EQ(cf_await_all(one, 1), CF_ENOTFIBER);
  CHECK_EQ(cf_in_fiber(), 0);
  CHECK_EQ(cf_fiber_canceled(), 0);
  CHECK(cf_fiber_name() == NULL);
  CHECK_STR(cf_err_name(CF_ENOTFIBER), "CF_ENOTFIBER");
  cf_future_drop(&s.base);
}

/* A poll function that cf_await runs cannot await: the fiber cannot
 * suspend in the middle of a poll (on wasm the poll's frames are not
 * instrumented). It gets CF_ENOTFIBER and the outer await goes on. */
typedef struct {
  cf_future_t base;
  int inner_rc;
  int polls;
} awaiting_poll_t;
static cf_poll_t awaiting_poll(cf_future_t *f, cf_context_t *cx) {
  awaiting_poll_t *self = (awaiting_poll_t *)f;
  cf_sleep_t s;
  (void)cx;
  cf_sleep_init(&s, 5);
  self->inner_rc = cf_await(&s.base);
  cf_future_drop(&s.base);
  self->polls++;
  f->rc = 7;
  return CF_READY;
}
static const cf_future_vtable_t awaiting_poll_vt = {"awaiting_poll",
                                                    awaiting_poll, NULL, 0};
static int await_in_poll_fn(void *arg) {
  awaiting_poll_t *p = arg;
  int rc;
  cf_future_init(&p->base, &awaiting_poll_vt);
  rc = cf_await(&p->base);
  cf_future_drop(&p->base);
  if (rc != 7)
    return CF_EINVAL;
  return cf_fiber_sleep(1); /* the fiber itself can still await */
}
static void await_inside_a_poll_is_refused(void) {
  th_env_t env;
  awaiting_poll_t p = {0};
  cf_join_handle_t h;
  th_env_open(&env);
  CHECK_EQ(cf_fiber_spawn(env.rt, await_in_poll_fn, &p, NULL, &h), 0);
  run(&env);
  CHECK_EQ(p.polls, 1);
  CHECK_EQ(p.inner_rc, CF_ENOTFIBER);
  advance(&env, 1);
  CHECK_EQ(join_rc(&h), 0);
  cf_future_drop(&h.base);
  th_env_close(&env);
}

static int never_runs_fn(void *arg) {
  ++*(int *)arg;
  return 0;
}

static void spawn_fails_cleanly(void) {
  th_env_t env;
  cf_join_handle_t h;
  int ran = 0, k, rc = CF_ENOMEM;
  th_env_open(&env);
  CHECK_EQ(cf_fiber_spawn(env.rt, NULL, NULL, NULL, &h), CF_EINVAL);
  CHECK_EQ(join_rc(&h), CF_EINVAL);
  cf_future_drop(&h.base);
  CHECK_EQ(cf_fiber_spawn(NULL, never_runs_fn, &ran, NULL, &h), CF_EINVAL);
  cf_future_drop(&h.base);
  /* fail each allocation in turn: control block, stack context, task
   * block, slot table; until spawn succeeds */
  for (k = 0; k < 10 && rc == CF_ENOMEM; k++) {
    size_t before = th_live_bytes();
    th_fail_after(k);
    rc = cf_fiber_spawn(env.rt, never_runs_fn, &ran, NULL, &h);
    th_fail_after(-1);
    if (rc == CF_ENOMEM) {
      CHECK_EQ(th_live_bytes(), before);
      CHECK_EQ(live_fibers(), 0);
      CHECK_EQ(ran, 0);
      cf_future_drop(&h.base);
    }
  }
  CHECK_EQ(rc, 0);
  CHECK(k >= 4);
  run(&env);
  CHECK_EQ(ran, 1);
  CHECK_EQ(join_rc(&h), 0);
  cf_future_drop(&h.base);
  th_env_close(&env);
}

static int named_fn(void *arg) {
  const char **seen = arg;
  *seen = cf_fiber_name();
  return cf_fiber_sleep(10);
}

static void inspector_shows_fiber(void) {
  th_env_t env;
  cf_join_handle_t h;
  cf_fiber_options_t o = {"worker", 0, 0, 0};
  cf_task_info_t info[2];
  const char *seen = NULL;
  th_env_open(&env);
  CHECK_EQ(cf_fiber_spawn(env.rt, named_fn, &seen, &o, &h), 0);
  run(&env);
  CHECK_STR(seen, "worker");
  CHECK_EQ(cf_runtime_tasks(env.rt, info, 2), 1);
  CHECK_STR(info[0].name, "worker");
  CHECK_EQ(info[0].state, CF_TASK_IDLE);
  CHECK(info[0].awaits != NULL);
  if (info[0].awaits)
    CHECK_STR(info[0].awaits, "sleep");
  advance(&env, 10);
  CHECK_EQ(cf_runtime_tasks(env.rt, info, 2), 1);
  CHECK_EQ(info[0].state, CF_TASK_FINISHED);
  CHECK(info[0].awaits == NULL);
  cf_future_drop(&h.base);
  th_env_close(&env);
}

/* ---- scale ---- */

static int many_fn(void *arg) {
  long *sum = arg;
  int i;
  for (i = 0; i < 3; i++)
    if (cf_fiber_sleep(1 + i) < 0)
      return CF_ECANCELED;
  ++*sum;
  return 0;
}

static void ten_thousand_concurrent_fibers(void) {
  th_env_t env;
  long n = th_scaled(10000), i, sum = 0;
  cf_fiber_stats_t st;
  th_env_open(&env);
  for (i = 0; i < n; i++)
    CHECK_EQ(cf_fiber_spawn(env.rt, many_fn, &sum, NULL, NULL), 0);
  run(&env);
  cf_fiber_stats(&st);
  CHECK_EQ(st.live, (size_t)n);
  fprintf(stderr, "%ld parked fibers reserve %zu bytes of stack (%zu each)\n",
          n, st.stack_bytes, st.stack_bytes / (size_t)n);
  advance(&env, 1);
  advance(&env, 2);
  CHECK_EQ(sum, 0);
  advance(&env, 3);
  CHECK_EQ(sum, n);
  CHECK_EQ(live_fibers(), 0);
  th_env_close(&env);
}

static int quick_fn(void *arg) {
  (void)arg;
  return cf_fiber_yield();
}

static void hundred_thousand_fibers_back_to_baseline(void) {
  th_env_t env;
  long n = th_scaled(100000), i;
  size_t base;
  th_env_open(&env);
  base = 0;
  for (i = 0; i < n; i += 100) {
    cf_join_handle_t h[100];
    int k;
    for (k = 0; k < 100; k++)
      CHECK_EQ(cf_fiber_spawn(env.rt, quick_fn, NULL, NULL, &h[k]), 0);
    run(&env);
    for (k = 0; k < 100; k++) {
      CHECK_EQ(join_rc(&h[k]), 0);
      cf_future_drop(&h[k].base);
    }
    if (i == 0) /* task slab and timer heap have grown: the baseline */
      base = th_live_bytes();
  }
  run(&env);
  /* at most: an idle runtime with no task left also releases its slab */
  CHECK(th_live_bytes() <= base);
  CHECK_EQ(live_fibers(), 0);
  th_env_close(&env);
}

static long recurse(int depth) {
  volatile char pad[64];
  long r;
  pad[0] = (char)depth;
  if (depth == 0) {
    if (cf_fiber_yield() < 0) /* suspend at the bottom of the stack */
      return -1000000;
    return pad[0];
  }
  r = recurse(depth - 1) + 1;
  return r + pad[0] - (char)depth;
}

static int deep_fn(void *arg) {
  long *out = arg;
  *out = recurse(2000);
  return 0;
}

static void deep_recursion(void) {
  th_env_t env;
  cf_join_handle_t h;
  cf_fiber_options_t o = {"deep", 1024 * 1024, 0, 0};
  long out = 0;
  th_env_open(&env);
  CHECK_EQ(cf_fiber_spawn(env.rt, deep_fn, &out, &o, &h), 0);
  run(&env);
  CHECK_EQ(join_rc(&h), 0);
  CHECK_EQ(out, 2000);
  cf_future_drop(&h.base);
  th_env_close(&env);
}

static volatile long stop_at = -1; /* never reached: recursion unbounded */
static long forever(long d) {
  volatile char pad[256];
  pad[0] = (char)d;
  if (d == stop_at)
    return 0;
  return forever(d + 1) + pad[0];
}
static int overflow_fn(void *arg) {
  (void)arg;
  return (int)forever(0);
}

static void stack_overflow_is_reported(void) {
  int fds[2], status = 0;
  pid_t pid;
  char buf[512];
  ssize_t n, total = 0;
  CHECK_EQ(pipe(fds), 0);
  fflush(NULL);
  pid = fork();
  if (pid == 0) {
    th_env_t env;
    cf_fiber_options_t o = {"bottomless", 16 * 1024, 0, 0};
    dup2(fds[1], 2);
    close(fds[0]);
    alarm(20);
    th_env_open(&env);
    cf_fiber_spawn(env.rt, overflow_fn, NULL, &o, NULL);
    run(&env);
    _exit(0); /* not reached */
  }
  close(fds[1]);
  while ((n = read(fds[0], buf + total, sizeof buf - 1 - (size_t)total)) > 0)
    total += n;
  buf[total] = 0;
  close(fds[0]);
  CHECK_EQ(waitpid(pid, &status, 0), pid);
  CHECK(WIFSIGNALED(status));
  CHECK(strstr(buf, "fiber 'bottomless' overflowed its 16384-byte stack") !=
        NULL);
  if (!strstr(buf, "bottomless"))
    fprintf(stderr, "child said: %s\n", buf);
}

TH_MAIN(TH_CASE(fiber_sleeps), TH_CASE(fiber_channels),
        TH_CASE(fiber_combinators), TH_CASE(stackless_awaits_fiber),
        TH_CASE(fiber_awaits_fiber), TH_CASE(select_over_embedded_fibers),
        TH_CASE(fiber_aborts_itself), TH_CASE(abort_at_each_await_point),
        TH_CASE(abort_before_first_poll_runs_fn_canceled),
        TH_CASE(ignoring_cancellation_is_bounded),
        TH_CASE(runtime_free_unwinds_suspended_fibers),
        TH_CASE(await_outside_a_fiber), TH_CASE(await_inside_a_poll_is_refused),
        TH_CASE(spawn_fails_cleanly), TH_CASE(inspector_shows_fiber),
        TH_CASE(ten_thousand_concurrent_fibers),
        TH_CASE(hundred_thousand_fibers_back_to_baseline),
        TH_CASE(deep_recursion), TH_CASE(stack_overflow_is_reported))
