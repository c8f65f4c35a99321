/* t_threads.c: exports of the threaded test module (threads.cmake,
 * cfuture_threads_test) for tests/node/threads.test.mjs and the W10 bench:
 *   par(jobs, iters, threads)  `jobs` CPU-bound jobs (an xorshift loop of
 *                              `iters` rounds each) on a pool of `threads`,
 *                              awaited together; JSON {ms, sum, threads}
 *   empties(n)                 n empty jobs one after another, each awaited;
 *                              JSON {us_per_job, to_start, to_ready,
 *                              spawn}: the mean spawn->fn and
 *                              fn->task-ready times, and the spawn call
 *   until_cancel()             a job that spins until cancelled; abort it
 *                              from JS (the call's abort drops the handle)
 *   pool_threads()             pool threads alive now
 *   live_bytes()               bytes live through the cfuture allocator
 *   in_flight()                blocking jobs spawned and not yet finalized
 * Test-only code. */
#include <emscripten.h>
#include <stdio.h>

#include "../t_support.h"

#define PAR_MAX 64

typedef struct par_job {
  uint64_t iters, seed, out;
} par_job_t;

static int spin_fn(void *arg, const cf_blocking_ctx_t *ctx) {
  par_job_t *j = arg;
  uint64_t x = j->seed | 1;
  (void)ctx;
  for (uint64_t i = 0; i < j->iters; i++) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
  }
  j->out = x;
  return 0;
}

typedef struct par {
  cf_future_t base;
  int n, threads, spawned, done;
  double t0, ms;
  uint64_t sum;
  int done_flags[PAR_MAX];
  cf_blocking_handle_t h[PAR_MAX];
  par_job_t jobs[PAR_MAX];
} par_t;

static cf_poll_t par_poll(cf_future_t *f, cf_context_t *cx) {
  par_t *p = (par_t *)f;
  if (!p->spawned) {
    cf_blocking_pool_options_t o = {(uint32_t)p->threads, 500};
    int err = cf_blocking_configure(cx->rt, &o);
    p->spawned = 1;
    if (err < 0) {
      f->rc = err;
      return CF_READY;
    }
    p->t0 = emscripten_get_now();
    for (int i = 0; i < p->n; i++) {
      err = cf_spawn_blocking(cx->rt, spin_fn, &p->jobs[i], NULL, &p->h[i]);
      if (err < 0) { /* the failed handle is ready with err */
        p->done_flags[i] = 0;
      }
    }
  }
  for (int i = 0; i < p->n; i++) {
    if (p->done_flags[i])
      continue;
    if (cf_future_poll(&p->h[i].base, cx) == CF_PENDING)
      continue;
    p->done_flags[i] = 1;
    p->done++;
    if (p->h[i].base.rc < 0)
      f->rc = p->h[i].base.rc;
    p->sum += p->jobs[i].out;
  }
  if (p->done < p->n)
    return CF_PENDING;
  p->ms = emscripten_get_now() - p->t0;
  return CF_READY;
}

static void par_drop(cf_future_t *f) {
  par_t *p = (par_t *)f;
  for (int i = 0; i < p->n && p->spawned; i++)
    cf_future_drop(&p->h[i].base);
}

static const cf_future_vtable_t par_vt = {"par", par_poll, par_drop, 0};

static int par_init(cf_future_t *f, const cf_args_t *a) {
  par_t *p = (par_t *)f;
  cf_future_init(f, &par_vt);
  p->n = (int)cf_args_number(a, 0);
  p->threads = (int)cf_args_number(a, 2);
  if (p->n < 1 || p->n > PAR_MAX || p->threads < 1)
    return CF_EINVAL;
  p->spawned = p->done = 0;
  p->sum = 0;
  for (int i = 0; i < p->n; i++) {
    p->jobs[i].iters = (uint64_t)cf_args_number(a, 1);
    p->jobs[i].seed = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
    p->jobs[i].out = 0;
    p->done_flags[i] = 0;
  }
  return 0;
}

static char par_json[160];
static void par_result(const cf_future_t *f, cf_value_t *out) {
  const par_t *p = (const par_t *)f;
  snprintf(par_json, sizeof par_json,
           "{\"ms\":%.3f,\"sum\":\"%llu\",\"threads\":%d}", p->ms,
           (unsigned long long)(p->sum & 0xffffffffffffull), p->threads);
  *out = cf_value_json(par_json);
}
CF_EXPORT_ASYNC(par_export, "par", par_t, par_init, par_result)

/* ---- empties: latency of an empty job, submit to completion ---- */

/* Where the time goes (emscripten_get_now is one clock on every thread in
 * Node): spawn -> fn entered (the worker's wake), fn -> the task ready
 * again (the main thread's wake and the turn), summed over the run. */
typedef struct empty_times {
  double spawned, started;
} empty_times_t;

static int empty_fn(void *arg, const cf_blocking_ctx_t *ctx) {
  (void)ctx;
  ((empty_times_t *)arg)->started = emscripten_get_now();
  return 0;
}

typedef struct empties {
  cf_future_t base;
  int n, i, active;
  double t0, us, to_start, to_ready, spawn;
  empty_times_t times;
  cf_blocking_handle_t h;
} empties_t;

