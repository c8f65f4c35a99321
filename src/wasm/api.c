/* api.c: the C entry points the JS bindings call that are not tied to one
 * kind of host op: runtime lifetime, turns, errors and memory (stats and
 * the task inspector are in inspect.c, so a module that does not export
 * them does not link them).
 *
 * Structures cross the boundary as arrays of doubles (exact for integers up
 * to 2^53), so the JS side never depends on C struct layout. */
#include <emscripten.h>
#include <stddef.h>

#include "cfuture/alloc.h"
#include "cfuture/error.h"
#include "cfuture/runtime.h"
#include "exports.h"

/* Returns the runtime, or 0 (out of memory). */
EMSCRIPTEN_KEEPALIVE cf_runtime_t *
cfw_runtime_new(double budget_polls, double budget_ms, double coop_budget) {
  cf_runtime_options_t o = {0};
  cf_runtime_t *rt = NULL;
  o.budget_polls = (uint32_t)budget_polls;
  o.budget_ms = (int64_t)budget_ms;
  o.coop_budget = (uint32_t)coop_budget;
  return cf_runtime_new(&rt, &o) == 0 ? rt : NULL;
}

/* Safe from anywhere, also from a host function C is awaiting (rt.dispose()
 * inside it): inside a turn or host completion the free is deferred until
 * that unwinds (see cf_runtime_free). Either way JS must not pass rt to C
 * again. */
EMSCRIPTEN_KEEPALIVE void cfw_runtime_free(cf_runtime_t *rt) {
  cf_runtime_free(rt);
}

/* Polls made, CF_EDEADLK when called inside a poll, or CF_ESHUTDOWN when
 * the runtime was freed during this turn (or is being freed): rt is gone. */
EMSCRIPTEN_KEEPALIVE int cfw_runtime_turn(cf_runtime_t *rt) {
  return rt ? cf_runtime_turn(rt) : CF_EINVAL;
}

EMSCRIPTEN_KEEPALIVE void *cfw_malloc(size_t n) {
  return cf_malloc(n);
}
EMSCRIPTEN_KEEPALIVE void cfw_free(void *p, size_t n) {
  cf_free(p, n);
}
