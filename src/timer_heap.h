/* timer_heap.h: a 4-ary min-heap ordered by (deadline, seq) over embedded
 * cf_timer_t registrations: the part of the timer queue (timer_wheel.h)
 * that holds deadlines beyond the wheel's window. Each slot keeps
 * its key inline beside the pointer, so sifting compares keys in the array
 * without touching the timers themselves (which are scattered in futures).
 * Invariants: items[i].t->where == i for every entry in the heap (and
 * i < 2^31); entries removed get where == CF_TIMER_IDLE; seq is unique
 * per push, so the order is total and equal deadlines pop in push order.
 * Costs: push and remove O(log n), peek O(1); no allocation except the
 * geometric growth of `items`. */
#ifndef CF_TIMER_HEAP_H
#define CF_TIMER_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "cfuture/time.h"

typedef struct cf_timer_slot {
  int64_t deadline;
  uint64_t seq;
  cf_timer_t *t;
} cf_timer_slot_t;

typedef struct cf_timer_heap {
  cf_timer_slot_t *items;
  uint32_t len, cap;
  uint64_t next_seq;
} cf_timer_heap_t;

void cf__timer_heap_init(cf_timer_heap_t *h);
void cf__timer_heap_free(cf_timer_heap_t *h);
/* Insert `t` (not in the heap) with t->deadline set. Returns 0 or
 * CF_ENOMEM (t untouched). */
int cf__timer_heap_push(cf_timer_heap_t *h, cf_timer_t *t);
/* Remove `t` (must be in this heap). */
void cf__timer_heap_remove(cf_timer_heap_t *h, cf_timer_t *t);
static inline cf_timer_t *cf__timer_heap_peek(const cf_timer_heap_t *h) {
  return h->len ? h->items[0].t : NULL;
}

#endif
