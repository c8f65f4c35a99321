/* t_fiber.c: exports of the fiber test module (build-wasm/
 * cfuture_fiber_test.mjs, linked with Asyncify by cfuture_add_fiber_module;
 * kept out of the tests/wasm glob so the plain test module stays
 * Asyncify-free). Used by tests/node/fiber.test.mjs:
 *   fiber_sleeps(n, ms)   a fiber sleeping n times; JSON {start, end, n}
 *   fiber_js(x)           awaits the host function "double" (a Promise)
 *   fiber_mix()           fiber + stackless children, select, timeout
 *   fiber_hold(ms)        sleeps, counting unwinds (for AbortSignal tests)
 *   fiber_stubborn()      ignores cancellation (abandoned, counted)
 *   fiber_deep(depth)     recursion with a yield at the bottom
 *   fiber_deep_small(d)   the same with a 256-byte Asyncify buffer (aborts)
 *   fiber_many(n)         spawns n fibers that sleep 1..3 ms, awaits all
 *   fiber_counts()        JSON {unwound, live, abandoned, liveBytes}
 *   plain_spin(n)         stackless: n yields (for the Asyncify tax) */
#include <stdio.h>
#include <string.h>

#include <cfuture/fiber_export.h>

#include "../t_support.h"

static int unwound;

static int fiber_sleeps(cf_fiber_call_t *c) {
  int n = (int)cf_args_number(c->args, 0), i, rc = 0;
  int64_t ms = (int64_t)cf_args_number(c->args, 1);
  double start = 0, end = 0;
  char out[96];
  start = (double)cf_runtime_now(cf_fiber_runtime());
  for (i = 0; i < n && rc == 0; i++)
    rc = cf_fiber_sleep(ms);
  if (rc < 0)
    return rc;
  end = (double)cf_runtime_now(cf_fiber_runtime());
  snprintf(out, sizeof out, "{\"start\":%.0f,\"end\":%.0f,\"n\":%d}", start,
           end, i);
  return cf_fiber_call_return_text(c, out, strlen(out), 1);
}
CF_EXPORT_FIBER(fiber_sleeps_export, "fiber_sleeps", fiber_sleeps, NULL)

static int fiber_js(cf_fiber_call_t *c) {
  char args[64];
  cf_promise_t p;
  int rc;
  snprintf(args, sizeof args, "[%.17g]", cf_args_number(c->args, 0));
  cf_js_call_init(&p, "double", args, CF_JS_NUMBER);
  rc = cf_await(&p.base);
  if (rc == 0)
    cf_fiber_call_return_number(c, p.number);
  cf_future_drop(&p.base);
  return rc;
}
CF_EXPORT_FIBER(fiber_js_export, "fiber_js", fiber_js, NULL)

/* a stackless child: sleeps 20 ms, returns 5 */
typedef struct nap {
  cf_async_t co;
  cf_sleep_t s;
} nap_t;
static cf_poll_t nap_poll(cf_future_t *f, cf_context_t *cx) {
  nap_t *self = (nap_t *)f;
  CF_BEGIN(self);
  cf_sleep_init(&self->s, 20);
  CF_AWAIT(self, &self->s);
  CF_END(self, 5);
}
CF_ASYNC_VTABLE(nap_vt, "nap", nap_poll, NULL);

static int child(void *arg) {
  int rc = cf_fiber_sleep(10);
  return rc < 0 ? rc : (int)(intptr_t)arg;
}

static int fiber_mix(cf_fiber_call_t *c) {
  cf_join_handle_t hf, hs;
  nap_t n;
  cf_pending_t never;
  cf_sleep_t s;
  cf_future_t *two[2];
  int rf, rs, idx = -1, rsel, rto;
  char out[128];
  cf_runtime_t *rt = cf_fiber_runtime();
  if (cf_fiber_spawn(rt, child, (void *)(intptr_t)7, NULL, &hf) < 0)
    return CF_ENOMEM;
  CF_ASYNC_INIT(&n, &nap_vt);
  CF_SPAWN(rt, &n, "nap", &hs);
  rf = cf_await(&hf.base);
  rs = cf_await(&hs.base);
  cf_future_drop(&hf.base);
  cf_future_drop(&hs.base);
  cf_pending_init(&never);
  cf_sleep_init(&s, 5);
  two[0] = &never.base;
  two[1] = &s.base;
  rsel = cf_await_any(two, 2, &idx);
  cf_future_drop(&never.base);
  cf_future_drop(&s.base);
  cf_pending_init(&never);
  rto = cf_await_timeout(&never.base, 5);
  cf_future_drop(&never.base);
  snprintf(out, sizeof out,
           "{\"fiber\":%d,\"stackless\":%d,\"select\":%d,\"index\":%d,"
           "\"timeout\":\"%s\"}",
           rf, rs, rsel, idx, cf_err_name(rto));
  return cf_fiber_call_return_text(c, out, strlen(out), 1);
}
CF_EXPORT_FIBER(fiber_mix_export, "fiber_mix", fiber_mix, NULL)

