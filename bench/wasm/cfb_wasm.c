/* cfb_wasm.c: the cfuture workloads as exported async functions, for the
 * wasm bench module (bench/wasm/build.mjs links it with the cfuture static
 * library; bench/wasm/run_wasm.mjs calls them with rt.call in Node).
 *
 * Exports (each resolves with a JSON object of its measurements):
 *   w1(n)                 spawn+join n trivial tasks   {ns_per_task,
 * bytes_per_task} w2(n)                 self-wake n times {ns_per_wake}
 *   timers(n, churn, off) insert/cancel n sleeps       {ns_per_insert, ...}
 *   w3pp(n), w3rr(n)      channel ping-pong            {ns_per_roundtrip}
 *   w4seq(n)              n sequential awaits of a host Promise
 *                         (host function "val")        {ns_per_await}
 *   w4par(tasks, each)    `tasks` tasks x `each` awaits {ns_per_await}
 *   w5(n, offset)         one task joins n sleeps of offset + 0..50 ms;
 *                         lateness of each vs its requested time
 *                         {ns_per_arm, p50_ms, p99_ms, early_frac (the
 *                         fraction that completed before that time),
 *                         bytes_per_timer, burst_cpu_ns, burst_wall_ns: CPU
 *                         and wall ns per expiry from the first completion
 *                         to the last}
 *   w6join(n, rounds)     join, one child at a time    {ns_per_child}
 *   w6sel(k, reps)        select over k branches       {ns_per_select}
 *   w7(url, n)            n concurrent fetches         {ms, ok}
 * The workloads are the same C as the native ones (bench/common/).
 * Times come from emscripten_get_now() (performance.now(), which Node
 * gives at sub-microsecond resolution), except W5's per-timer lateness,
 * which reads performance.now() through cfb_perf_now like the JS baseline
 * does: Emscripten 3.1.6's emscripten_get_now in Node calls
 * process.hrtime(), which allocates an array per call (two per timer
 * here, one of them on the expiry path being measured).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cfuture.h>
#include <cfuture/wasm.h>

#include "../common/cfb.h"
#if __has_include(<cfuture/channel.h>)
#include "../common/cfb_w3.h"
#define CFB_HAVE_CHANNELS 1
#endif

static char out_json[512];

static uint32_t arg_u32(const cf_args_t *a, size_t i, uint32_t dflt) {
  double d = cf_args_number(a, i);
  return isnan(d) || d < 0 ? dflt : (uint32_t)d;
}

/* ---- W1 / W2 / W6 / timers (frames from cfb.h) ---- */

static int w1_init(cf_future_t *f, const cf_args_t *a) {
  cfb_w1_init((cfb_w1_t *)f, arg_u32(a, 0, 1000));
  return 0;
}
static void w1_result(const cf_future_t *f, cf_value_t *out) {
  const cfb_w1_t *w = (const cfb_w1_t *)f;
  snprintf(out_json, sizeof out_json,
           "{\"ns_per_task\":%.4f,\"bytes_per_task\":%.4f}", w->ns_per_task,
           w->bytes_per_task);
  *out = cf_value_json(out_json);
}
CF_EXPORT_ASYNC(w1_export, "w1", cfb_w1_t, w1_init, w1_result)

static int w2_init(cf_future_t *f, const cf_args_t *a) {
  cfb_w2_init((cfb_w2_t *)f, arg_u32(a, 0, 1000));
  return 0;
}
static void w2_result(const cf_future_t *f, cf_value_t *out) {
  snprintf(out_json, sizeof out_json, "{\"ns_per_wake\":%.4f}",
           ((const cfb_w2_t *)f)->ns_per_wake);
  *out = cf_value_json(out_json);
}
CF_EXPORT_ASYNC(w2_export, "w2", cfb_w2_t, w2_init, w2_result)

static int timers_init(cf_future_t *f, const cf_args_t *a) {
  cfb_timers_init((cfb_timers_t *)f, arg_u32(a, 0, 1000), arg_u32(a, 1, 0),
                  (int64_t)arg_u32(a, 2, 1000));
  return 0;
}
static void timers_result(const cf_future_t *f, cf_value_t *out) {
  const cfb_timers_t *t = (const cfb_timers_t *)f;
  snprintf(out_json, sizeof out_json,
           "{\"ns_per_insert\":%.4f,\"ns_per_cancel\":%.4f,"
           "\"ns_per_churn\":%.4f,\"bytes_per_timer\":%.4f}",
           t->insert_ns, t->cancel_ns, t->churn_ns, t->bytes_per_timer);
  *out = cf_value_json(out_json);
}
CF_EXPORT_ASYNC(timers_export, "timers", cfb_timers_t, timers_init,
                timers_result)

