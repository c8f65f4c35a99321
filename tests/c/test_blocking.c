/* test_blocking.c: the blocking pool (cfuture/blocking.h) and the
 * cross-thread wake. Results delivered exactly once (1e4 jobs on 2
 * threads, every fn and drop_arg called once); abort before start (removed,
 * fn never runs, CF_ECANCELED), during the run (fn sees cancelled), after
 * completion (no effect); dropping a handle detaches a running job; runtime
 * free with jobs queued, running and finished-but-undrained (tasks aborted,
 * threads joined, every drop_arg once, no bytes left); idle threads exit
 * and the pool restarts lazily; drivers without notify get CF_ENOTSUP;
 * the real POSIX driver parks until a worker notifies it. Runs under
 * ThreadSanitizer, ASan and valgrind (scripts/test-native.sh). Every wait
 * on another thread is bounded (TH_WAIT_UNTIL: 10 s of real time). */
#define _POSIX_C_SOURCE 200809L
#include <stdatomic.h>
#include <stdlib.h>

#include "harness.h"

/* ---- jobs ---- */

typedef struct job_arg {
  atomic_int calls;   /* fn calls */
  atomic_int drops;   /* drop_arg calls */
  atomic_int started; /* fn entered */
  atomic_int release; /* gate: fn waits for it when `gated` */
  int gated;          /* wait for release (or cancellation) */
  int until_cancel;   /* loop until cancelled, return CF_ECANCELED */
  int saw_cancel;
  int value, out;
} job_arg_t;

static void arg_init(job_arg_t *a, int value) {
  atomic_init(&a->calls, 0);
  atomic_init(&a->drops, 0);
  atomic_init(&a->started, 0);
  atomic_init(&a->release, 0);
  a->gated = a->until_cancel = a->saw_cancel = 0;
  a->value = value;
  a->out = 0;
}

static int job_fn(void *p, const cf_blocking_ctx_t *ctx) {
  job_arg_t *a = p;
  atomic_fetch_add(&a->calls, 1);
  atomic_store(&a->started, 1);
  if (a->gated)
    while (!atomic_load(&a->release) && !cf_blocking_cancelled(ctx))
      th_sleep_ms(1);
  if (a->until_cancel) {
    for (int i = 0; i < 10000 && !cf_blocking_cancelled(ctx); i++)
      th_sleep_ms(1);
    a->saw_cancel = cf_blocking_cancelled(ctx);
    return CF_ECANCELED;
  }
  a->out = a->value * 2;
  return a->value;
}

static void arg_drop(void *p) {
  atomic_fetch_add(&((job_arg_t *)p)->drops, 1);
}

static const cf_blocking_options_t with_drop = {arg_drop};

static void pool_size(th_env_t *env, uint32_t n, int64_t keep_alive) {
  cf_blocking_pool_options_t o = {n, keep_alive};
  CHECK_EQ(cf_blocking_configure(env->rt, &o), 0);
}

static cf_blocking_stats_t stats(th_env_t *env) {
  cf_blocking_stats_t s;
  cf_blocking_stats(env->rt, &s);
  return s;
}

/* ---- cases ---- */

static void one_job_result(void) {
  th_env_t env;
  cf_blocking_handle_t h;
  job_arg_t a;
  th_env_open(&env);
  arg_init(&a, 21);
  CHECK_EQ(cf_spawn_blocking(env.rt, job_fn, &a, &with_drop, &h), 0);
  CHECK_EQ(cf_block_on(env.rt, &h.base), 21);
  CHECK_EQ(a.out, 42);
  CHECK_EQ(atomic_load(&a.calls), 1);
  CHECK_EQ(atomic_load(&a.drops), 1);
  CHECK_EQ(stats(&env).in_flight, 0);
  CHECK_EQ(stats(&env).completed, 1);
  cf_future_drop(&h.base); /* after ready: no-op */
  CHECK_EQ(atomic_load(&a.drops), 1);
  th_env_close(&env);
}