static int fiber_hold(cf_fiber_call_t *c) {
  char *mem = cf_malloc(1000); /* freed on every path */
  int rc = cf_fiber_sleep((int64_t)cf_args_number(c->args, 0));
  if (rc == CF_ECANCELED) {
    unwound++;
    rc = cf_fiber_sleep(1); /* returns CF_ECANCELED at once */
  }
  cf_free(mem, 1000);
  return rc;
}
CF_EXPORT_FIBER(fiber_hold_export, "fiber_hold", fiber_hold, NULL)

static const cf_fiber_options_t stubborn_opts = {"stubborn", 0, 0, 5};
static int fiber_stubborn(cf_fiber_call_t *c) {
  (void)c;
  for (;;)
    cf_fiber_sleep(1);
  return 0;
}
CF_EXPORT_FIBER(fiber_stubborn_export, "fiber_stubborn", fiber_stubborn,
                &stubborn_opts)

static long recurse(int depth) {
  volatile char pad[32];
  pad[0] = (char)depth;
  if (depth == 0)
    return cf_fiber_yield() < 0 ? -1000000 : pad[0];
  return recurse(depth - 1) + 1 + pad[0] - (char)depth;
}
static const cf_fiber_options_t deep_opts = {"deep", 256 * 1024, 256 * 1024, 0};
static int fiber_deep(cf_fiber_call_t *c) {
  cf_fiber_call_return_number(c,
                              (double)recurse((int)cf_args_number(c->args, 0)));
  return 0;
}
CF_EXPORT_FIBER(fiber_deep_export, "fiber_deep", fiber_deep, &deep_opts)

/* The same with a 256-byte Asyncify buffer: overflowed by the recursion,
 * reported by name (the process aborts; tested in a child process). */
static const cf_fiber_options_t small_opts = {"small-buffer", 0, 256, 0};
CF_EXPORT_FIBER(fiber_deep_small_export, "fiber_deep_small", fiber_deep,
                &small_opts)

static int sleepy(void *arg) {
  int rc = cf_fiber_sleep(1 + (int)(intptr_t)arg % 3);
  return rc < 0 ? rc : 1;
}
static int fiber_many(cf_fiber_call_t *c) {
  cf_join_set_t set;
  int n = (int)cf_args_number(c->args, 0), i, done = 0;
  cf_runtime_t *rt = cf_fiber_runtime();
  cf_join_set_init(&set, rt);
  for (i = 0; i < n; i++) {
    cf_fiber_t f;
    if (cf_fiber_init(&f, sleepy, (void *)(intptr_t)i, NULL) < 0)
      break;
    if (CF_JOIN_SET_SPAWN(&set, &f, "sleepy", NULL) < 0) {
      cf_future_drop(&f.co.base);
      break;
    }
  }
  for (;;) {
    cf_join_next_t next;
    int rc;
    cf_join_next_init(&next, &set);
    rc = cf_await(&next.base);
    cf_future_drop(&next.handle.base);
    cf_future_drop(&next.base);
    if (rc == CF_EEMPTY || rc == CF_ECANCELED)
      break;
    done += rc == 1;
  }
  cf_join_set_drop(&set);
  cf_fiber_call_return_number(c, done);
  return 0;
}
CF_EXPORT_FIBER(fiber_many_export, "fiber_many", fiber_many, NULL)

/* counts: an ordinary stackless export */
typedef struct counts {
  cf_future_t base;
  char out[160];
} counts_t;
static cf_poll_t counts_poll(cf_future_t *f, cf_context_t *cx) {
  (void)cx;
  f->rc = 0;
  return CF_READY;
}
static const cf_future_vtable_t counts_vt = {"counts", counts_poll, NULL, 0};
static int counts_init(cf_future_t *f, const cf_args_t *a) {
  counts_t *self = (counts_t *)f;
  cf_fiber_stats_t st;
  (void)a;
  cf_future_init(f, &counts_vt);
  cf_fiber_stats(&st);
  snprintf(self->out, sizeof self->out,
           "{\"unwound\":%d,\"live\":%zu,\"abandoned\":%llu,"
           "\"liveBytes\":%zu,\"created\":%llu}",
           unwound, st.live, (unsigned long long)st.abandoned, t_live_bytes(),
           (unsigned long long)st.created);
  return 0;
}
static void counts_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_json(((const counts_t *)f)->out);
}
CF_EXPORT_ASYNC(counts_export, "fiber_counts", counts_t, counts_init,
                counts_result)

/* plain_spin(n): a stackless loop of n CF_YIELDs */
typedef struct spin {
  cf_async_t co;
  int n, i;
} spin_t;
static cf_poll_t spin_poll(cf_future_t *f, cf_context_t *cx) {
  spin_t *self = (spin_t *)f;
  CF_BEGIN(self);
  for (self->i = 0; self->i < self->n; self->i++)
    CF_YIELD(self);
  CF_END(self, 0);
}
CF_ASYNC_VTABLE(spin_vt, "spin", spin_poll, NULL);
static int spin_init(cf_future_t *f, const cf_args_t *a) {
  spin_t *self = (spin_t *)f;
  CF_ASYNC_INIT(self, &spin_vt);
  self->n = (int)cf_args_number(a, 0);
  return 0;
}
CF_EXPORT_ASYNC(spin_export, "plain_spin", spin_t, spin_init, NULL)
