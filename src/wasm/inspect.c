/* inspect.c: runtime statistics and the task inspector for the JS
 * bindings (rt.stats(), rt.tasks()). Kept apart from api.c: only modules
 * that export _cfw_runtime_stats / _cfw_tasks (the generated export list does)
 * link them, and with them cf_runtime_tasks and its sort.
 *
 * Structures cross the boundary as arrays of doubles laid out by
 * records.h (the JS field names are generated from the same lists), so
 * the JS side never depends on C struct layout. */
#include <emscripten.h>
#include <stddef.h>
#include <stdint.h>

#include "cfuture/alloc.h"
#include "cfuture/error.h"
#include "cfuture/runtime.h"
#include "exports.h"
#include "records.h"

/* out[CFW_STATS_COUNT]: the fields of CFW_STATS_FIELDS, in order. */
EMSCRIPTEN_KEEPALIVE void cfw_runtime_stats(cf_runtime_t *rt, double *out) {
  cf_runtime_stats_t s;
  size_t k = 0;
  cf_runtime_stats(rt, &s);
#define PUT(name, expr) out[k++] = (double)(expr);
  CFW_STATS_FIELDS(PUT)
#undef PUT
}

/* Fill up to `cap` tasks as CFW_TASK_COUNT doubles each (CFW_TASK_FIELDS).
 * Returns the number of live tasks (which may exceed cap), or CF_ENOMEM. */
EMSCRIPTEN_KEEPALIVE int cfw_tasks(cf_runtime_t *rt, double *out, int cap) {
  size_t n, i, want = cap > 0 ? (size_t)cap : 0;
  cf_task_info_t *info = want ? cf_malloc(want * sizeof *info) : NULL;
  if (want && !info)
    return CF_ENOMEM;
  n = cf_runtime_tasks(rt, info, want);
  for (i = 0; i < n && i < want; i++) {
    const cf_task_info_t t = info[i];
    double *o = out + i * CFW_TASK_COUNT;
    size_t k = 0;
#define PUT(name, expr) o[k++] = (double)(expr);
    CFW_TASK_FIELDS(PUT)
#undef PUT
  }
  cf_free(info, want * sizeof *info);
  return (int)n;
}
