/* timer_wheel.h: the runtime's timer queue: a timing wheel of exact
 * tick slots in front of a binary heap of later deadlines. The queue is
 * unit-agnostic; the runtime counts ticks (CF_TICKS_PER_MS per ms, so the
 * window is 2 s).
 *
 * The wheel covers the window [base, base + CF_WHEEL_SLOTS) ticks: slot
 * `deadline & (CF_WHEEL_SLOTS - 1)` holds exactly the timers due at that
 * one deadline, in start order, as a FIFO of blocks of timer pointers
 * (cf_wblock_t, CF_WBLOCK_N entries: one 64-byte line on wasm32). Why
 * blocks and not a list through the timers: the expiry of a burst then
 * reads the next timer's address from a block already in cache instead
 * of from the previous timer, so the cache misses on the timers of a
 * burst overlap (a list made them one dependent load after another: ~150
 * ns each in W5, bench/README.md). A cancelled timer's entry becomes NULL
 * and is skipped; entries are never moved. An occupancy bitmap (one bit
 * per slot) finds the first non-empty slot at or after `base` with one
 * count-trailing-zeros after at most CF_WHEEL_WORDS (64) word tests. Timers due
 * at or beyond base + CF_WHEEL_SLOTS at their start go to a binary heap
 * (`far`) of timer pointers ordered by (deadline, seq), where they stay
 * until they fire or are cancelled; a far timer's `where` is its index and
 * its seq (unique per heap insert) breaks ties. base moves up to the clock
 * at each expiry pass (and when the queue is empty at an insert).
 *
 * Invariants:
 *   - every wheel timer has base <= deadline < base + CF_WHEEL_SLOTS, so
 *     a slot never mixes deadlines and slot order from base is deadline
 *     order;
 *   - base never decreases, so once a deadline is inside the window every
 *     later timer with that deadline goes to the wheel: for one deadline,
 *     the heap's timers (in seq order) were all started before the
 *     wheel's (in FIFO order); the earliest timer is the earlier of the
 *     wheel's first and the heap's top, the heap's on a tie;
 *   - t->where is CF_TIMER_IDLE (not armed), CF_TIMER_WHEEL | slot, or
 *     t's index in the far heap (< CF_TIMER_WHEEL), and far[where] == t;
 *     len counts both parts;
 *   - a slot's bit is set iff it holds a live timer; then slots[p] is its
 *     tail block, its blocks form a circle (next: toward the tail, the
 *     tail's next is the head block; prev: back), every one of them holds
 *     a live entry (live > 0: a block whose last live entry goes leaves
 *     the slot), and the head block's entry t[head] is live; a wheel
 *     timer's u.w names its block and entry. So cancelled entries (NULL,
 *     skipped) cost at most the blocks that also hold a live timer: at
 *     most one block per pending timer, not one entry per start (under
 *     random cancels, by estimate, ~3x the blocks of a compact FIFO).
 * Costs: insert, cancel and expiry of a timer due within the window are
 * O(1) amortized (a bit operation and a block entry; blocks are recycled
 * through a spare list, so the allocator is called only when more are in
 * use than ever before); the earliest deadline (peek) is O(1) (a bitmap
 * scan of at most 1 KiB); a timer
 * due beyond the window at its start pays O(log n) to enter the heap and
 * to leave it. Memory: the slot array (CF_WHEEL_SLOTS pointers: 32 KiB on
 * wasm32, 64 KiB on 64-bit), allocated by the first timer and kept until
 * cf__timers_free; one block per CF_WBLOCK_N entries (at least one per
 * occupied slot), kept as spares until cf__timers_free; the bitmap lives
 * in the structure (1 KiB); the heap's pointer array grows
 * geometrically (and is kept: deadlines this far ahead are rare). */
#ifndef CF_TIMER_WHEEL_H
#define CF_TIMER_WHEEL_H

#include <stdint.h>

#include "cfuture/time.h"

/* 2 s of quarter-ms ticks: a window that holds the 1 s timers of W5's
 * burst (bench/README.md) with their start spread, so they stay O(1) */
#define CF_WHEEL_BITS 13u
#define CF_WHEEL_SLOTS (1u << CF_WHEEL_BITS) /* ticks covered by the wheel */
#define CF_WHEEL_WORDS (CF_WHEEL_SLOTS / 64u)
/* t->where of a wheel timer: this bit | its slot (heap indices are below
 * it, and CF_TIMER_IDLE is never a wheel slot: CF_WHEEL_SLOTS < 2^31). */
#define CF_TIMER_WHEEL 0x80000000u

#define CF_WBLOCK_N 13u
typedef struct cf_wblock {
  struct cf_wblock *next; /* in a slot: toward its tail (circular); spare:
                             the next spare */
  struct cf_wblock *prev; /* in a slot: toward its head */
  uint8_t head, tail;     /* t[head, tail): entries not yet popped */
  uint8_t live;           /* entries in t[head, tail) not NULL */
  cf_timer_t *t[CF_WBLOCK_N];
} cf_wblock_t;

typedef struct cf_timers {
  cf_wblock_t **slots; /* CF_WHEEL_SLOTS tail blocks (valid where occ has
                          its bit); NULL until the first timer */
  cf_wblock_t *spare;  /* blocks not in a slot */
  cf_timer_t **far;    /* binary min-heap by (deadline, seq) */
  uint64_t occ[CF_WHEEL_WORDS]; /* bit p: slot p is not empty */
  int64_t base;
  uint64_t next_seq;
  uint32_t len, wheel_len, far_len, far_cap;
} cf_timers_t;

void cf__timers_init(cf_timers_t *q);
/* Release the structure's memory; q must be empty (len == 0), and is
 * unusable until initialised again. */
void cf__timers_free(cf_timers_t *q);
/* Add `t` (not armed, t->deadline set). `now` is a clock reading, maybe
 * rounded up to the next unit: every deadline inserted later is >= now and
 * every later expiry time is >= now - 1 (true of any reading of the
 * runtime's clock, which is monotonic, whole ticks, and never starts a
 * timer due by then). Returns 0 or CF_ENOMEM (t untouched). */
int cf__timers_insert(cf_timers_t *q, cf_timer_t *t, int64_t now);
/* Remove `t` (armed in q). */
void cf__timers_remove(cf_timers_t *q, cf_timer_t *t);
/* The timer that fires first (earliest deadline, then start order), or
 * NULL if there is none. */
cf_timer_t *cf__timers_peek(const cf_timers_t *q);
/* Load the first k timers of the earliest wheel slot (fewer if it has
 * fewer), changing nothing: pops that follow find them in cache, and the
 * cache misses of a burst's timers overlap instead of coming one per pop
 * (wasm has no prefetch instruction; these are plain loads). */
void cf__timers_touch(const cf_timers_t *q, uint32_t k);
/* Remove and return the first timer if its deadline is <= now, else NULL
 * (and the window moves up to now + 1: nothing left is due by now). */
cf_timer_t *cf__timers_pop_due(cf_timers_t *q, int64_t now);

#endif