static void invalid_arguments(void) {
  th_env_t env;
  cf_blocking_handle_t h;
  cf_blocking_pool_options_t big = {100000, 0};
  th_env_open(&env);
  CHECK_EQ(cf_spawn_blocking(env.rt, NULL, NULL, NULL, &h), CF_EINVAL);
  CHECK_EQ(cf_block_on(env.rt, &h.base), CF_EINVAL);
  cf_future_drop(&h.base);
  CHECK_EQ(cf_spawn_blocking(env.rt, job_fn, NULL, NULL, NULL), CF_EINVAL);
  CHECK_EQ(cf_blocking_configure(env.rt, &big), CF_EINVAL);
  CHECK_EQ(cf_blocking_abort(NULL), CF_EINVAL);
  CHECK(cf_blocking_available_cores() >= 1);
  th_env_close(&env);
}

/* A driver whose vtable lacks notify (written before it existed). */
static void driver_without_notify(void) {
  cf_driver_t *base, copy;
  cf_driver_vtable_t vt;
  cf_runtime_t *rt;
  cf_runtime_options_t o = {0};
  cf_blocking_handle_t h;
  job_arg_t a;
  CHECK_EQ(cf_virtual_driver_new(&base, 0), 0);
  vt = *base->vt;
  vt.notify = NULL;
  copy.vt = &vt;
  copy.self = base->self;
  o.driver = &copy;
  CHECK_EQ(cf_runtime_new(&rt, &o), 0);
  arg_init(&a, 1);
  CHECK_EQ(cf_spawn_blocking(rt, job_fn, &a, &with_drop, &h), CF_ENOTSUP);
  CHECK_EQ(atomic_load(&a.drops), 0); /* arg stays the caller's */
  cf_future_drop(&h.base);
  cf_runtime_free(rt);
  cf_virtual_driver_free(base);
}

static void abort_before_start(void) {
  th_env_t env;
  cf_blocking_handle_t h1, h2;
  job_arg_t a1, a2;
  th_env_open(&env);
  pool_size(&env, 1, 0);
  arg_init(&a1, 1);
  a1.gated = 1;
  arg_init(&a2, 2);
  CHECK_EQ(cf_spawn_blocking(env.rt, job_fn, &a1, &with_drop, &h1), 0);
  TH_WAIT_UNTIL(atomic_load(&a1.started));
  CHECK_EQ(cf_spawn_blocking(env.rt, job_fn, &a2, &with_drop, &h2), 0);
  CHECK_EQ(stats(&env).queued, 1);
  CHECK_EQ(cf_blocking_abort(&h2), 1);
  CHECK_EQ(atomic_load(&a2.drops), 1); /* at once, as documented */
  CHECK_EQ(stats(&env).queued, 0);
  CHECK_EQ(cf_blocking_abort(&h2), 0); /* finished: no effect */
  CHECK_EQ(cf_block_on(env.rt, &h2.base), CF_ECANCELED);
  atomic_store(&a1.release, 1);
  CHECK_EQ(cf_block_on(env.rt, &h1.base), 1);
  CHECK_EQ(atomic_load(&a2.calls), 0); /* never ran */
  CHECK_EQ(atomic_load(&a2.drops), 1);
  CHECK_EQ(atomic_load(&a1.drops), 1);
  CHECK_EQ(stats(&env).removed, 1);
  th_env_close(&env);
}

static void drop_before_start(void) {
  th_env_t env;
  cf_blocking_handle_t h1, h2;
  job_arg_t a1, a2;
  th_env_open(&env);
  pool_size(&env, 1, 0);
  arg_init(&a1, 1);
  a1.gated = 1;
  arg_init(&a2, 2);
  CHECK_EQ(cf_spawn_blocking(env.rt, job_fn, &a1, &with_drop, &h1), 0);
  TH_WAIT_UNTIL(atomic_load(&a1.started));
  CHECK_EQ(cf_spawn_blocking(env.rt, job_fn, &a2, &with_drop, &h2), 0);
  cf_future_drop(&h2.base);
  CHECK_EQ(atomic_load(&a2.drops), 1);
  atomic_store(&a1.release, 1);
  CHECK_EQ(cf_block_on(env.rt, &h1.base), 1);
  CHECK_EQ(atomic_load(&a2.calls), 0);
  CHECK_EQ(stats(&env).in_flight, 0);
  th_env_close(&env);
}

