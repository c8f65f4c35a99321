/* driver_posix.c: the native driver. The clock is CLOCK_MONOTONIC in ms;
 * park() sleeps with clock_nanosleep until the absolute deadline, so a
 * signal interrupting the sleep never shortens it (it resumes) and nothing
 * fires early. Run requests need no action: native code drives turns from
 * cf_block_on. This is also the native platform default driver. */
#include <errno.h>
#include <time.h>

#include "driver.h"

#include "cfuture/alloc.h"
#include "cfuture/error.h"

typedef struct posix_driver {
  cf_driver_t base;
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

static int pd_park(void *self, int64_t deadline) {
  struct timespec ts;
  int rc;
  (void)self;
  if (deadline == CF_TIME_NEVER)
    return CF_EDEADLK;
  ts.tv_sec = (time_t)(deadline / 1000);
  ts.tv_nsec = (long)(deadline % 1000) * 1000000L;
  do
    rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
  while (rc == EINTR);
  return rc == 0 ? 0 : CF_EINVAL;
}

static const cf_driver_vtable_t posix_vt = {
    pd_attach, pd_now, pd_arm, pd_request, pd_keepalive, pd_park, pd_now_ceil};

int cf_posix_driver_new(cf_driver_t **out) {
  posix_driver_t *d = cf_malloc(sizeof *d);
  *out = NULL;
  if (!d)
    return CF_ENOMEM;
  d->base.vt = &posix_vt;
  d->base.self = d;
  *out = &d->base;
  return 0;
}

void cf_posix_driver_free(cf_driver_t *d) {
  if (d)
    cf_free(d->self, sizeof(posix_driver_t));
}

int cf__platform_default_driver(cf_driver_t **out) {
  return cf_posix_driver_new(out);
}

void cf__platform_default_driver_free(cf_driver_t *d) {
  cf_posix_driver_free(d);
}
