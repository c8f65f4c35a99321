/* cfuture/driver.h: the driver contract, the only seam to the platform.
 *
 * The core never blocks a thread and never reads a clock itself: it asks
 * its driver. A driver is bound to one runtime (attach) and calls back into
 * it: cf_runtime_turn when a run it was asked for comes due (and when its
 * host timer fires). Three implementations exist: the JavaScript event loop
 * (wasm builds), native POSIX, and a virtual clock for deterministic tests.
 *
 * Time is milliseconds as int64_t on the driver's monotonic clock (a
 * driver whose clock has sub-ms resolution may also offer it in quarter-ms
 * ticks, now_ticks, and then arms its timer in ticks).
 */
#ifndef CFUTURE_DRIVER_H
#define CFUTURE_DRIVER_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct cf_runtime;

/* A deadline that never comes: arm_timer(CF_TIME_NEVER) disarms. */
#define CF_TIME_NEVER INT64_MAX

typedef enum cf_run_kind {
  CF_RUN_MICROTASK = 0, /* run soon, before the host does other work */
  CF_RUN_MACROTASK = 1  /* run after pending host events (I/O, rendering) */
} cf_run_kind_t;

typedef struct cf_driver_vtable {
  /* The runtime binds itself (NULL when it is freed). */
  void (*attach)(void *self, struct cf_runtime *rt);
  /* Current time, ms, monotonic. */
  int64_t (*now)(void *self);
  /* Keep exactly one host timer, due at `deadline` (absolute ms, or ticks
   * with now_ticks); replaces the previous one. CF_TIME_NEVER cancels it.
   * The driver calls cf_runtime_turn when it fires, never before the
   * deadline. */
  void (*arm_timer)(void *self, int64_t deadline);
  /* Call cf_runtime_turn soon: as a microtask or a macrotask. */
  void (*request_run)(void *self, cf_run_kind_t kind);
  /* 1: the runtime has work the host must stay alive for (runnable tasks,
   * host operations); 0: it may exit. Called on transitions only. */
  void (*keepalive)(void *self, int alive);
  /* Block the thread until `deadline` (CF_TIME_NEVER: until woken by the
   * host; return CF_EDEADLK if nothing can). NULL on platforms that cannot
   * block (the JS event loop). Returns 0 or a CF_E* code. */
  int (*park)(void *self, int64_t deadline);
  /* Optional: the clock rounded up to the next whole ms. Real clocks have
   * sub-ms time that `now` truncates; a relative timer started at a
   * truncated time could fire up to 1 ms before start + duration in real
   * time, so relative deadlines start from this instead. NULL: `now` is
   * exact (virtual clocks), and deadlines start from it. */
  int64_t (*now_ceil)(void *self);
  /* Optional, and the one entry callable from any thread: work finished
   * on another thread (cfuture/blocking.h) and the runtime should run a
   * turn. A park in progress returns (0) early, or the next park returns
   * at once; an event-loop driver calls cf_runtime_turn soon on the
   * runtime's thread. Coalescing several notifies into one turn is fine.
   * NULL: the driver cannot be woken across threads (blocking jobs are
   * then refused with CF_ENOTSUP). */
  void (*notify)(void *self);
  /* Optional: the same clock in ticks (CF_TICKS_PER_MS per ms, time.h),
   * rounded down, or up when `up` (now() is the rounded-down value / 4).
   * A driver whose clock has sub-ms resolution offers it to get finer
   * timers: deadlines to a tick, so they fire up to 1 ms closer to
   * start + duration (still never before), and arm_timer's deadline then
   * counts ticks too (CF_TIME_NEVER still disarms; park's stays in ms).
   * NULL: whole ms (now, now_ceil). */
  int64_t (*now_ticks)(void *self, int up);
} cf_driver_vtable_t;

typedef struct cf_driver {
  const cf_driver_vtable_t *vt;
  void *self;
} cf_driver_t;

/* Native POSIX driver: CLOCK_MONOTONIC, parks on a condition variable
 * (absolute deadline on the monotonic clock) that notify signals. Each
 * runtime needs its own; free it after the runtime. */
int cf_posix_driver_new(cf_driver_t **out);
void cf_posix_driver_free(cf_driver_t *d);

/* Virtual-clock driver (tokio's time::pause): time stands still at `start`
 * until advanced; when the runtime parks (idle, waiting on a timer) the
 * clock jumps to the deadline at once. In builds with threads it supports
 * notify: a park with a notify pending returns at once without moving the
 * clock, and a park with no deadline (CF_TIME_NEVER) waits in real time
 * for a notify (without threads it returns CF_EDEADLK). */
int cf_virtual_driver_new(cf_driver_t **out, int64_t start);
void cf_virtual_driver_free(cf_driver_t *d);
/* Move the clock forward by `ms` (>= 0) without running anything. */
void cf_virtual_driver_advance(cf_driver_t *d, int64_t ms);
int64_t cf_virtual_driver_now(const cf_driver_t *d);
/* Counters for tests: runs requested by kind, timer arms. */
typedef struct cf_virtual_driver_stats {
  uint64_t microtasks, macrotasks, arms, parks;
  int64_t armed_deadline; /* CF_TIME_NEVER when disarmed */
  int alive;              /* last keepalive value */
} cf_virtual_driver_stats_t;
void cf_virtual_driver_stats(const cf_driver_t *d,
                             cf_virtual_driver_stats_t *out);

#ifdef __cplusplus
}
#endif
#endif
