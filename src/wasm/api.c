/* api.c: the C entry points the JS bindings call that are not tied to one
 * kind of host op: runtime lifetime, stats and the task inspector.
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
EMSCRIPTEN_KEEPALIVE cf_runtime_t *cfw_runtime_new(double budget_polls,
                                                   double budget_ms,
                                                   double coop_budget) {
  cf_runtime_options_t o = {0};
  cf_runtime_t *rt = NULL;
  o.budget_polls = (uint32_t)budget_polls;
  o.budget_ms = (int64_t)budget_ms;
  o.coop_budget = (uint32_t)coop_budget;
  return cf_runtime_new(&rt, &o) == 0 ? rt : NULL;
}

EMSCRIPTEN_KEEPALIVE void cfw_runtime_free(cf_runtime_t *rt) {
  cf_runtime_free(rt);
}

EMSCRIPTEN_KEEPALIVE int cfw_runtime_turn(cf_runtime_t *rt) {
  return cf_runtime_turn(rt);
}

/* out[10]: live_tasks, queued_tasks, live_wakers, live_timers, host_holds,
 * polls, wakes, turns, timer_arms, now. */
EMSCRIPTEN_KEEPALIVE void cfw_runtime_stats(cf_runtime_t *rt, double *out) {
  cf_runtime_stats_t s;
  cf_runtime_stats(rt, &s);
  out[0] = (double)s.live_tasks;
  out[1] = (double)s.queued_tasks;
  out[2] = (double)s.live_wakers;
  out[3] = (double)s.live_timers;
  out[4] = (double)s.host_holds;
  out[5] = (double)s.polls;
  out[6] = (double)s.wakes;
  out[7] = (double)s.turns;
  out[8] = (double)s.timer_arms;
  out[9] = (double)cf_runtime_now(rt);
}

#define TASK_FIELDS 8
/* Fill up to `cap` tasks as TASK_FIELDS doubles each: id, state, polls,
 * wakes, spawned_at, rc, name (char *), awaits (char *). Returns the
 * number of live tasks (which may exceed cap), or CF_ENOMEM. */
EMSCRIPTEN_KEEPALIVE int cfw_tasks(cf_runtime_t *rt, double *out, int cap) {
  size_t n, i, want = cap > 0 ? (size_t)cap : 0;
  cf_task_info_t *info = want ? cf_malloc(want * sizeof *info) : NULL;
  if (want && !info)
    return CF_ENOMEM;
  n = cf_runtime_tasks(rt, info, want);
  for (i = 0; i < n && i < want; i++) {
    double *o = out + i * TASK_FIELDS;
    o[0] = (double)info[i].id;
    o[1] = (double)info[i].state;
    o[2] = (double)info[i].polls;
    o[3] = (double)info[i].wakes;
    o[4] = (double)info[i].spawned_at;
    o[5] = (double)info[i].rc;
    o[6] = (double)(uintptr_t)info[i].name;
    o[7] = (double)(uintptr_t)info[i].awaits;
  }
  cf_free(info, want * sizeof *info);
  return (int)n;
}

EMSCRIPTEN_KEEPALIVE const char *cfw_err_name(int err) {
  return cf_err_name(err);
}
EMSCRIPTEN_KEEPALIVE const char *cfw_strerror(int err) {
  return cf_strerror(err);
}
EMSCRIPTEN_KEEPALIVE void *cfw_malloc(size_t n) { return cf_malloc(n); }
EMSCRIPTEN_KEEPALIVE void cfw_free(void *p, size_t n) { cf_free(p, n); }