static int w6join_init(cf_future_t *f, const cf_args_t *a) {
  cfb_w6j_init((cfb_w6j_t *)f, arg_u32(a, 0, 10), arg_u32(a, 1, 1));
  return 0;
}
static void w6join_result(const cf_future_t *f, cf_value_t *out) {
  snprintf(out_json, sizeof out_json, "{\"ns_per_child\":%.4f}",
           ((const cfb_w6j_t *)f)->ns_per_child);
  *out = cf_value_json(out_json);
}
CF_EXPORT_ASYNC(w6join_export, "w6join", cfb_w6j_t, w6join_init, w6join_result)

static int w6sel_init(cf_future_t *f, const cf_args_t *a) {
  cfb_w6s_init((cfb_w6s_t *)f, arg_u32(a, 0, 2), arg_u32(a, 1, 1));
  return 0;
}
static void w6sel_result(const cf_future_t *f, cf_value_t *out) {
  snprintf(out_json, sizeof out_json, "{\"ns_per_select\":%.4f}",
           ((const cfb_w6s_t *)f)->ns_per_select);
  *out = cf_value_json(out_json);
}
CF_EXPORT_ASYNC(w6sel_export, "w6sel", cfb_w6s_t, w6sel_init, w6sel_result)

/* ---- W3 ---- */

#ifdef CFB_HAVE_CHANNELS
static int w3pp_init(cf_future_t *f, const cf_args_t *a) {
  cfb_w3pp_init((cfb_w3pp_t *)f, arg_u32(a, 0, 1000));
  return 0;
}
static void w3pp_result(const cf_future_t *f, cf_value_t *out) {
  snprintf(out_json, sizeof out_json, "{\"ns_per_roundtrip\":%.4f}",
           ((const cfb_w3pp_t *)f)->ns_per_roundtrip);
  *out = cf_value_json(out_json);
}
CF_EXPORT_ASYNC(w3pp_export, "w3pp", cfb_w3pp_t, w3pp_init, w3pp_result)

static int w3rr_init(cf_future_t *f, const cf_args_t *a) {
  cfb_w3rr_init((cfb_w3rr_t *)f, arg_u32(a, 0, 1000));
  return 0;
}
static void w3rr_result(const cf_future_t *f, cf_value_t *out) {
  snprintf(out_json, sizeof out_json, "{\"ns_per_roundtrip\":%.4f}",
           ((const cfb_w3rr_t *)f)->ns_per_roundtrip);
  *out = cf_value_json(out_json);
}
CF_EXPORT_ASYNC(w3rr_export, "w3rr", cfb_w3rr_t, w3rr_init, w3rr_result)
#endif

/* ---- W4: awaiting host Promises ---- */

/* `each` sequential awaits of the host function "val" (returns a Promise
 * that is already resolved, or a plain value). Timed when it is the
 * sequential run itself (w4seq: the export's frame, as the JS baseline's
 * one async function); untimed as each of w4par's tasks. */
typedef struct awaiter {
  cf_async_t co;
  uint32_t each, i;
  uint8_t timed;
  double sum, t0, ns_per_await;
  cf_promise_t p;
} awaiter_t;
static cf_poll_t awaiter_poll(cf_future_t *f, cf_context_t *cx) {
  awaiter_t *self = (awaiter_t *)f;
  CF_BEGIN(self);
  if (self->timed)
    self->t0 = cfb_now_ns();
  for (self->i = 0; self->i < self->each; self->i++) {
    cf_js_call_init(&self->p, "val", NULL, CF_JS_NUMBER);
    CF_AWAIT(self, &self->p);
    if (self->p.base.rc < 0)
      CF_RETURN(self, self->p.base.rc);
    self->sum += self->p.number;
    cf_future_drop(&self->p.base);
  }
  if (self->timed)
    self->ns_per_await = (cfb_now_ns() - self->t0) / self->each;
  CF_END(self, 0);
}
static void awaiter_cleanup(cf_future_t *f) {
  cf_future_drop(&((awaiter_t *)f)->p.base);
}
CF_ASYNC_VTABLE(awaiter_vt, "awaiter", awaiter_poll, awaiter_cleanup);

