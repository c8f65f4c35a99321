/* driver_virtual.c: the virtual-clock driver for deterministic tests.
 * Time stands still unless advanced; park() jumps straight to the deadline
 * (tokio's paused time auto-advancing when idle). Run requests and timer
 * arms are only counted: the code under test drives turns itself (through
 * cf_block_on or cf_runtime_turn). Invariant: the clock never goes back.
 * With threads, notify() (any thread) sets a sticky flag: a park then
 * returns at once without moving the clock, and a park without deadline
 * waits in real time for it (blocking jobs in flight). The clock itself is
 * touched only on the runtime's thread. */
#include "driver.h"

#if !defined(__EMSCRIPTEN__) || defined(__EMSCRIPTEN_PTHREADS__)
#define VD_THREADS 1
#include <pthread.h>
#else
#define VD_THREADS 0
#endif

#include "cfuture/alloc.h"
#include "cfuture/error.h"

typedef struct virtual_driver {
  cf_driver_t base;
  int64_t now;
  cf_virtual_driver_stats_t stats;
#if VD_THREADS
  pthread_mutex_t mu;
  pthread_cond_t cv;
  int notified; /* under mu */
#endif
} virtual_driver_t;

static void vd_attach(void *self, struct cf_runtime *rt) {
  (void)self;
  (void)rt;
}
static int64_t vd_now(void *self) {
  return ((virtual_driver_t *)self)->now;
}
static void vd_arm(void *self, int64_t deadline) {
  virtual_driver_t *d = self;
  d->stats.arms++;
  d->stats.armed_deadline = deadline;
}
static void vd_request(void *self, cf_run_kind_t kind) {
  virtual_driver_t *d = self;
  if (kind == CF_RUN_MICROTASK)
    d->stats.microtasks++;
  else
    d->stats.macrotasks++;
}
static void vd_keepalive(void *self, int alive) {
  ((virtual_driver_t *)self)->stats.alive = alive;
}
static int vd_park(void *self, int64_t deadline) {
  virtual_driver_t *d = self;
  d->stats.parks++;
#if VD_THREADS
  pthread_mutex_lock(&d->mu);
  if (deadline == CF_TIME_NEVER)
    while (!d->notified)
      pthread_cond_wait(&d->cv, &d->mu);
  if (d->notified) {
    d->notified = 0;
    pthread_mutex_unlock(&d->mu);
    return 0; /* remote work finished: run it before time moves */
  }
  pthread_mutex_unlock(&d->mu);
#else
  if (deadline == CF_TIME_NEVER)
    return CF_EDEADLK;
#endif
  if (deadline > d->now)
    d->now = deadline;
  return 0;
}

#if VD_THREADS
static void vd_notify(void *self) {
  virtual_driver_t *d = self;
  pthread_mutex_lock(&d->mu);
  d->notified = 1;
  pthread_cond_signal(&d->cv);
  pthread_mutex_unlock(&d->mu);
}
#define VD_NOTIFY vd_notify
#else
#define VD_NOTIFY NULL
#endif

/* now_ceil is NULL: virtual time is whole milliseconds, exactly. */
static const cf_driver_vtable_t virtual_vt = {vd_attach,  vd_now,       vd_arm,
                                              vd_request, vd_keepalive, vd_park,
                                              NULL,       VD_NOTIFY,    NULL};

int cf_virtual_driver_new(cf_driver_t **out, int64_t start) {
  virtual_driver_t *d = cf_malloc(sizeof *d);
  *out = NULL;
  if (!d)
    return CF_ENOMEM;
#if VD_THREADS
  if (pthread_mutex_init(&d->mu, NULL) != 0) {
    cf_free(d, sizeof *d);
    return CF_ENOMEM;
  }
  if (pthread_cond_init(&d->cv, NULL) != 0) {
    pthread_mutex_destroy(&d->mu);
    cf_free(d, sizeof *d);
    return CF_ENOMEM;
  }
  d->notified = 0;
#endif
  d->base.vt = &virtual_vt;
  d->base.self = d;
  d->now = start;
  d->stats = (cf_virtual_driver_stats_t){0};
  d->stats.armed_deadline = CF_TIME_NEVER;
  *out = &d->base;
  return 0;
}

void cf_virtual_driver_free(cf_driver_t *d) {
  virtual_driver_t *vd;
  if (!d)
    return;
  vd = d->self;
#if VD_THREADS
  pthread_cond_destroy(&vd->cv);
  pthread_mutex_destroy(&vd->mu);
#endif
  cf_free(vd, sizeof *vd);
}

void cf_virtual_driver_advance(cf_driver_t *d, int64_t ms) {
  virtual_driver_t *vd = d->self;
  if (ms > 0)
    vd->now = ms > INT64_MAX - vd->now ? INT64_MAX : vd->now + ms;
}

int64_t cf_virtual_driver_now(const cf_driver_t *d) {
  return ((const virtual_driver_t *)d->self)->now;
}

void cf_virtual_driver_stats(const cf_driver_t *d,
                             cf_virtual_driver_stats_t *out) {
  *out = ((const virtual_driver_t *)d->self)->stats;
}
