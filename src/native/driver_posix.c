/* driver_posix.c: the native driver. The clock is CLOCK_MONOTONIC in ms;
 * park() waits on a condition variable bound to CLOCK_MONOTONIC until the
 * absolute deadline, re-waiting after early returns (signals, spurious
 * wakeups), so nothing fires early. notify() (from any thread: blocking
 * jobs finishing) sets a sticky flag and signals: a park in progress or the
 * next one returns 0 at once and consumes it. Run requests need no action:
 * native code drives turns from cf_block_on. This is also the native
 * platform default driver. Cost: park/notify one mutex round trip each. */
#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "driver.h"

#include "cfuture/alloc.h"
#include "cfuture/error.h"

typedef struct posix_driver {
  cf_driver_t base;
  pthread_mutex_t mu;
  pthread_cond_t cv; /* on CLOCK_MONOTONIC */
  int notified;      /* under mu */
} posix_driver_t;

static void pd_attach(void *self, struct cf_runtime *rt) {
  (void)self;
  (void)rt;
}

static int64_t pd_now(void *self) {
  struct timespec ts;
  (void)self;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t pd_now_ceil(void *self) {
  struct timespec ts;
  (void)self;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + (ts.tv_nsec + 999999) / 1000000;
}

static void pd_arm(void *self, int64_t deadline) {
  (void)self;
  (void)deadline;
}

static void pd_request(void *self, cf_run_kind_t kind) {
  (void)self;
  (void)kind;
}

static void pd_keepalive(void *self, int alive) {
  (void)self;
  (void)alive;
}

/* Waits for a notify or the deadline (CF_TIME_NEVER: a notify only; the
 * runtime parks that way only while something can notify it). */
static int pd_park(void *self, int64_t deadline) {
  posix_driver_t *d = self;
  struct timespec ts;
  int rc = 0;
  ts.tv_sec = (time_t)(deadline / 1000);
  ts.tv_nsec = (long)(deadline % 1000) * 1000000L;
  pthread_mutex_lock(&d->mu);
  while (!d->notified) {
    if (deadline == CF_TIME_NEVER) {
      rc = pthread_cond_wait(&d->cv, &d->mu);
    } else {
      rc = pthread_cond_timedwait(&d->cv, &d->mu, &ts);
      if (rc == ETIMEDOUT && pd_now(d) >= deadline)
        break;
    }
    if (rc != 0 && rc != ETIMEDOUT) {
      pthread_mutex_unlock(&d->mu);
      return CF_EINVAL;
    }
  }
  d->notified = 0;
  pthread_mutex_unlock(&d->mu);
  return 0;
}

static void pd_notify(void *self) {
  posix_driver_t *d = self;
  pthread_mutex_lock(&d->mu);
  d->notified = 1;
  pthread_cond_signal(&d->cv);
  pthread_mutex_unlock(&d->mu);
}

static const cf_driver_vtable_t posix_vt = {pd_attach,   pd_now,       pd_arm,
                                            pd_request,  pd_keepalive, pd_park,
                                            pd_now_ceil, pd_notify,    NULL};

int cf_posix_driver_new(cf_driver_t **out) {
  posix_driver_t *d = cf_malloc(sizeof *d);
  *out = NULL;
  pthread_condattr_t ca;
  if (!d)
    return CF_ENOMEM;
  if (pthread_mutex_init(&d->mu, NULL) != 0) {
    cf_free(d, sizeof *d);
    return CF_ENOMEM;
  }
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  if (pthread_cond_init(&d->cv, &ca) != 0) {
    pthread_condattr_destroy(&ca);
    pthread_mutex_destroy(&d->mu);
    cf_free(d, sizeof *d);
    return CF_ENOMEM;
  }
  pthread_condattr_destroy(&ca);
  d->notified = 0;
  d->base.vt = &posix_vt;
  d->base.self = d;
  *out = &d->base;
  return 0;
}

void cf_posix_driver_free(cf_driver_t *d) {
  posix_driver_t *pd;
  if (!d)
    return;
  pd = d->self;
  pthread_cond_destroy(&pd->cv);
  pthread_mutex_destroy(&pd->mu);
  cf_free(pd, sizeof *pd);
}

int cf__platform_default_driver(cf_driver_t **out) {
  return cf_posix_driver_new(out);
}

void cf__platform_default_driver_free(cf_driver_t *d) {
  cf_posix_driver_free(d);
}