static void abort_during_run(void) {
  th_env_t env;
  cf_blocking_handle_t h;
  job_arg_t a;
  th_env_open(&env);
  arg_init(&a, 5);
  a.until_cancel = 1;
  CHECK_EQ(cf_spawn_blocking(env.rt, job_fn, &a, &with_drop, &h), 0);
  TH_WAIT_UNTIL(atomic_load(&a.started));
  CHECK_EQ(cf_blocking_abort(&h), 0);
  CHECK_EQ(cf_block_on(env.rt, &h.base), CF_ECANCELED);
  CHECK_EQ(a.saw_cancel, 1);
  CHECK_EQ(atomic_load(&a.calls), 1);
  CHECK_EQ(atomic_load(&a.drops), 1);
  th_env_close(&env);
}

static void abort_after_completion(void) {
  th_env_t env;
  cf_blocking_handle_t h;
  job_arg_t a;
  th_env_open(&env);
  arg_init(&a, 9);
  CHECK_EQ(cf_spawn_blocking(env.rt, job_fn, &a, &with_drop, &h), 0);
  /* finished on its thread, not yet drained by the runtime */
  TH_WAIT_UNTIL(stats(&env).running == 0 && stats(&env).queued == 0 &&
                atomic_load(&a.calls) == 1);
  CHECK_EQ(cf_blocking_abort(&h), 0);
  CHECK_EQ(cf_block_on(env.rt, &h.base), 9);  /* the outcome stands */
  CHECK_EQ(cf_blocking_abort(&h), CF_EINVAL); /* result taken */
  CHECK_EQ(atomic_load(&a.drops), 1);
  th_env_close(&env);
}

/* A dropped handle detaches a running job: it sees cancelled, its result is
 * discarded and drop_arg runs once when the runtime drains it. */
static void drop_while_running(void) {
  th_env_t env;
  cf_blocking_handle_t h;
  job_arg_t a;
  cf_sleep_t nap;
  th_env_open(&env);
  arg_init(&a, 3);
  a.until_cancel = 1;
  CHECK_EQ(cf_spawn_blocking(env.rt, job_fn, &a, &with_drop, &h), 0);
  TH_WAIT_UNTIL(atomic_load(&a.started));
  cf_future_drop(&h.base);
  CHECK_EQ(atomic_load(&a.drops), 0); /* still running */
  CHECK_EQ(stats(&env).in_flight, 1);
  TH_WAIT_UNTIL(stats(&env).running == 0);
  CHECK_EQ(a.saw_cancel, 1);
  cf_sleep_init(&nap, 1); /* a turn drains the inbox */
  CHECK_EQ(cf_block_on(env.rt, &nap.base), 0);
  cf_future_drop(&nap.base);
  CHECK_EQ(atomic_load(&a.drops), 1);
  CHECK_EQ(stats(&env).in_flight, 0);
  th_env_close(&env);
}

/* Awaits all handles in an array; counts completions per index. */
typedef struct all_env {
  cf_blocking_handle_t *h;
  int *got;
  int n, done;
} all_env_t;

static cf_poll_t all_poll(void *p, cf_context_t *cx, int *rc) {
  all_env_t *e = p;
  for (int i = 0; i < e->n; i++) {
    if (e->got[i] != INT32_MIN)
      continue;
    if (cf_future_poll(&e->h[i].base, cx) == CF_READY) {
      e->got[i] = e->h[i].base.rc;
      e->done++;
    }
  }
  *rc = 0;
  return e->done == e->n ? CF_READY : CF_PENDING;
}

static void many_jobs_delivered_once(void) {
  th_env_t env;
  int n = (int)th_scaled(10000);
  cf_blocking_handle_t *h = malloc(sizeof *h * (size_t)n);
  job_arg_t *a = malloc(sizeof *a * (size_t)n);
  int *got = malloc(sizeof *got * (size_t)n);
  all_env_t e = {h, got, n, 0};
  cf_poll_fn_t all;
  cf_blocking_stats_t s;
  th_env_open(&env);
  pool_size(&env, 2, 0);
  for (int i = 0; i < n; i++) {
    arg_init(&a[i], i);
    got[i] = INT32_MIN;
    CHECK_EQ(cf_spawn_blocking(env.rt, job_fn, &a[i], &with_drop, &h[i]), 0);
  }
  cf_poll_fn_init(&all, all_poll, &e, NULL);
  CHECK_EQ(cf_block_on(env.rt, &all.base), 0);
  cf_future_drop(&all.base);
  for (int i = 0; i < n; i++) {
    if (got[i] != i || atomic_load(&a[i].calls) != 1 ||
        atomic_load(&a[i].drops) != 1 || a[i].out != 2 * i) {
      CHECK_EQ(got[i], i);
      CHECK_EQ(atomic_load(&a[i].calls), 1);
      CHECK_EQ(atomic_load(&a[i].drops), 1);
      break;
    }
  }
  s = stats(&env);
  CHECK_EQ(s.spawned, (uint64_t)n);
  CHECK_EQ(s.completed, (uint64_t)n);
  CHECK_EQ(s.in_flight, 0);
  CHECK(s.threads_started >= 1 && s.threads_started <= 2);
  th_env_close(&env);
  free(h);
  free(a);
  free(got);
}

