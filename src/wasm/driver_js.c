/* driver_js.c: the JavaScript event-loop driver (the wasm platform default).
 *
 * C side of the driver contract (cfuture/driver.h); the behaviour lives in
 * bindings/lib/driver.js (CFDriver): one host timer for the earliest
 * deadline, microtask/macrotask runs, keepalive, and the pausable virtual
 * clock. This file only forwards, translating int64 ms to doubles.
 * Invariant: `id` names a live JS driver from new until free.
 *
 * Threaded builds (-pthread): notify comes from pool threads (or any
 * thread holding a thread-channel sender). Where the host has
 * Atomics.waitAsync (Node, Chromium, Safari), the main thread keeps one
 * async wait armed on `wake_seq` from the pool's creation on, and notify
 * is an increment and a futex wake of that word: no allocation, no lock,
 * no message. The wait's callback (cfw_threads_woken) drains the blocking
 * inbox inside a host frame, so the turn the wakes ask for runs right
 * there, and re-arms with the value read before the drain (a notify that
 * lands during the drain makes the next wait return at once, so none is
 * lost). A pending async wait does not keep Node alive (the pool's host
 * hold does that while jobs are in flight). Elsewhere notify posts one
 * call of poke() to the main thread's queue (a postMessage), coalesced by
 * `poke_posted` until it runs. A driver freed while a callback or poke is
 * pending is only marked dead; that callback frees it. */
#include <emscripten.h>
#include <stdint.h>
#ifdef __EMSCRIPTEN_PTHREADS__
#include <emscripten/threading.h>
#include <stdatomic.h>
#endif

#include "../blocking_internal.h"
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
  _Atomic int32_t wake_seq; /* futex word the main thread waits on */
  int wait_async;           /* 1: notify through wake_seq; immutable */
  int armed;                /* an async wait is pending (main thread only) */
  int in_woken;             /* inside cfw_threads_woken (main thread only) */
  int dead; /* freed with a poke or wait pending (main thread only) */
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
  if (d->wait_async) {
    atomic_fetch_add(&d->wake_seq, 1);
    emscripten_futex_wake((void *)&d->wake_seq, 1);
    return;
  }
  if (!atomic_exchange(&d->poke_posted, 1))
    emscripten_async_run_in_main_runtime_thread(EM_FUNC_SIG_VI, jd_poke, d);
}

int cfjs_threads_has_wait_async(void);                     /* threads.js */
void cfjs_threads_wait(void *addr, int32_t seen, void *d); /* threads.js */
int cfw_threads_woken(void *self);

/* Main thread: wait (asynchronously) for wake_seq to leave `seen`. */
static void jd_arm(js_driver_t *d, int32_t seen) {
  d->armed = 1;
  cfjs_threads_wait((void *)&d->wake_seq, seen, d);
}

/* The blocking pool was created (blocking.c): from now on notifies come;
 * with waitAsync, arm the wait. Main thread. */
void cf__blocking_platform_expect(struct cf_runtime *rt) {
  js_driver_t *d;
  if (!rt->driver || rt->driver->vt->attach != jd_attach)
    return; /* a driver of the embedder's: its own notify */
  d = rt->driver->self;
  if (d->wait_async && !d->armed)
    jd_arm(d, atomic_load(&d->wake_seq));
}

/* The async wait resolved (threads.js), on the main thread: take what
 * the pool and the thread channels have for this runtime, run the turn,
 * wait again. Returns 1 when the driver was freed. */
EMSCRIPTEN_KEEPALIVE int cfw_threads_woken(void *self) {
  js_driver_t *d = self;
  struct cf_runtime *rt;
  int32_t seen;
  int entered, gone;
  d->armed = 0;
  if (d->dead) {
    cf_free(d, sizeof *d);
    return 1;
  }
  if (!d->rt || !d->rt->pool)
    return 0; /* no pool any more: nothing will notify; stay unarmed */
  seen = atomic_load(&d->wake_seq); /* before the drain: see above */
  rt = d->rt;
  d->in_woken = 1; /* a free of rt in there leaves d to us */
  entered = cf__runtime_host_enter(rt);
  cf__blocking_drain(rt);
  gone = cf__runtime_host_leave(rt, entered);
  d->in_woken = 0;
  if (d->dead) {
    cf_free(d, sizeof *d);
    return 1;
  }
  if (!gone && d->rt && d->rt->pool)
    jd_arm(d, seen);
  return 0;
}
#define JD_NOTIFY jd_notify
#else
/* The export list is one for every flavour; without threads nothing arms
 * the wait that calls this. */
int cfw_threads_woken(void *self);
EMSCRIPTEN_KEEPALIVE int cfw_threads_woken(void *self) {
  (void)self;
  return 0;
}
#define JD_NOTIFY NULL
#endif

/* The host clock (performance.now(), or the paused virtual clock) in
 * ticks: the runtime keeps timer deadlines to a tick of it. Rounded down,
 * the clock is monotonic and never ahead of the host, so a timer due at D
 * fires only once the host clock has really reached D. JS rounds (the
 * clock is a double there), and arms in ticks too. */
static int64_t jd_now_ticks(void *self, int up) {
  return (int64_t)cfjs_driver_ticks(((js_driver_t *)self)->id, up);
}

static int64_t jd_now(void *self) {
  return jd_now_ticks(self, 0) / CF_TICKS_PER_MS;
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

/* now_ceil is NULL: now_ticks rounds up. */
static const cf_driver_vtable_t js_driver_vt = {
    jd_attach, jd_now, jd_arm_timer, jd_request_run, jd_keepalive,
    NULL,      NULL,   JD_NOTIFY,    jd_now_ticks};

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
  atomic_init(&d->wake_seq, 0);
  d->wait_async = cfjs_threads_has_wait_async();
  d->armed = d->in_woken = d->dead = 0;
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
  if (d->in_woken) { /* freed from inside cfw_threads_woken: it frees d */
    d->dead = 1;
    d->rt = NULL;
    return;
  }
  if (d->armed) { /* end the wait now; its callback frees d */
    d->dead = 1;
    d->rt = NULL;
    atomic_fetch_add(&d->wake_seq, 1);
    emscripten_futex_wake((void *)&d->wake_seq, 1);
    return;
  }
  if (atomic_load(&d->poke_posted)) {
    d->dead = 1; /* the poke in flight frees it */
    d->rt = NULL;
    return;
  }
#endif
  cf_free(d, sizeof *d);
}
