/* cfuture/alloc.h: the one allocator hook.
 *
 * Every allocation cfuture makes goes through one function of Lua's
 * lua_Alloc shape, so tests can count live bytes and inject failures, and
 * embedders can route memory to their own arena. When the hook returns NULL
 * for a non-zero request, the operation that needed it fails with
 * CF_ENOMEM; cfuture never aborts on allocation failure.
 */
#ifndef CFUTURE_ALLOC_H
#define CFUTURE_ALLOC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Allocate, resize or free.
 *   nsize == 0: free `ptr` (which may be NULL), return NULL.
 *   ptr == NULL: allocate nsize bytes (osize is 0).
 *   otherwise: resize the osize-byte block at ptr to nsize bytes.
 * Returned memory must be aligned for any object type (max_align_t). */
typedef void *(*cf_alloc_fn)(void *ud, void *ptr, size_t osize, size_t nsize);

/* Install the hook (NULL restores the default, built on realloc/free).
 * Change it only while no cfuture object is alive. */
void cf_set_allocator(cf_alloc_fn fn, void *ud);

/* The hook currently installed (and its user data through *ud, if ud). */
cf_alloc_fn cf_get_allocator(void **ud);

/* Convenience wrappers used by the library and available to users whose
 * futures own memory, so their bytes are counted with the runtime's. */
void *cf_malloc(size_t size);
void *cf_realloc(void *ptr, size_t osize, size_t nsize);
void cf_free(void *ptr, size_t size);

#ifdef __cplusplus
}
#endif
#endif