/* A task that starts a blocking job on its first poll and awaits it. */
typedef struct awaiter {
  cf_future_t base;
  cf_blocking_handle_t h;
  job_arg_t *arg;
  int spawned;
} awaiter_t;

static cf_poll_t awaiter_poll(cf_future_t *f, cf_context_t *cx) {
  awaiter_t *w = (awaiter_t *)f;
  if (!w->spawned) {
    w->spawned = 1;
    if (cf_spawn_blocking(cx->rt, job_fn, w->arg, &with_drop, &w->h) < 0) {
      f->rc = w->h.base.rc;
      return CF_READY;
    }
  }
  if (cf_future_poll(&w->h.base, cx) == CF_PENDING)
    return CF_PENDING;
  f->rc = w->h.base.rc;
  return CF_READY;
}

static void awaiter_drop(cf_future_t *f) {
  awaiter_t *w = (awaiter_t *)f;
  if (w->spawned)
    cf_future_drop(&w->h.base);
}

static const cf_future_vtable_t awaiter_vt = {"awaiter", awaiter_poll,
                                              awaiter_drop, 0};

static void awaiter_init(awaiter_t *w, job_arg_t *a) {
  cf_future_init(&w->base, &awaiter_vt);
  w->arg = a;
  w->spawned = 0;
}

/* Tasks awaiting jobs from the runtime's thread (spawned as tasks, driven
 * by block_on on a join handle). */
static void tasks_await_jobs(void) {
  th_env_t env;
  awaiter_t w[8];
  job_arg_t a[8];
  cf_join_handle_t jh[8];
  th_env_open(&env);
  pool_size(&env, 2, 0);
  for (int i = 0; i < 8; i++) {
    arg_init(&a[i], 100 + i);
    awaiter_init(&w[i], &a[i]);
    CHECK_EQ(CF_SPAWN(env.rt, &w[i], "awaiter", &jh[i]), 0);
  }
  for (int i = 0; i < 8; i++) {
    CHECK_EQ(cf_block_on(env.rt, &jh[i].base), 100 + i);
    cf_future_drop(&jh[i].base);
    CHECK_EQ(atomic_load(&a[i].drops), 1);
  }
  th_env_close(&env);
}

/* cf_runtime_free with jobs queued, running (until cancelled) and finished
 * but not drained, held by tasks and by a handle outside any task. */
static void shutdown_with_jobs_in_flight(void) {
  cf_driver_t *drv;
  cf_runtime_t *rt;
  cf_runtime_options_t o = {0};
  cf_blocking_pool_options_t po = {2, 0};
  awaiter_t w[6];
  job_arg_t a[6], quick;
  cf_blocking_handle_t outside;
  CHECK_EQ(cf_virtual_driver_new(&drv, 0), 0);
  o.driver = drv;
  CHECK_EQ(cf_runtime_new(&rt, &o), 0);
  CHECK_EQ(cf_blocking_configure(rt, &po), 0);
  for (int i = 0; i < 6; i++) {
    arg_init(&a[i], i);
    a[i].until_cancel = 1; /* two run, four wait in the queue */
    awaiter_init(&w[i], &a[i]);
    CHECK_EQ(CF_SPAWN(rt, &w[i], "awaiter", NULL), 0);
  }
  CHECK(cf_runtime_run_until_stalled(rt) >= 6);
  TH_WAIT_UNTIL(atomic_load(&a[0].started) && atomic_load(&a[1].started));
  arg_init(&quick, 7);
  CHECK_EQ(cf_spawn_blocking(rt, job_fn, &quick, &with_drop, &outside), 0);
  cf_runtime_free(rt); /* aborts tasks, cancels, joins */
  for (int i = 0; i < 6; i++) {
    CHECK_EQ(atomic_load(&a[i].drops), 1);
    CHECK(atomic_load(&a[i].calls) <= 1);
  }
  CHECK_EQ(a[0].saw_cancel, 1);
  CHECK_EQ(atomic_load(&quick.drops), 1);
  CHECK(outside.job == NULL); /* finalized by the free */
  CHECK(outside.base.rc == CF_ECANCELED || outside.base.rc == CF_ESHUTDOWN ||
        outside.base.rc == 7);
  cf_future_drop(&outside.base); /* no-op now */
  cf_virtual_driver_free(drv);
}

