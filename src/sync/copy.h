/* copy.h (internal): copying a channel item. Items are usually a word or
 * two; a memcpy of constant size compiles to a load and a store, one of
 * variable size is a call into libc (on wasm, per item sent and received). */
#ifndef CF_SYNC_COPY_H
#define CF_SYNC_COPY_H

#include <stddef.h>
#include <string.h>

static inline void cf__item_copy(void *dst, const void *src, size_t n) {
  switch (n) {
  case 4:
    memcpy(dst, src, 4);
    break;
  case 8:
    memcpy(dst, src, 8);
    break;
  case 16:
    memcpy(dst, src, 16);
    break;
  default:
    memcpy(dst, src, n);
  }
}

#endif
