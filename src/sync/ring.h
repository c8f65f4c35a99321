/* ring.h (internal): a ring buffer of fixed-size items for mpsc. Items are
 * copied in and out (copy.h). Cost: push/pop O(item_size); grow O(len)
 * (doubling, so amortised O(1) per push). */
#ifndef CF_SYNC_RING_H
#define CF_SYNC_RING_H

#include <stddef.h>
#include <string.h>

#include "../copy.h"

typedef struct cf__ring {
  unsigned char *buf;
  size_t item_size, cap, head, len;
} cf__ring_t;

/* 0 or CF_ENOMEM (cap may be 0: no buffer yet). */
int cf__ring_init(cf__ring_t *r, size_t item_size, size_t cap);
void cf__ring_free(cf__ring_t *r);
/* Double the capacity (at least 8). 0 or CF_ENOMEM (ring unchanged). */
int cf__ring_grow(cf__ring_t *r);

/* Wrap by comparison: a `%` is a division on every push and pop. */
static inline void cf__ring_push(cf__ring_t *r, const void *item) {
  size_t at = r->head + r->len;
  if (at >= r->cap)
    at -= r->cap;
  cf__copy_short(r->buf + at * r->item_size, item, r->item_size);
  r->len++;
}

static inline void cf__ring_pop(cf__ring_t *r, void *out) {
  if (out)
    cf__copy_short(out, r->buf + r->head * r->item_size, r->item_size);
  if (++r->head == r->cap)
    r->head = 0;
  r->len--;
}

#endif
