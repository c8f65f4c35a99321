/* driver_js.c: the JavaScript event-loop driver (the wasm platform default).
 *
 * C side of the driver contract (cfuture/driver.h); the behaviour lives in
 * bindings/lib/driver.js (CFDriver): one host timer for the earliest
 * deadline, microtask/macrotask runs, keepalive, and the pausable virtual
 * clock. This file only forwards, translating int64 ms to doubles.
 * Invariant: `id` names a live JS driver from new until free.
 *
 * Threaded builds (-pthread): notify (from a pool thread) posts one call of
 * poke() to the main thread's queue (a postMessage: it wakes the event
 * loop without polling); `poke_posted` coalesces notifies until that call
 * runs. poke() drains the blocking inbox inside a host frame, so the turn
 * the wakes ask for runs right there. A driver freed while a poke is in
 * flight is only marked dead; the poke frees it. */
#include <emscripten.h>
#include <math.h>
#include <stdint.h>
#ifdef __EMSCRIPTEN_PTHREADS__
#include <emscripten/threading.h>
#include <stdatomic.h>
#endif

#include "../runtime_internal.h"
#include "cfuture/alloc.h"
#include "cfuture/error.h"
#include "js_imports.h"

typedef struct js_driver {
  cf_driver_t drv;
  int id;
#ifdef __EMSCRIPTEN_PTHREADS__
  struct cf_runtime *rt; /* main thread only */
  atomic_int poke_posted;
  int dead; /* freed with a poke in flight (main thread only) */
#endif
} js_driver_t;

static void jd_attach(void *self, struct cf_runtime *rt) {
#ifdef __EMSCRIPTEN_PTHREADS__
  ((js_driver_t *)self)->rt = rt;
#endif
  cfjs_driver_attach(((js_driver_t *)self)->id, rt);
}

#ifdef __EMSCRIPTEN_PTHREADS__
/* On the main thread, from the top of the event loop. */
static void jd_poke(void *self) {
  js_driver_t *d = self;
  int entered;
  atomic_store(&d->poke_posted, 0);
  if (d->dead) {
    cf_free(d, sizeof *d);
    return;
  }
  if (!d->rt || !d->rt->pool)
    return;
  entered = cf__runtime_host_enter(d->rt);
  cf__blocking_drain(d->rt);
  (void)cf__runtime_host_leave(d->rt, entered);
}

/* Any thread. */
static void jd_notify(void *self) {
  js_driver_t *d = self;
  if (!atomic_exchange(&d->poke_posted, 1))
    emscripten_async_run_in_main_runtime_thread(EM_FUNC_SIG_VI, jd_poke, d);
}
#define JD_NOTIFY jd_notify
#else
#define JD_NOTIFY NULL
#endif

static int64_t jd_now_ceil(void *self) {
  return (int64_t)ceil(cfjs_driver_now(((js_driver_t *)self)->id));
}

static int64_t jd_now(void *self) {
  /* floor keeps the clock monotonic and never ahead of the host: a timer
   * due at D fires only once the host clock has really reached D. */
  return (int64_t)floor(cfjs_driver_now(((js_driver_t *)self)->id));
}

static void jd_arm_timer(void *self, int64_t deadline) {
  cfjs_driver_arm(((js_driver_t *)self)->id,
                  deadline == CF_TIME_NEVER ? -1.0 : (double)deadline);
}

static void jd_request_run(void *self, cf_run_kind_t kind) {
  cfjs_driver_request_run(((js_driver_t *)self)->id, (int)kind);
}

static void jd_keepalive(void *self, int alive) {
  cfjs_driver_keepalive(((js_driver_t *)self)->id, alive);
}

static const cf_driver_vtable_t js_driver_vt = {
    jd_attach,    jd_now, jd_arm_timer, jd_request_run,
    jd_keepalive, NULL,   jd_now_ceil,  JD_NOTIFY};

int cf__js_driver_id(const struct cf_runtime *rt) {
  if (!rt || !rt->driver || rt->driver->vt != &js_driver_vt)
    return 0;
  return ((const js_driver_t *)rt->driver->self)->id;
}

int cf__platform_default_driver(cf_driver_t **out) {
  js_driver_t *d = cf_malloc(sizeof *d);
  *out = NULL;
  if (!d)
    return CF_ENOMEM;
  d->id = cfjs_driver_new();
#ifdef __EMSCRIPTEN_PTHREADS__
  d->rt = NULL;
  atomic_init(&d->poke_posted, 0);
  d->dead = 0;
#endif
  d->drv.vt = &js_driver_vt;
  d->drv.self = d;
  *out = &d->drv;
  return 0;
}

void cf__platform_default_driver_free(cf_driver_t *drv) {
  js_driver_t *d;
  if (!drv)
    return;
  d = (js_driver_t *)drv->self;
  cfjs_driver_free(d->id);
#ifdef __EMSCRIPTEN_PTHREADS__
  if (atomic_load(&d->poke_posted)) {
    d->dead = 1; /* the poke in flight frees it */
    d->rt = NULL;
    return;
  }
#endif
  cf_free(d, sizeof *d);
}
