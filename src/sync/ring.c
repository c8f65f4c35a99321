/* ring.c: allocation for the internal ring buffer (see ring.h). Sizes are
 * checked for overflow before multiplying. */
#include "ring.h"

#include <stdint.h>

#include "cfuture/alloc.h"
#include "cfuture/error.h"

int cf__ring_init(cf__ring_t *r, size_t item_size, size_t cap) {
  r->buf = NULL;
  r->item_size = item_size;
  r->cap = 0;
  r->head = r->len = 0;
  if (cap == 0)
    return 0;
  if (cap > SIZE_MAX / item_size)
    return CF_ENOMEM;
  r->buf = cf_malloc(cap * item_size);
  if (!r->buf)
    return CF_ENOMEM;
  r->cap = cap;
  return 0;
}

void cf__ring_free(cf__ring_t *r) {
  if (r->buf)
    cf_free(r->buf, r->cap * r->item_size);
  r->buf = NULL;
  r->cap = r->len = r->head = 0;
}

int cf__ring_grow(cf__ring_t *r) {
  size_t ncap = r->cap ? r->cap * 2 : 8, i;
  unsigned char *nb;
  if (ncap < r->cap || ncap > SIZE_MAX / r->item_size)
    return CF_ENOMEM;
  nb = cf_malloc(ncap * r->item_size);
  if (!nb)
    return CF_ENOMEM;
  /* Unwrap into the new buffer so head is 0 again (len > 0 only with a
   * buffer: the test says so to the static analyser too). */
  for (i = 0; r->cap && i < r->len; i++)
    memcpy(nb + i * r->item_size,
           r->buf + ((r->head + i) % r->cap) * r->item_size, r->item_size);
  if (r->buf)
    cf_free(r->buf, r->cap * r->item_size);
  r->buf = nb;
  r->cap = ncap;
  r->head = 0;
  return 0;
}