typedef struct w4 {
  cf_async_t co;
  uint32_t tasks, each, i;
  cf_join_handle_t *h;
  double t0, ns_per_await;
} w4_t;
/* w4par: `tasks` awaiter tasks, joined one after the other. */
static cf_poll_t w4_poll(cf_future_t *f, cf_context_t *cx) {
  w4_t *self = (w4_t *)f;
  CF_BEGIN(self);
  self->t0 = cfb_now_ns();
  self->h = calloc(self->tasks, sizeof *self->h);
  if (!self->h)
    CF_RETURN(self, CF_ENOMEM);
  for (self->i = 0; self->i < self->tasks; self->i++) {
    awaiter_t a;
    memset(&a, 0, sizeof a);
    CF_ASYNC_INIT(&a, &awaiter_vt);
    a.each = self->each;
    if (CF_SPAWN(cx->rt, &a, "awaiter", &self->h[self->i]) < 0)
      CF_RETURN(self, CF_ENOMEM);
  }
  for (self->i = 0; self->i < self->tasks; self->i++) {
    CF_AWAIT(self, &self->h[self->i].base);
    cf_future_drop(&self->h[self->i].base);
  }
  free(self->h);
  self->h = NULL;
  self->ns_per_await =
      (cfb_now_ns() - self->t0) / ((double)self->tasks * self->each);
  CF_END(self, 0);
}
static void w4_cleanup(cf_future_t *f) {
  w4_t *self = (w4_t *)f;
  cfb_drop_handles(&self->h, self->tasks);
}
CF_ASYNC_VTABLE(w4_vt, "w4", w4_poll, w4_cleanup);
static int w4seq_init(cf_future_t *f, const cf_args_t *a) {
  awaiter_t *w = (awaiter_t *)f;
  CF_ASYNC_INIT(w, &awaiter_vt);
  w->each = arg_u32(a, 0, 1000);
  w->timed = 1;
  return 0;
}
static void w4seq_result(const cf_future_t *f, cf_value_t *out) {
  snprintf(out_json, sizeof out_json, "{\"ns_per_await\":%.4f}",
           ((const awaiter_t *)f)->ns_per_await);
  *out = cf_value_json(out_json);
}
static int w4par_init(cf_future_t *f, const cf_args_t *a) {
  w4_t *w = (w4_t *)f;
  CF_ASYNC_INIT(w, &w4_vt);
  w->tasks = arg_u32(a, 0, 100);
  w->each = arg_u32(a, 1, 100);
  return 0;
}
static void w4_result(const cf_future_t *f, cf_value_t *out) {
  snprintf(out_json, sizeof out_json, "{\"ns_per_await\":%.4f}",
           ((const w4_t *)f)->ns_per_await);
  *out = cf_value_json(out_json);
}
CF_EXPORT_ASYNC(w4seq_export, "w4seq", awaiter_t, w4seq_init, w4seq_result)
CF_EXPORT_ASYNC(w4par_export, "w4par", w4_t, w4par_init, w4_result)

/* ---- W5: timers that fire ---- */

EM_JS(double, cfb_perf_now, (void), { return performance.now(); });
/* CPU time of this process in ns (user + system), 0 where the host has no
 * process.cpuUsage: read only at a burst's first and last completion. */
EM_JS(double, cfb_cpu_ns, (void), {
  if (!globalThis.process || !process.cpuUsage)
    return 0;
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
});
/* The burst of the running W5 call: completions so far and the CPU and
 * wall time at its first and last (one counter per completion; the clocks
 * are read twice per call). CPU ns per expiry is far steadier than the
 * lateness when the machine is shared (bench/README.md, W5). */
static uint32_t w5_done, w5_n;
static double w5_cpu0, w5_cpu1, w5_wall0, w5_wall1;

/* A sleep that records how late it completed against the time asked for
 * (performance.now() at its first poll + ms). `want` and `late` sit before
 * the sleep, in the line of the record's head, which the join loads for a
 * batch of children before polling them; after the sleep (as before
 * 2026-12-01) they fell on a line of their own in 1 record of 4, loaded
 * by the poll itself, one miss at a time (bench/README.md, W5). */
