/* spare.h (internal): a runtime's spare blocks. Small objects made and
 * released inside task polls without a runtime argument (the oneshot
 * channel: one per request/reply) take and give blocks of one size,
 * CF_SPARE_BLOCK, through the runtime that is polling. Why: in a threaded
 * wasm build malloc and free each take a lock, which made request/reply
 * over a oneshot 10-13% slower than in the default build (the W10 tax).
 *
 * Invariants: every spare block was allocated with cf_malloc of
 * CF_SPARE_BLOCK bytes; a runtime keeps at most CF_SPARE_MAX of them and
 * gives them all back to the allocator whenever it goes idle or is freed
 * (cf__spare_release), so a counting allocator hook balances whenever the
 * runtime is idle, as with the task slab. A block taken from one runtime
 * may be given to another (same allocator hook: cf_set_allocator may only
 * change while nothing is alive). Outside a poll these are cf_malloc and
 * cf_free. Single-threaded per runtime, like everything in it. */
#ifndef CF_SPARE_H
#define CF_SPARE_H

#include "runtime_internal.h"

#include "cfuture/alloc.h"

#define CF_SPARE_BLOCK 64u
#define CF_SPARE_MAX 64u

static inline void *cf__spare_take(void) {
  cf_runtime_t *rt = cf__polling;
  void *p;
  if (rt && (p = rt->spare) != NULL) {
    rt->spare = *(void **)p;
    rt->spares--;
    return p;
  }
  return cf_malloc(CF_SPARE_BLOCK);
}

static inline void cf__spare_give(void *p) {
  cf_runtime_t *rt = cf__polling;
  if (rt && rt->spares < CF_SPARE_MAX && !rt->freeing) {
    *(void **)p = rt->spare;
    rt->spare = p;
    rt->spares++;
  } else {
    cf_free(p, CF_SPARE_BLOCK);
  }
}

/* Give every spare block back to the allocator. */
static inline void cf__spare_release(cf_runtime_t *rt) {
  void *p;
  while ((p = rt->spare) != NULL) {
    rt->spare = *(void **)p;
    cf_free(p, CF_SPARE_BLOCK);
  }
  rt->spares = 0;
}

#endif