/* Idle threads exit after keep_alive_ms and are joined; the pool restarts
 * at the next spawn. */
static void idle_threads_exit_and_restart(void) {
  th_env_t env;
  cf_blocking_handle_t h;
  job_arg_t a;
  th_env_open(&env);
  pool_size(&env, 2, 5);
  for (int round = 0; round < 2; round++) {
    arg_init(&a, round);
    CHECK_EQ(cf_spawn_blocking(env.rt, job_fn, &a, NULL, &h), 0);
    CHECK_EQ(cf_block_on(env.rt, &h.base), round);
    cf_future_drop(&h.base);
    TH_WAIT_UNTIL(stats(&env).threads == 0);
    CHECK_EQ(cf_runtime_turn(env.rt), 0); /* drains: joins the thread */
    CHECK_EQ(stats(&env).threads_started, (uint64_t)round + 1);
  }
  th_env_close(&env);
}

/* The real POSIX driver: block_on parks with no deadline until a worker
 * notifies it. */
static void posix_driver_wakes_on_notify(void) {
  cf_runtime_t *rt;
  cf_blocking_handle_t h;
  job_arg_t a;
  CHECK_EQ(cf_runtime_new(&rt, NULL), 0);
  arg_init(&a, 11);
  a.gated = 1;
  CHECK_EQ(cf_spawn_blocking(rt, job_fn, &a, &with_drop, &h), 0);
  TH_WAIT_UNTIL(atomic_load(&a.started));
  atomic_store(&a.release, 1);
  CHECK_EQ(cf_block_on(rt, &h.base), 11);
  CHECK_EQ(atomic_load(&a.drops), 1);
  cf_runtime_free(rt);
}

/* The pool spreads work: two gated jobs run at once on a 2-thread pool. */
static void two_threads_run_together(void) {
  th_env_t env;
  cf_blocking_handle_t h1, h2;
  job_arg_t a1, a2;
  th_env_open(&env);
  pool_size(&env, 2, 0);
  arg_init(&a1, 1);
  arg_init(&a2, 2);
  a1.gated = a2.gated = 1;
  CHECK_EQ(cf_spawn_blocking(env.rt, job_fn, &a1, NULL, &h1), 0);
  CHECK_EQ(cf_spawn_blocking(env.rt, job_fn, &a2, NULL, &h2), 0);
  TH_WAIT_UNTIL(atomic_load(&a1.started) && atomic_load(&a2.started));
  CHECK_EQ(stats(&env).running, 2);
  atomic_store(&a1.release, 1);
  atomic_store(&a2.release, 1);
  CHECK_EQ(cf_block_on(env.rt, &h2.base), 2);
  CHECK_EQ(cf_block_on(env.rt, &h1.base), 1);
  th_env_close(&env);
}

TH_MAIN(TH_CASE(one_job_result), TH_CASE(invalid_arguments),
        TH_CASE(driver_without_notify), TH_CASE(abort_before_start),
        TH_CASE(drop_before_start), TH_CASE(abort_during_run),
        TH_CASE(abort_after_completion), TH_CASE(drop_while_running),
        TH_CASE(many_jobs_delivered_once), TH_CASE(tasks_await_jobs),
        TH_CASE(shutdown_with_jobs_in_flight),
        TH_CASE(idle_threads_exit_and_restart),
        TH_CASE(posix_driver_wakes_on_notify),
        TH_CASE(two_threads_run_together))