typedef struct tsleep {
  cf_future_t base;
  double want;
  float *late;
  uint32_t ms;
  cf_sleep_t nap;
} tsleep_t;
static cf_poll_t tsleep_poll(cf_future_t *f, cf_context_t *cx) {
  tsleep_t *t = (tsleep_t *)f;
  if (t->want == 0)
    t->want = cfb_perf_now() + (double)t->ms;
  if (cf_future_poll(&t->nap.base, cx) == CF_PENDING)
    return CF_PENDING;
  {
    double now = cfb_perf_now();
    *t->late = (float)(now - t->want);
    if (++w5_done == 1 || w5_done == w5_n) {
      double cpu = cfb_cpu_ns();
      if (w5_done == 1)
        w5_cpu0 = cpu, w5_wall0 = now;
      if (w5_done == w5_n)
        w5_cpu1 = cpu, w5_wall1 = now;
    }
  }
  f->rc = t->nap.base.rc;
  return CF_READY;
}
static void tsleep_drop(cf_future_t *f) {
  cf_future_drop(&((tsleep_t *)f)->nap.base);
}
static const cf_future_vtable_t tsleep_vt = {"tsleep", tsleep_poll, tsleep_drop,
                                             0};

/* One task joins n timed sleeps: the join's first poll arms all n timers
 * (timed: ns per arm), then each expiry wakes just its own branch. */
typedef struct w5 {
  cf_async_t co;
  uint32_t n;
  int64_t offset;
  tsleep_t *s;
  cf_future_t **ptrs;
  float *late;
  cf_join_t join;
  double arm_ns, p50, p99, early, bytes, burst_cpu, burst_wall;
} w5_t;
static int cmp_float(const void *a, const void *b) {
  float x = *(const float *)a, y = *(const float *)b;
  return (x > y) - (x < y);
}
static cf_poll_t w5_poll(cf_future_t *f, cf_context_t *cx) {
  w5_t *self = (w5_t *)f;
  CF_BEGIN(self);
  self->s = calloc(self->n, sizeof *self->s);
  self->ptrs = calloc(self->n, sizeof *self->ptrs);
  self->late = calloc(self->n, sizeof *self->late);
  if (!self->s || !self->ptrs || !self->late)
    CF_RETURN(self, CF_ENOMEM);
  {
    uint32_t i, seed = 777u;
    for (i = 0; i < self->n; i++) {
      cf_future_init(&self->s[i].base, &tsleep_vt);
      self->s[i].ms = (uint32_t)self->offset + cfb_rand(&seed) % 51u;
      cf_sleep_init(&self->s[i].nap, self->s[i].ms);
      self->s[i].late = &self->late[i];
      self->ptrs[i] = &self->s[i].base;
    }
  }
  cf_join_init(&self->join, self->ptrs, self->n);
  w5_done = 0;
  w5_n = self->n;
  {
    size_t m0 = cfb_heap_used();
    double t0 = cfb_now_ns();
    cf_poll_t r = cf_future_poll(&self->join.base, cx); /* arms every timer */
    self->arm_ns = (cfb_now_ns() - t0) / self->n;
    /* the timer heap's growth (and the join's branch array) per timer,
     * plus the embedded sleep future */
    self->bytes = ((double)cfb_heap_used() - (double)m0) / self->n +
                  (double)sizeof(cf_sleep_t);
    if (r == CF_PENDING) {
      CF_AWAIT(self, &self->join);
    }
  }
  self->burst_cpu = self->n > 1 ? (w5_cpu1 - w5_cpu0) / (self->n - 1) : 0;
  self->burst_wall =
      self->n > 1 ? (w5_wall1 - w5_wall0) * 1e6 / (self->n - 1) : 0;
  qsort(self->late, self->n, sizeof *self->late, cmp_float);
  self->p50 = self->late[self->n / 2];
  self->p99 = self->late[(size_t)((double)self->n * 0.99)];
  {
    uint32_t i = 0; /* sorted: the early ones come first */
    while (i < self->n && self->late[i] < 0)
      i++;
    self->early = (double)i / self->n;
  }
  CF_END(self, 0);
}
static void w5_cleanup(cf_future_t *f) {
  w5_t *self = (w5_t *)f;
  uint32_t i;
  cf_future_drop(&self->join.base);
  if (self->s)
    for (i = 0; i < self->n; i++)
      cf_future_drop(&self->s[i].base);
  free(self->s);
  free(self->ptrs);
  free(self->late);
  self->s = NULL;
  self->ptrs = NULL;
  self->late = NULL;
}
CF_ASYNC_VTABLE(w5_vt, "w5", w5_poll, w5_cleanup);
static int w5_init(cf_future_t *f, const cf_args_t *a) {
  w5_t *w = (w5_t *)f;
  CF_ASYNC_INIT(w, &w5_vt);
  w->n = arg_u32(a, 0, 1000);
  w->offset = (int64_t)arg_u32(a, 1, 0);
  return 0;
}
static void w5_result(const cf_future_t *f, cf_value_t *out) {
  const w5_t *w = (const w5_t *)f;
  snprintf(out_json, sizeof out_json,
           "{\"ns_per_arm\":%.4f,\"p50_ms\":%.4f,\"p99_ms\":%.4f,"
           "\"early_frac\":%.4f,\"bytes_per_timer\":%.4f,"
           "\"burst_cpu_ns\":%.1f,\"burst_wall_ns\":%.1f}",
           w->arm_ns, w->p50, w->p99, w->early, w->bytes, w->burst_cpu,
           w->burst_wall);
  *out = cf_value_json(out_json);
}
CF_EXPORT_ASYNC(w5_export, "w5", w5_t, w5_init, w5_result)

