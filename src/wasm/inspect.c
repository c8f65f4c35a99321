/* inspect.c: runtime statistics and the task inspector for the JS
 * bindings (rt.stats(), rt.tasks()). Kept apart from api.c: only modules
 * that export _cfw_runtime_stats / _cfw_tasks (bindings/exports.txt does)
 * link them, and with them cf_runtime_tasks and its sort.
 *
 * Structures cross the boundary as arrays of doubles (exact for integers up
 * to 2^53), so the JS side never depends on C struct layout. */
#include <emscripten.h>
#include <stddef.h>
#include <stdint.h>

#include "cfuture/alloc.h"
#include "cfuture/error.h"
#include "cfuture/runtime.h"
#include "exports.h"

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
