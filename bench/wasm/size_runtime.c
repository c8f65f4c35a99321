/* size_runtime.c: the W8 footprint probe. The smallest real use of the
 * runtime: one exported async function (rt.call) whose task awaits a host
 * Promise and then a timer. bench/wasm/extra.mjs links it at -Os with only
 * the exports the bindings need for that (runtime, rt.call, promise
 * completion, memory, error names; not fetch, not the inspector), loads
 * it once to check that it works, and reports its size. */
#include <cfuture.h>
#include <cfuture/wasm.h>

typedef struct probe {
  cf_async_t co;
  cf_promise_t p;
  cf_sleep_t nap;
  double got;
} probe_t;

static cf_poll_t probe_poll(cf_future_t *f, cf_context_t *cx) {
  probe_t *self = (probe_t *)f;
  CF_BEGIN(self);
  cf_js_call_init(&self->p, "val", NULL, CF_JS_NUMBER);
  CF_AWAIT(self, &self->p);
  if (self->p.base.rc < 0)
    CF_RETURN(self, self->p.base.rc);
  self->got = self->p.number;
  cf_future_drop(&self->p.base);
  cf_sleep_init(&self->nap, 1);
  CF_AWAIT(self, &self->nap);
  CF_END(self, self->nap.base.rc);
}
static void probe_cleanup(cf_future_t *f) {
  probe_t *self = (probe_t *)f;
  cf_future_drop(&self->p.base);
  cf_future_drop(&self->nap.base);
}
CF_ASYNC_VTABLE(probe_vt, "probe", probe_poll, probe_cleanup);

static int probe_init(cf_future_t *f, const cf_args_t *a) {
  (void)a;
  CF_ASYNC_INIT((probe_t *)f, &probe_vt);
  return 0;
}
static void probe_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_number(((const probe_t *)f)->got);
}
CF_EXPORT_ASYNC(probe_export, "probe", probe_t, probe_init, probe_result)