/* ---- W7: concurrent fetches ---- */

typedef struct getter {
  cf_async_t co;
  const char *url;
  cf_fetch_t fetch;
} getter_t;
static cf_poll_t getter_poll(cf_future_t *f, cf_context_t *cx) {
  getter_t *self = (getter_t *)f;
  cf_fetch_request_t req;
  CF_BEGIN(self);
  memset(&req, 0, sizeof req);
  req.url = self->url;
  cf_fetch_init(&self->fetch, &req);
  CF_AWAIT(self, &self->fetch);
  {
    int rc = self->fetch.base.rc < 0
                 ? self->fetch.base.rc
                 : (self->fetch.status == 200 ? 0 : CF_EINVAL);
    cf_future_drop(&self->fetch.base);
    CF_RETURN(self, rc);
  }
  CF_END(self, 0);
}
static void getter_cleanup(cf_future_t *f) {
  cf_future_drop(&((getter_t *)f)->fetch.base);
}
CF_ASYNC_VTABLE(getter_vt, "getter", getter_poll, getter_cleanup);

typedef struct w7 {
  cf_async_t co;
  const char *url;
  uint32_t n, i, ok;
  cf_join_handle_t *h;
  double t0, ms;
} w7_t;
static cf_poll_t w7_poll(cf_future_t *f, cf_context_t *cx) {
  w7_t *self = (w7_t *)f;
  CF_BEGIN(self);
  self->h = calloc(self->n, sizeof *self->h);
  if (!self->h)
    CF_RETURN(self, CF_ENOMEM);
  self->t0 = cfb_now_ns();
  for (self->i = 0; self->i < self->n; self->i++) {
    getter_t g;
    CF_ASYNC_INIT(&g, &getter_vt);
    g.url = self->url;
    if (CF_SPAWN(cx->rt, &g, "get", &self->h[self->i]) < 0)
      CF_RETURN(self, CF_ENOMEM);
  }
  for (self->i = 0; self->i < self->n; self->i++) {
    CF_AWAIT(self, &self->h[self->i].base);
    if (self->h[self->i].base.rc == 0)
      self->ok++;
    cf_future_drop(&self->h[self->i].base);
  }
  self->ms = (cfb_now_ns() - self->t0) / 1e6;
  free(self->h);
  self->h = NULL;
  CF_END(self, 0);
}
static void w7_cleanup(cf_future_t *f) {
  w7_t *self = (w7_t *)f;
  cfb_drop_handles(&self->h, self->n);
}
CF_ASYNC_VTABLE(w7_vt, "w7", w7_poll, w7_cleanup);
static int w7_init(cf_future_t *f, const cf_args_t *a) {
  w7_t *w = (w7_t *)f;
  CF_ASYNC_INIT(w, &w7_vt);
  w->url = cf_args_string(a, 0, NULL);
  w->n = arg_u32(a, 1, 100);
  return w->url ? 0 : CF_EINVAL;
}
static void w7_result(const cf_future_t *f, cf_value_t *out) {
  const w7_t *w = (const w7_t *)f;
  snprintf(out_json, sizeof out_json, "{\"ms\":%.4f,\"ok\":%u}", w->ms,
           (unsigned)w->ok);
  *out = cf_value_json(out_json);
}
CF_EXPORT_ASYNC(w7_export, "w7", w7_t, w7_init, w7_result)