static cf_poll_t empties_poll(cf_future_t *f, cf_context_t *cx) {
  empties_t *e = (empties_t *)f;
  for (;;) {
    if (!e->active) {
      if (e->i == 0)
        e->t0 = emscripten_get_now();
      if (e->i == e->n) {
        e->us = (emscripten_get_now() - e->t0) * 1000.0 / e->n;
        return CF_READY;
      }
      e->times.spawned = emscripten_get_now();
      if (cf_spawn_blocking(cx->rt, empty_fn, &e->times, NULL, &e->h) < 0) {
        f->rc = e->h.base.rc;
        return CF_READY;
      }
      e->spawn += emscripten_get_now() - e->times.spawned;
      e->active = 1;
    }
    if (cf_future_poll(&e->h.base, cx) == CF_PENDING)
      return CF_PENDING;
    e->to_start += e->times.started - e->times.spawned;
    e->to_ready += emscripten_get_now() - e->times.started;
    e->active = 0;
    e->i++;
  }
}

static void empties_drop(cf_future_t *f) {
  empties_t *e = (empties_t *)f;
  if (e->active)
    cf_future_drop(&e->h.base);
}

static const cf_future_vtable_t empties_vt = {"empties", empties_poll,
                                              empties_drop, 0};

static int empties_init(cf_future_t *f, const cf_args_t *a) {
  empties_t *e = (empties_t *)f;
  cf_future_init(f, &empties_vt);
  e->n = (int)cf_args_number(a, 0);
  e->i = e->active = 0;
  e->to_start = e->to_ready = e->spawn = 0;
  return e->n >= 1 ? 0 : CF_EINVAL;
}

static char empties_json[160];
static void empties_result(const cf_future_t *f, cf_value_t *out) {
  const empties_t *e = (const empties_t *)f;
  snprintf(empties_json, sizeof empties_json,
           "{\"us_per_job\":%.3f,\"to_start\":%.3f,\"to_ready\":%.3f,"
           "\"spawn\":%.3f}",
           e->us, e->to_start * 1000.0 / e->n, e->to_ready * 1000.0 / e->n,
           e->spawn * 1000.0 / e->n);
  *out = cf_value_json(empties_json);
}
CF_EXPORT_ASYNC(empties_export, "empties", empties_t, empties_init,
                empties_result)

/* ---- until_cancel: a running job that sees its cancellation ---- */

static volatile int cancel_seen;

static int until_cancel_fn(void *arg, const cf_blocking_ctx_t *ctx) {
  (void)arg;
  while (!cf_blocking_cancelled(ctx))
    ;
  cancel_seen = 1;
  return CF_ECANCELED;
}

typedef struct one_job {
  cf_future_t base;
  int spawned;
  cf_blocking_handle_t h;
} one_job_t;

static cf_poll_t one_job_poll(cf_future_t *f, cf_context_t *cx) {
  one_job_t *o = (one_job_t *)f;
  if (!o->spawned) {
    o->spawned = 1;
    cancel_seen = 0;
    if (cf_spawn_blocking(cx->rt, until_cancel_fn, NULL, NULL, &o->h) < 0) {
      f->rc = o->h.base.rc;
      return CF_READY;
    }
  }
  if (cf_future_poll(&o->h.base, cx) == CF_PENDING)
    return CF_PENDING;
  f->rc = o->h.base.rc;
  return CF_READY;
}

static void one_job_drop(cf_future_t *f) {
  one_job_t *o = (one_job_t *)f;
  if (o->spawned)
    cf_future_drop(&o->h.base);
}

static const cf_future_vtable_t one_job_vt = {"until_cancel", one_job_poll,
                                              one_job_drop, 0};

static int one_job_init(cf_future_t *f, const cf_args_t *a) {
  (void)a;
  cf_future_init(f, &one_job_vt);
  ((one_job_t *)f)->spawned = 0;
  return 0;
}
CF_EXPORT_ASYNC(until_cancel_export, "until_cancel", one_job_t, one_job_init,
                NULL)

/* ---- pool_threads / cancel_seen ---- */

typedef struct probe {
  cf_future_t base;
  int what;
  int value;
} probe_t;

static cf_poll_t probe_poll(cf_future_t *f, cf_context_t *cx) {
  probe_t *p = (probe_t *)f;
  cf_blocking_stats_t s;
  cf_blocking_stats(cx->rt, &s);
  p->value = p->what == 0   ? (int)s.threads
             : p->what == 1 ? cancel_seen
             : p->what == 2 ? (int)t_live_bytes()
                            : (int)s.in_flight;
  return CF_READY;
}
static const cf_future_vtable_t probe_vt = {"probe", probe_poll, NULL, 0};
static void probe_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_number(((const probe_t *)f)->value);
}
static int threads_init(cf_future_t *f, const cf_args_t *a) {
  (void)a;
  cf_future_init(f, &probe_vt);
  ((probe_t *)f)->what = 0;
  return 0;
}
static int seen_init(cf_future_t *f, const cf_args_t *a) {
  (void)a;
  cf_future_init(f, &probe_vt);
  ((probe_t *)f)->what = 1;
  return 0;
}
static int live_init(cf_future_t *f, const cf_args_t *a) {
  (void)a;
  cf_future_init(f, &probe_vt);
  ((probe_t *)f)->what = 2;
  return 0;
}
static int in_flight_init(cf_future_t *f, const cf_args_t *a) {
  (void)a;
  cf_future_init(f, &probe_vt);
  ((probe_t *)f)->what = 3;
  return 0;
}
CF_EXPORT_ASYNC(live_bytes_export, "live_bytes", probe_t, live_init,
                probe_result)
CF_EXPORT_ASYNC(in_flight_export, "in_flight", probe_t, in_flight_init,
                probe_result)
CF_EXPORT_ASYNC(pool_threads_export, "pool_threads", probe_t, threads_init,
                probe_result)
CF_EXPORT_ASYNC(cancel_seen_export, "cancel_seen", probe_t, seen_init,
                probe_result)
