/* fiber_export.c: the frame behind CF_EXPORT_FIBER (see
 * cfuture/fiber_export.h): a stackless future that embeds a cf_fiber_t,
 * creates it at its first poll (when the frame is pinned, so the fiber's
 * argument, the frame's cf_fiber_call_t, has a stable address) and awaits
 * it. Owns the copy of a text result until the frame is dropped.
 * Invariants: `started` is set once the fiber was initialised (or failed
 * to); co.awaiting points at the fiber while it runs, so the inspector
 * shows what the fiber awaits. Costs: one fiber (fiber.h) per call. */
#include <string.h>

#include "cfuture/alloc.h"
#include "cfuture/error.h"
#include "cfuture/fiber_export.h"

static cf_poll_t export_poll(cf_future_t *f, cf_context_t *cx) {
  cf_fiber_export_frame_t *self = (cf_fiber_export_frame_t *)f;
  if (!self->started) {
    cf_fiber_options_t o = {NULL, 0, 0, 0};
    int rc;
    if (self->opts)
      o = *self->opts;
    if (!o.name)
      o.name = self->name;
    self->started = 1;
    /* fn itself is the fiber's bottom frame: on wasm every frame below
     * cf_await is saved and restored at each switch */
    rc = cf__fiber_init_call(&self->fib, self->fn, &self->call, &o);
    if (rc < 0) {
      f->rc = rc;
      return CF_READY;
    }
  }
  self->co.awaiting = &self->fib.co.base;
  if (cf_future_poll(&self->fib.co.base, cx) == CF_PENDING)
    return CF_PENDING;
  self->co.awaiting = NULL;
  f->rc = self->fib.co.base.rc;
  return CF_READY;
}

static void export_drop(cf_future_t *f) {
  cf_fiber_export_frame_t *self = (cf_fiber_export_frame_t *)f;
  self->co.awaiting = NULL;
  cf_future_drop(&self->fib.co.base); /* unwinds a suspended fiber */
  cf_free(self->call.owned, self->call.owned_size);
  self->call.owned = NULL;
}

static const cf_future_vtable_t export_vt = {"fiber_call", export_poll,
                                             export_drop, CF_VT_ASYNC};

int cf__fiber_export_init(cf_future_t *f, const cf_args_t *args,
                          cf_fiber_export_fn fn, const char *name,
                          const cf_fiber_options_t *opts) {
  cf_fiber_export_frame_t *self = (cf_fiber_export_frame_t *)f;
  memset(self, 0, sizeof *self);
  cf_async_init(&self->co, &export_vt);
  self->fn = fn;
  self->opts = opts;
  self->name = name;
  self->call.args = args;
  return fn ? 0 : CF_EINVAL;
}

void cf__fiber_export_result(const cf_future_t *f, cf_value_t *out) {
  *out = ((const cf_fiber_export_frame_t *)f)->call.result;
}

int cf_fiber_call_return_text(cf_fiber_call_t *c, const char *s, size_t len,
                              int json) {
  char *copy = cf_malloc(len + 1);
  if (!copy)
    return CF_ENOMEM;
  memcpy(copy, s, len);
  copy[len] = 0;
  cf_free(c->owned, c->owned_size);
  c->owned = copy;
  c->owned_size = len + 1;
  c->result.type = json ? CF_JS_JSON : CF_JS_STRING;
  c->result.number = 0;
  c->result.data = copy;
  c->result.len = len;
  return 0;
}
