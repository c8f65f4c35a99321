/* fuzz_alloc.h: the fuzz targets' allocator (one per target program, each
 * a single translation unit): it counts live bytes, so a target can check
 * that everything was released, and fails the next allocation once when
 * fz_fail_next is set, so a target can drive the out-of-memory paths.
 * fz_alloc_install resets both and installs it. */
#ifndef CF_FUZZ_ALLOC_H
#define CF_FUZZ_ALLOC_H

#include <stdlib.h>

#include "cfuture/alloc.h"

static size_t fz_live_bytes;
static int fz_fail_next;

static void *fz_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  if (nsize == 0) {
    if (ptr)
      fz_live_bytes -= osize;
    free(ptr);
    return NULL;
  }
  if (fz_fail_next) {
    fz_fail_next = 0;
    return NULL;
  }
  ptr = realloc(ptr, nsize);
  if (ptr) {
    fz_live_bytes -= osize; /* osize is 0 for a new block */
    fz_live_bytes += nsize;
  }
  return ptr;
}

static void fz_alloc_install(void) {
  fz_live_bytes = 0;
  fz_fail_next = 0;
  cf_set_allocator(fz_alloc, NULL);
}

#endif
