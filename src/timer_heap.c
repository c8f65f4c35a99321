/* timer_heap.c: 4-ary min-heap of timers; see timer_heap.h for the
 * invariants. A 4-ary heap halves the depth of a binary one, and sift-down
 * compares four children that sit in one or two cache lines. */
#include "timer_heap.h"

#include "cfuture/alloc.h"
#include "cfuture/error.h"

#define ARITY 4u

static int before(const cf_timer_slot_t *a, const cf_timer_slot_t *b) {
  return a->deadline < b->deadline ||
         (a->deadline == b->deadline && a->seq < b->seq);
}

static void place(cf_timer_heap_t *h, uint32_t i, cf_timer_slot_t e) {
  h->items[i] = e;
  e.t->where = i;
}

static void sift_up(cf_timer_heap_t *h, uint32_t i, cf_timer_slot_t e) {
  while (i > 0) {
    uint32_t parent = (i - 1) / ARITY;
    if (!before(&e, &h->items[parent]))
      break;
    place(h, i, h->items[parent]);
    i = parent;
  }
  place(h, i, e);
}

static void sift_down(cf_timer_heap_t *h, uint32_t i, cf_timer_slot_t e) {
  for (;;) {
    uint32_t first = i * ARITY + 1, best, c, end;
    if (first >= h->len)
      break;
    best = first;
    end = first + ARITY < h->len ? first + ARITY : h->len;
    for (c = first + 1; c < end; c++)
      if (before(&h->items[c], &h->items[best]))
        best = c;
    if (!before(&h->items[best], &e))
      break;
    place(h, i, h->items[best]);
    i = best;
  }
  place(h, i, e);
}

void cf__timer_heap_init(cf_timer_heap_t *h) {
  h->items = NULL;
  h->len = h->cap = 0;
  h->next_seq = 0;
}

void cf__timer_heap_free(cf_timer_heap_t *h) {
  uint32_t i;
  for (i = 0; i < h->len; i++)
    h->items[i].t->where = CF_TIMER_IDLE;
  cf_free(h->items, (size_t)h->cap * sizeof *h->items);
  cf__timer_heap_init(h);
}

int cf__timer_heap_push(cf_timer_heap_t *h, cf_timer_t *t) {
  if (h->len == h->cap) {
    uint32_t ncap = h->cap ? h->cap * 2 : 64;
    cf_timer_slot_t *n;
    if (ncap <= h->cap || ncap > 0x80000000u) /* indices stay below 2^31 */
      return CF_ENOMEM;
    n = cf_realloc(h->items, (size_t)h->cap * sizeof *n,
                   (size_t)ncap * sizeof *n);
    if (!n)
      return CF_ENOMEM;
    h->items = n;
    h->cap = ncap;
  }
  {
    cf_timer_slot_t e;
    e.deadline = t->deadline;
    e.seq = h->next_seq++;
    e.t = t;
    sift_up(h, h->len++, e);
  }
  return 0;
}

/* Give memory back once the heap is mostly empty, so a burst of timers
 * does not pin its peak size for the runtime's lifetime. */
static void maybe_shrink(cf_timer_heap_t *h) {
  uint32_t ncap = h->cap / 2;
  cf_timer_slot_t *n;
  if (h->cap <= 64 || h->len > h->cap / 4)
    return;
  n = cf_realloc(h->items, (size_t)h->cap * sizeof *n,
                 (size_t)ncap * sizeof *n);
  if (n) {
    h->items = n;
    h->cap = ncap;
  }
}

void cf__timer_heap_remove(cf_timer_heap_t *h, cf_timer_t *t) {
  uint32_t i = t->where;
  cf_timer_slot_t last = h->items[--h->len];
  t->where = CF_TIMER_IDLE;
  if (last.t != t) {
    if (i > 0 && before(&last, &h->items[(i - 1) / ARITY]))
      sift_up(h, i, last);
    else
      sift_down(h, i, last);
  }
  maybe_shrink(h);
}
