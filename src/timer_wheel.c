/* timer_wheel.c: the timer queue (exact-ms wheel in front of a heap); see
 * timer_wheel.h for the layout, the invariants and the costs.
 *
 * Why exact slots rather than a hierarchical wheel: the runtime must arm
 * its one host timer for the earliest deadline itself (the driver contract
 * and the virtual clock depend on it), and a slot that spans many
 * milliseconds only knows a lower bound of its earliest deadline. Here
 * the first occupied slot from base is the earliest deadline, found with
 * the bitmap in O(1); only deadlines beyond the window (4 s by default)
 * pay the heap's O(log n), and nothing ever scans a slot. */
#include "timer_wheel.h"

#include <string.h>

#include "cfuture/alloc.h"
#include "cfuture/error.h"

#define MASK (CF_WHEEL_SLOTS - 1u)

static int ctz64(uint64_t x) {
  return __builtin_ctzll(x);
}

/* Slot of the earliest wheel deadline: the first occupied slot at or
 * after base's position, circularly (requires wheel_len > 0). */
static uint32_t first_slot(const cf_timers_t *q) {
  uint32_t p = (uint32_t)q->base & MASK, w = p >> 6;
  uint64_t bits = q->occ[w] & (~(uint64_t)0 << (p & 63u)), s;
  if (bits)
    return (w << 6) | (uint32_t)ctz64(bits);
  s = w + 1 < 64 ? q->summary & (~(uint64_t)0 << (w + 1)) : 0;
  if (!s) /* wrap: words 0..w, whose set bits are all before p */
    s = q->summary;
  w = (uint32_t)ctz64(s);
  return (w << 6) | (uint32_t)ctz64(q->occ[w]);
}

/* Deadlines inside the window: d - base < CF_WHEEL_SLOTS (d >= base). */
static int in_window(const cf_timers_t *q, int64_t d) {
  return (uint64_t)d - (uint64_t)q->base < CF_WHEEL_SLOTS;
}

static void link_tail(cf_timers_t *q, cf_timer_t *t, int64_t d) {
  uint32_t p = (uint32_t)d & MASK;
  cf_timer_t *h = q->slots[p];
  if (!h) {
    q->slots[p] = t;
    t->next = t->prev = t;
    q->occ[p >> 6] |= (uint64_t)1 << (p & 63u);
    q->summary |= (uint64_t)1 << (p >> 6);
  } else {
    t->prev = h->prev;
    t->next = h;
    h->prev->next = t;
    h->prev = t;
  }
  t->where = CF_TIMER_WHEEL | p;
  q->wheel_len++;
}

static void unlink_wheel(cf_timers_t *q, cf_timer_t *t) {
  uint32_t p = t->where & MASK;
  if (t->next == t) {
    q->slots[p] = NULL;
    q->occ[p >> 6] &= ~((uint64_t)1 << (p & 63u));
    if (!q->occ[p >> 6])
      q->summary &= ~((uint64_t)1 << (p >> 6));
  } else {
    t->prev->next = t->next;
    t->next->prev = t->prev;
    if (q->slots[p] == t)
      q->slots[p] = t->next;
  }
  t->next = t->prev = NULL;
  t->where = CF_TIMER_IDLE;
  q->wheel_len--;
}

/* Move the window up to nb (every wheel timer must be >= nb) and pull
 * into it the far timers it now covers, in (deadline, start) order. */
static void advance(cf_timers_t *q, int64_t nb) {
  cf_timer_t *t;
  if (nb <= q->base)
    return;
  q->base = nb;
  while ((t = cf__timer_heap_peek(&q->far)) != NULL &&
         in_window(q, t->deadline)) {
    cf__timer_heap_remove(&q->far, t);
    link_tail(q, t, t->deadline);
  }
}

void cf__timers_init(cf_timers_t *q) {
  memset(q, 0, sizeof *q);
  q->base = INT64_MIN;
  cf__timer_heap_init(&q->far);
}

void cf__timers_free(cf_timers_t *q) {
  while (q->wheel_len)
    unlink_wheel(q, q->slots[first_slot(q)]);
  cf_free(q->slots, CF_WHEEL_SLOTS * sizeof *q->slots);
  cf__timer_heap_free(&q->far);
  cf__timers_init(q);
}

int cf__timers_insert(cf_timers_t *q, cf_timer_t *t, int64_t lo) {
  int64_t d = t->deadline;
  if (!q->slots) { /* also before a far timer: migration never allocates */
    q->slots = cf_malloc(CF_WHEEL_SLOTS * sizeof *q->slots);
    if (!q->slots)
      return CF_ENOMEM;
    memset(q->slots, 0, CF_WHEEL_SLOTS * sizeof *q->slots);
  }
  if (d < q->base) {
    /* Outside the contract (a lo that was too high): file it with the
     * window's first slot, so it fires late rather than never (and, like
     * everything here, never early). */
    d = q->base;
  } else if (!in_window(q, d) && lo < INT64_MAX) {
    /* The window lags behind the clock (no expiry ran lately): move it
     * up to lo + 1 if no wheel timer is before that, before settling for
     * the heap. */
    if (!q->wheel_len || q->slots[first_slot(q)]->deadline > lo)
      advance(q, lo + 1);
  }
  if (in_window(q, d)) {
    link_tail(q, t, d);
  } else {
    int err = cf__timer_heap_push(&q->far, t);
    if (err < 0)
      return err;
  }
  q->len++;
  return 0;
}

void cf__timers_remove(cf_timers_t *q, cf_timer_t *t) {
  if (t->where & CF_TIMER_WHEEL)
    unlink_wheel(q, t);
  else
    cf__timer_heap_remove(&q->far, t);
  q->len--;
}

cf_timer_t *cf__timers_peek(const cf_timers_t *q) {
  if (q->wheel_len)
    return q->slots[first_slot(q)];
  return cf__timer_heap_peek(&q->far);
}

cf_timer_t *cf__timers_pop_due(cf_timers_t *q, int64_t now) {
  cf_timer_t *t;
  if (q->wheel_len) {
    t = q->slots[first_slot(q)];
    if (t->deadline <= now) {
      unlink_wheel(q, t);
      q->len--;
      return t;
    }
  } else if ((t = cf__timer_heap_peek(&q->far)) != NULL && t->deadline <= now) {
    cf__timer_heap_remove(&q->far, t);
    q->len--;
    return t;
  }
  /* Nothing is due by now: the window may start after it. */
  if (now < INT64_MAX)
    advance(q, now + 1);
  return NULL;
}
