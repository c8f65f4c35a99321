/* timer_wheel.h: the runtime's timer queue: a timing wheel of exact
 * millisecond slots in front of a 4-ary heap (timer_heap.h).
 *
 * The wheel covers the window [base, base + CF_WHEEL_SLOTS) ms: slot
 * `deadline & (CF_WHEEL_SLOTS - 1)` holds exactly the timers due at that
 * one deadline, as a circular doubly linked FIFO through the timers
 * themselves, in start order. An occupancy bitmap (one bit per slot, plus
 * a summary word with one bit per bitmap word) finds the first non-empty
 * slot at or after `base` with two count-trailing-zeros. Timers due at or
 * beyond base + CF_WHEEL_SLOTS wait in the heap (`far`), ordered by
 * (deadline, start order); they move into the wheel, in that order, as
 * soon as base advances far enough (migration is eager: every time base
 * moves).
 *
 * Invariants:
 *   - every wheel timer has base <= deadline < base + CF_WHEEL_SLOTS, so
 *     a slot never mixes deadlines and slot order from base is deadline
 *     order; every far timer has deadline >= base + CF_WHEEL_SLOTS;
 *   - base never decreases, so once a deadline is inside the window no
 *     timer with that deadline is ever put in the heap: all timers of one
 *     deadline are in one place, in start order (the heap's sequence,
 *     then wheel FIFO order, which migration preserves);
 *   - t->where is CF_TIMER_IDLE (not armed), CF_TIMER_WHEEL | slot, or
 *     t's index in the far heap (< CF_TIMER_WHEEL); len counts both.
 * Costs: insert, cancel and expiry of a timer due within the window are
 * O(1) (a few word operations on the bitmap and a list splice, no
 * allocation); the earliest deadline (peek) is O(1); a timer due beyond
 * the window pays O(log n) once to enter the heap and once to migrate (or
 * be cancelled). Memory: the slot array (CF_WHEEL_SLOTS pointers: 16 KiB
 * on wasm32, 32 KiB on 64-bit), allocated by the first timer inside the
 * window and kept until cf__timers_free; the bitmap lives in the
 * structure (520 bytes); the heap grows geometrically and shrinks when
 * mostly empty. */
#ifndef CF_TIMER_WHEEL_H
#define CF_TIMER_WHEEL_H

#include <stdint.h>

#include "timer_heap.h"

#define CF_WHEEL_BITS 12u
#define CF_WHEEL_SLOTS (1u << CF_WHEEL_BITS)  /* ms covered by the wheel */
#define CF_WHEEL_WORDS (CF_WHEEL_SLOTS / 64u) /* <= 64: one summary word */
/* t->where of a wheel timer: this bit | its slot (heap indices are below
 * it, and CF_TIMER_IDLE is never a wheel slot: CF_WHEEL_SLOTS < 2^31). */
#define CF_TIMER_WHEEL 0x80000000u

typedef struct cf_timers {
  cf_timer_t **slots; /* CF_WHEEL_SLOTS list heads; NULL until needed */
  uint64_t occ[CF_WHEEL_WORDS];
  uint64_t summary; /* bit w: occ[w] != 0 */
  int64_t base;
  uint32_t len, wheel_len;
  cf_timer_heap_t far;
} cf_timers_t;

void cf__timers_init(cf_timers_t *q);
/* Release the structure's memory. Timers still in it are marked idle
 * (their wakers are the caller's to drop first). */
void cf__timers_free(cf_timers_t *q);
/* Add `t` (not armed, t->deadline set). `lo` bounds the clock from below:
 * every deadline inserted later is > lo and every later expiry time is
 * >= lo (time.c passes its clock reading minus one, which also covers a
 * reading rounded up). Returns 0 or CF_ENOMEM (t untouched). */
int cf__timers_insert(cf_timers_t *q, cf_timer_t *t, int64_t lo);
/* Remove `t` (armed in q). */
void cf__timers_remove(cf_timers_t *q, cf_timer_t *t);
/* The timer that fires first (earliest deadline, then start order), or
 * NULL if there is none. */
cf_timer_t *cf__timers_peek(const cf_timers_t *q);
/* Remove and return the first timer if its deadline is <= now, else NULL
 * (and the window moves up to now + 1: nothing left is due by now). */
cf_timer_t *cf__timers_pop_due(cf_timers_t *q, int64_t now);

#endif
