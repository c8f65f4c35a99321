/* alloc.c: the process-wide allocator hook (lua_Alloc shape).
 * Invariant: every byte cfuture allocates goes through `hook`, with the
 * exact size passed back on free, so a counting hook balances to zero. */
#include <stdlib.h>

#include "cfuture/alloc.h"

static void *default_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  (void)osize;
  if (nsize == 0) {
    free(ptr);
    return NULL;
  }
  /* malloc for a new block: realloc(NULL) is one more call (and branch)
   * in the allocator, on every spawn chunk, channel and oneshot. */
  return ptr ? realloc(ptr, nsize) : malloc(nsize);
}

static cf_alloc_fn hook = default_alloc;
static void *hook_ud;

void cf_set_allocator(cf_alloc_fn fn, void *ud) {
  hook = fn ? fn : default_alloc;
  hook_ud = fn ? ud : NULL;
}

cf_alloc_fn cf_get_allocator(void **ud) {
  if (ud)
    *ud = hook_ud;
  return hook;
}

void *cf_malloc(size_t size) {
  return size ? hook(hook_ud, NULL, 0, size) : NULL;
}

void *cf_realloc(void *ptr, size_t osize, size_t nsize) {
  if (nsize == 0) {
    if (ptr)
      hook(hook_ud, ptr, osize, 0);
    return NULL;
  }
  return hook(hook_ud, ptr, ptr ? osize : 0, nsize);
}

void cf_free(void *ptr, size_t size) {
  if (ptr)
    hook(hook_ud, ptr, size, 0);
}
