/* copy.h (internal): copying a short block whose size is known only at run
 * time: a channel item (usually a word or two) or a future moved into its
 * task at spawn (a bare future is 16 bytes on wasm32). A memcpy of
 * constant size compiles to a load and a store, one of variable size is a
 * call into libc (on wasm, per item sent and received and per spawn: ~4%
 * of W1 in a profile). */
#ifndef CF_COPY_H
#define CF_COPY_H

#include <stddef.h>
#include <string.h>

static inline void cf__copy_short(void *dst, const void *src, size_t n) {
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
