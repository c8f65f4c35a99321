/* fiber_w9.c: W9 fiber workloads, linked with bench/wasm/cfb_wasm.c into
 * the Asyncify build of the bench module (bench/wasm/fiber_tax.mjs), so
 * the same module also measures what stackless W1-W4 pay under Asyncify.
 * Exports (each resolves with a JSON object):
 *   w9await(n)   one fiber awaits the host Promise "val" n times
 *                {ns_per_await}
 *   w9yield(n)   one fiber yields n times (suspend + resume through the
 *                executor and the host macrotask queue) {ns_per_yield}
 *   w9wake(n)    one fiber awaits n times a future that wakes its task
 *                and is pending once: a suspend + resume through the
 *                executor with no JS at all (the switch's own cost; W2
 *                is the same wake for a stackless task) {ns_per_wake}
 *   w9spawn(n)   spawn+join n fibers that return at once {ns_per_fiber}
 *   w9park(n)    n fibers parked in a sleep; heap bytes per parked fiber
 *                at the default stack sizes {bytes_per_fiber}
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cfuture.h>
#include <cfuture/fiber_export.h>

#include "../common/cfb.h"

static char out[160];

static int w9await(cf_fiber_call_t *c) {
  int n = (int)cf_args_number(c->args, 0), i, rc = 0;
  double t0 = cfb_now_ns(), sum = 0;
  for (i = 0; i < n && rc == 0; i++) {
    cf_promise_t p;
    cf_js_call_init(&p, "val", NULL, CF_JS_NUMBER);
    rc = cf_await(&p.base);
    sum += p.number;
    cf_future_drop(&p.base);
  }
  if (rc < 0)
    return rc;
  snprintf(out, sizeof out, "{\"ns_per_await\":%.4f}",
           (cfb_now_ns() - t0) / n + 0 * sum);
  return cf_fiber_call_return_text(c, out, strlen(out), 1);
}
CF_EXPORT_FIBER(w9await_export, "w9await", w9await, NULL)

static int w9yield(cf_fiber_call_t *c) {
  int n = (int)cf_args_number(c->args, 0), i, rc = 0;
  double t0 = cfb_now_ns();
  for (i = 0; i < n && rc == 0; i++)
    rc = cf_fiber_yield();
  if (rc < 0)
    return rc;
  snprintf(out, sizeof out, "{\"ns_per_yield\":%.4f}", (cfb_now_ns() - t0) / n);
  return cf_fiber_call_return_text(c, out, strlen(out), 1);
}
CF_EXPORT_FIBER(w9yield_export, "w9yield", w9yield, NULL)

/* Pending once, after waking its task: the task is queued again in the
 * same turn, so the fiber resumes without leaving wasm. */
typedef struct {
  cf_future_t base;
  int woke;
} selfwake_t;
static cf_poll_t selfwake_poll(cf_future_t *f, cf_context_t *cx) {
  selfwake_t *s = (selfwake_t *)f;
  if (s->woke)
    return CF_READY;
  s->woke = 1;
  cf_waker_wake_by_ref(cx->waker);
  return CF_PENDING;
}
static const cf_future_vtable_t selfwake_vt = {"selfwake", selfwake_poll, NULL,
                                               0};

static int w9wake(cf_fiber_call_t *c) {
  int n = (int)cf_args_number(c->args, 0), i, rc = 0;
  double t0 = cfb_now_ns();
  for (i = 0; i < n && rc == 0; i++) {
    selfwake_t s;
    cf_future_init(&s.base, &selfwake_vt);
    s.woke = 0;
    rc = cf_await(&s.base);
    cf_future_drop(&s.base);
  }
  if (rc < 0)
    return rc;
  snprintf(out, sizeof out, "{\"ns_per_wake\":%.4f}", (cfb_now_ns() - t0) / n);
  return cf_fiber_call_return_text(c, out, strlen(out), 1);
}
CF_EXPORT_FIBER(w9wake_export, "w9wake", w9wake, NULL)

static int trivial(void *arg) {
  (void)arg;
  return 0;
}
static int parked(void *arg) {
  (void)arg;
  return cf_fiber_sleep(1000000);
}

static int spawn_n(cf_fiber_call_t *c, cf_fiber_fn fn, int park) {
  int n = (int)cf_args_number(c->args, 0), i;
  cf_runtime_t *rt = cf_fiber_runtime();
  cf_join_handle_t *h = calloc((size_t)n, sizeof *h);
  double t0, dt;
  size_t before, during = 0;
  if (!h)
    return CF_ENOMEM;
  before = mallinfo().uordblks;
  t0 = cfb_now_ns();
  for (i = 0; i < n; i++)
    if (cf_fiber_spawn(rt, fn, NULL, NULL, &h[i]) < 0)
      break;
  if (park) {
    cf_fiber_yield(); /* let every fiber run to its sleep */
    during = mallinfo().uordblks;
  }
  for (i = 0; i < n; i++) {
    if (!park)
      cf_await(&h[i].base);
    cf_future_drop(&h[i].base); /* parked ones are aborted (unwound) */
  }
  dt = cfb_now_ns() - t0;
  free(h);
  if (park)
    snprintf(out, sizeof out, "{\"bytes_per_fiber\":%.1f}",
             (double)(during - before) / n);
  else
    snprintf(out, sizeof out, "{\"ns_per_fiber\":%.2f}", dt / n);
  return cf_fiber_call_return_text(c, out, strlen(out), 1);
}
static int w9spawn(cf_fiber_call_t *c) {
  return spawn_n(c, trivial, 0);
}
static int w9park(cf_fiber_call_t *c) {
  return spawn_n(c, parked, 1);
}
CF_EXPORT_FIBER(w9spawn_export, "w9spawn", w9spawn, NULL)
CF_EXPORT_FIBER(w9park_export, "w9park", w9park, NULL)
