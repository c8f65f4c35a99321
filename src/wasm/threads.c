/* threads.c: the wasm side of the blocking pool (src/blocking.c) in the
 * threaded build (-pthread): releasing the Web Workers when the pool has no
 * thread left, and the one export the JS side uses to see the pool.
 *
 * Emscripten keeps a finished pthread's Worker for reuse, and a live Worker
 * keeps Node running; once the pool's last thread was joined (idle for
 * keep_alive_ms, or the runtime freed) cfjs_threads_idle terminates the
 * unused Workers, so an idle process exits by itself. The next spawn
 * creates a Worker again (a few ms). In the default build (no threads)
 * everything here is inert. Costs: nothing on any hot path. */
#include <emscripten.h>

#include "../runtime_internal.h"
#include "cfuture/blocking.h"

int cfw_threads_enabled(void);
int cfw_blocking_threads(cf_runtime_t *rt);

#ifdef __EMSCRIPTEN_PTHREADS__
void cfjs_threads_idle(void); /* bindings/lib/threads.js */

void cf__blocking_platform_idle(void) {
  cfjs_threads_idle();
}
#endif

/* 1 in the threaded build (shared memory, cf_spawn_blocking works). */
EMSCRIPTEN_KEEPALIVE int cfw_threads_enabled(void) {
#ifdef __EMSCRIPTEN_PTHREADS__
  return 1;
#else
  return 0;
#endif
}

/* Pool threads alive now (0 before the first spawn), for tests. */
EMSCRIPTEN_KEEPALIVE int cfw_blocking_threads(cf_runtime_t *rt) {
  cf_blocking_stats_t s;
  cf_blocking_stats(rt, &s);
  return (int)s.threads;
}
