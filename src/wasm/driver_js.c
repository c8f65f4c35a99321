/* driver_js.c: the JavaScript event-loop driver (the wasm platform default).
 *
 * C side of the driver contract (cfuture/driver.h); the behaviour lives in
 * bindings/cfuture_lib.js (CF.drivers): one host timer for the earliest
 * deadline, microtask/macrotask runs, keepalive, and the pausable virtual
 * clock. This file only forwards, translating int64 ms to doubles.
 * Invariant: `id` names a live JS driver from new until free. */
#include <emscripten.h>
#include <math.h>
#include <stdint.h>

#include "../runtime_internal.h"
#include "cfuture/alloc.h"
#include "cfuture/error.h"
#include "js_imports.h"

typedef struct js_driver {
  cf_driver_t drv;
  int id;
} js_driver_t;

static void jd_attach(void *self, struct cf_runtime *rt) {
  cfjs_driver_attach(((js_driver_t *)self)->id, rt);
}

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
    jd_attach, jd_now, jd_arm_timer, jd_request_run, jd_keepalive, NULL,
    jd_now_ceil};

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
  cf_free(d, sizeof *d);
}
