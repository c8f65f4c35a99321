/* cfuture/blocking.h: blocking C work on a pool of threads, awaited as a
 * future (tokio's spawn_blocking).
 *
 * The executor stays single-threaded. cf_spawn_blocking queues an ordinary
 * C function for the runtime's blocking pool (native: POSIX threads; wasm:
 * Emscripten pthreads = Web Workers sharing the module's memory) and fills
 * in a join handle, itself a future that any task on the runtime's thread
 * awaits. When the function returns, the worker pushes the job into the
 * runtime's thread-safe inbox and pokes the driver (cf_driver_vtable_t
 * notify): a parked cf_block_on wakes up, the JS event loop runs a turn.
 * The turn drains the inbox and wakes the awaiting task. Wakers themselves
 * are never touched off the runtime's thread.
 *
 * Availability: native builds, and wasm builds made with -pthread (the
 * "threads" flavour). Elsewhere cf_spawn_blocking returns CF_ENOTSUP.
 * Drivers without notify (a user driver written before it existed) also
 * get CF_ENOTSUP.
 *
 * Costs: a spawn is one allocation and one mutex round trip (plus a thread
 * creation when no thread is idle and the pool is below its size); a
 * completion is one mutex round trip on the worker and one driver poke per
 * batch of completions. Single-threaded code pays one predictable branch
 * per turn (no pool: nothing else).
 *
 * Threads: the pool starts lazily at the first spawn; a thread that finds
 * no work for keep_alive_ms exits, so an idle runtime holds no thread (and
 * a Node process exits by itself). While jobs are in flight the runtime
 * holds the host alive (cf_runtime_hold).
 */
#ifndef CFUTURE_BLOCKING_H
#define CFUTURE_BLOCKING_H

#include <stdint.h>

#include "future.h"
#include "thread_channel.h" /* values and wake-ups from pool threads */

#ifdef __cplusplus
extern "C" {
#endif

/* What a running job can ask about itself; valid only inside its fn. */
typedef struct cf_blocking_ctx cf_blocking_ctx_t;

/* A blocking job. Runs on a pool thread: it must not touch the runtime,
 * futures or wakers (use a cross-thread primitive for that). Its return
 * value becomes the handle's rc: 0 or a negative CF_E* code by
 * convention (CF_ECANCELED after seeing cf_blocking_cancelled). */
typedef int (*cf_blocking_fn)(void *arg, const cf_blocking_ctx_t *ctx);

/* 1 once the job was aborted (cf_blocking_abort, its handle dropped) or its
 * runtime is being freed: a long job should check this now and then and
 * return early. Thread-safe, an atomic load. */
int cf_blocking_cancelled(const cf_blocking_ctx_t *ctx);

typedef struct cf_blocking_options {
  /* Called exactly once with `arg`, on the runtime's thread, when the job
   * is finished with it: after fn returned and its result was delivered
   * (or the handle was dropped), or when the job was removed before it
   * started. NULL: arg stays the caller's, and must stay valid until the
   * handle completes or the runtime is freed. */
  void (*drop_arg)(void *arg);
} cf_blocking_options_t;

typedef struct cf_blocking_job cf_blocking_job_t;

/* The join handle: a future (caller-allocated; it may move until its first
 * poll, like any future, e.g. as part of a future spawned as a task). Ready
 * with rc = fn's return value, or CF_ECANCELED when the job was removed
 * before it started, or CF_ESHUTDOWN when the runtime was freed before the
 * result was awaited. Await it only on the runtime's thread. Drop it with
 * cf_future_drop: a queued job is removed (fn never runs), a running one
 * sees cf_blocking_cancelled and its result is discarded. Handles held in
 * tasks are dropped when cf_runtime_free aborts the tasks; drop any other
 * handle before freeing the runtime (as with join handles). */
typedef struct cf_blocking_handle {
  cf_future_t base;
  cf_blocking_job_t *job; /* NULL once the result was taken */
} cf_blocking_handle_t;

/* Queue fn(arg) on rt's blocking pool and initialise *handle for it. Call
 * on the runtime's thread. Returns 0; CF_EINVAL (NULL fn or handle);
 * CF_ENOMEM; CF_EAGAIN (no thread could be started and none runs);
 * CF_ESHUTDOWN (the runtime is being freed); CF_ENOTSUP (no threads in
 * this build, or a driver without notify). On error *handle is a ready
 * future holding the error (dropping it is a no-op) and drop_arg has not
 * been called: arg is still the caller's. */
int cf_spawn_blocking(cf_runtime_t *rt, cf_blocking_fn fn, void *arg,
                      const cf_blocking_options_t *opts,
                      cf_blocking_handle_t *handle);

/* Ask the job to stop. Returns 1 if it had not started: it is removed, fn
 * never runs, drop_arg runs now and the handle completes with
 * CF_ECANCELED (its waker is woken). Returns 0 if it is running (its ctx
 * reports cancelled; the handle completes with fn's return value) or has
 * already finished (no effect). CF_EINVAL for a handle without a job. */
int cf_blocking_abort(cf_blocking_handle_t *handle);

typedef struct cf_blocking_pool_options {
  uint32_t max_threads;  /* 0: available cores - 1, at least 1; max 256 */
  int64_t keep_alive_ms; /* idle thread exits after this; 0: default
                            (2000); < 0: as soon as the queue is empty */
} cf_blocking_pool_options_t;

/* Size the pool (before or between spawns; running threads above a lowered
 * size exit when they next go idle). Returns 0, CF_EINVAL, CF_ENOMEM,
 * CF_ESHUTDOWN or CF_ENOTSUP. */
int cf_blocking_configure(cf_runtime_t *rt,
                          const cf_blocking_pool_options_t *opts);

typedef struct cf_blocking_stats {
  uint32_t max_threads;                 /* configured size (resolved default) */
  uint32_t threads;                     /* pool threads alive now */
  uint32_t idle;                        /* of which waiting for work */
  uint32_t queued;                      /* jobs waiting for a thread */
  uint32_t running;                     /* jobs in fn now */
  uint32_t in_flight;                   /* jobs spawned and not yet finalized */
  uint64_t spawned, completed, removed; /* totals */
  uint64_t threads_started;
} cf_blocking_stats_t;
/* Snapshot (all zero before the first spawn or configure). */
void cf_blocking_stats(cf_runtime_t *rt, cf_blocking_stats_t *out);

/* Available cores as the platform reports them (>= 1). */
uint32_t cf_blocking_available_cores(void);

#ifdef __cplusplus
}
#endif
#endif
