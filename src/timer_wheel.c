/* timer_wheel.c: the timer queue (exact-ms wheel in front of a heap); see
 * timer_wheel.h for the layout, the invariants and the costs.
 *
 * Why exact slots rather than a hierarchical wheel: the runtime must arm
 * its one host timer for the earliest deadline itself (the driver contract
 * and the virtual clock depend on it), and a slot that spans many
 * milliseconds only knows a lower bound of its earliest deadline. Here
 * the first occupied slot from base is the earliest deadline, found with
 * the bitmap in O(1); only deadlines beyond the window (2 s)
 * pay the heap's O(log n), and nothing scans a slot (the head skips each
 * cancelled entry once; the expiry pass reads a batch ahead). A far timer
 * stays in the heap until it fires or is cancelled (no migration), so the
 * earliest timer is the earlier of the wheel's first and the heap's top. The
 * code is kept small on purpose: it is part of the 16 KB wasm runtime budget.
 */
#include "timer_wheel.h"

#include <string.h>

#include "cfuture/alloc.h"
#include "cfuture/error.h"

#define MASK (CF_WHEEL_SLOTS - 1u)
#define BIT(i) ((uint64_t)1 << ((i)&63u))

/* ---- far heap (binary, of pointers; far[i]->where == i) ---- */

static int before(const cf_timer_t *a, const cf_timer_t *b) {
  return a->deadline < b->deadline ||
         (a->deadline == b->deadline && a->u.seq < b->u.seq);
}

static void far_set(cf_timers_t *q, uint32_t i, cf_timer_t *t) {
  q->far[i] = t;
  t->where = i;
}

/* Put t in the hole at i and restore the heap order (up, else down). */
static void far_fix(cf_timers_t *q, uint32_t i, cf_timer_t *t) {
  uint32_t c;
  while (i && before(t, q->far[(i - 1) / 2])) {
    far_set(q, i, q->far[(i - 1) / 2]);
    i = (i - 1) / 2;
  }
  while ((c = 2 * i + 1) < q->far_len) {
    if (c + 1 < q->far_len && before(q->far[c + 1], q->far[c]))
      c++;
    if (!before(q->far[c], t))
      break;
    far_set(q, i, q->far[c]);
    i = c;
  }
  far_set(q, i, t);
}

static void far_remove(cf_timers_t *q, cf_timer_t *t) {
  cf_timer_t *last = q->far[--q->far_len];
  if (last != t)
    far_fix(q, t->where, last);
}

/* ---- wheel ---- */

/* The head entry of slot p (occupied): live, by the invariant. */
static cf_timer_t *slot_head(const cf_timers_t *q, uint32_t p) {
  cf_wblock_t *h = q->slots[p]->next;
  return h->t[h->head];
}

/* The earliest occupied slot: the first at or after base's position,
 * circularly (requires wheel_len > 0; at most CF_WHEEL_WORDS word tests). */
static uint32_t first_slot(const cf_timers_t *q) {
  uint32_t p = (uint32_t)q->base & MASK, w = p >> 6;
  uint64_t bits = q->occ[w] & (~(uint64_t)0 << (p & 63u));
  while (!bits) /* back at word w, its bits below p come last: right */
    bits = q->occ[w = (w + 1) % CF_WHEEL_WORDS];
  return (w << 6) | (uint32_t)__builtin_ctzll(bits);
}

/* Deadlines inside the window: base <= d < base + CF_WHEEL_SLOTS. */
static int in_window(const cf_timers_t *q, int64_t d) {
  return (uint64_t)d - (uint64_t)q->base < CF_WHEEL_SLOTS;
}

/* A block from the spares, else the allocator (NULL: no memory). */
static cf_wblock_t *block_get(cf_timers_t *q) {
  cf_wblock_t *b = q->spare;
  if (b)
    q->spare = b->next;
  else if (!(b = cf_malloc(sizeof *b)))
    return NULL;
  b->head = b->tail = b->live = 0;
  return b;
}

static void block_put(cf_timers_t *q, cf_wblock_t *b) {
  b->next = q->spare;
  q->spare = b;
}

/* Append t to the FIFO of the slot of d (0, or CF_ENOMEM with nothing
 * changed). */
static int link_tail(cf_timers_t *q, cf_timer_t *t, int64_t d) {
  uint32_t p = (uint32_t)d & MASK;
  cf_wblock_t *b = q->occ[p >> 6] & BIT(p) ? q->slots[p] : NULL;
  if (!b || b->tail == CF_WBLOCK_N) {
    cf_wblock_t *n = block_get(q);
    if (!n)
      return CF_ENOMEM;
    n->next = n->prev = n;
    if (b) { /* between the tail b and the head */
      n->next = b->next;
      n->prev = b;
      b->next->prev = n;
      b->next = n;
    }
    q->slots[p] = b = n;
    q->occ[p >> 6] |= BIT(p);
  }
  t->u.w.blk = b;
  t->u.w.idx = b->tail;
  b->live++;
  b->t[b->tail++] = t;
  t->where = CF_TIMER_WHEEL | p;
  q->wheel_len++;
  return 0;
}

/* Remove t's entry. A block left with no live entry leaves the slot at
 * once (so cancelled entries cost at most the blocks that also hold live
 * ones), the slot's last one empties it; then the head block's head moves
 * past cancelled entries to a live one. */
static void unlink_wheel(cf_timers_t *q, cf_timer_t *t) {
  uint32_t p = t->where & MASK;
  cf_wblock_t *b = t->u.w.blk, *h;
  b->t[t->u.w.idx] = NULL;
  q->wheel_len--;
  if (!--b->live) {
    if (b->next == b) {
      q->occ[p >> 6] &= ~BIT(p); /* slots[p] is stale from here on */
      block_put(q, b);
      return;
    }
    b->prev->next = b->next;
    b->next->prev = b->prev;
    if (q->slots[p] == b)
      q->slots[p] = b->prev;
    block_put(q, b);
  }
  h = q->slots[p]->next; /* live > 0: a live entry lies at or after head */
  while (!h->t[h->head])
    h->head++;
}

/* ---- the queue ---- */

void cf__timers_init(cf_timers_t *q) {
  /* base 0: a clock before 0 would only send negative deadlines to the
   * heap (no driver has one) */
  memset(q, 0, sizeof *q);
}

void cf__timers_free(cf_timers_t *q) {
  cf_wblock_t *b;
  while ((b = q->spare)) { /* q is empty: every block is a spare */
    q->spare = b->next;
    cf_free(b, sizeof *b);
  }
  cf_free(q->slots, CF_WHEEL_SLOTS * sizeof *q->slots);
  cf_free(q->far, (size_t)q->far_cap * sizeof *q->far);
}

int cf__timers_insert(cf_timers_t *q, cf_timer_t *t, int64_t now) {
  int64_t d = t->deadline;
  if (!q->slots && !(q->slots = cf_malloc(CF_WHEEL_SLOTS * sizeof *q->slots)))
    return CF_ENOMEM; /* (heads are valid only where occ has a bit) */
  /* An empty wheel starts its window at the clock (while timers are
   * pending, every turn's expiry pass moves it along). A deadline before
   * base (outside the contract: `now` was too high) is not in the window and
   * goes to the heap, which orders any deadline. */
  if (!q->wheel_len && now > q->base)
    q->base = now;
  if (in_window(q, d)) {
    if (link_tail(q, t, d) < 0)
      return CF_ENOMEM;
  } else {
    if (q->far_len == q->far_cap) {
      uint32_t ncap = q->far_cap ? q->far_cap * 2 : 64;
      cf_timer_t **n = ncap < CF_TIMER_WHEEL
                           ? cf_realloc(q->far, (size_t)q->far_cap * sizeof *n,
                                        (size_t)ncap * sizeof *n)
                           : NULL;
      if (!n)
        return CF_ENOMEM;
      q->far = n;
      q->far_cap = ncap;
    }
    t->u.seq = q->next_seq++;
    far_fix(q, q->far_len++, t);
  }
  q->len++;
  return 0;
}

void cf__timers_remove(cf_timers_t *q, cf_timer_t *t) {
  if (t->where & CF_TIMER_WHEEL)
    unlink_wheel(q, t);
  else
    far_remove(q, t);
  t->where = CF_TIMER_IDLE;
  q->len--;
}

cf_timer_t *cf__timers_peek(const cf_timers_t *q) {
  cf_timer_t *w = q->wheel_len ? slot_head(q, first_slot(q)) : NULL;
  cf_timer_t *f = q->far_len ? q->far[0] : NULL;
  /* equal deadlines: the heap's timers were started first */
  return !w || (f && f->deadline <= w->deadline) ? f : w;
}

void cf__timers_touch(const cf_timers_t *q, uint32_t k) {
  cf_wblock_t *b, *tail;
  uint32_t i;
  if (!q->wheel_len)
    return;
  tail = q->slots[first_slot(q)];
  b = tail->next;
  for (i = b->head; k; i++) {
    if (i == b->tail) { /* on to the next block (never empty) */
      if (b == tail)
        return;
      b = b->next;
      i = b->head;
    }
    if (b->t[i]) { /* both ends: a timer may straddle two lines */
      (void)*(volatile int64_t *)&b->t[i]->deadline;
      (void)*(volatile uint32_t *)&b->t[i]->where;
      k--;
    }
  }
}

cf_timer_t *cf__timers_pop_due(cf_timers_t *q, int64_t now) {
  cf_timer_t *t = cf__timers_peek(q);
  if (t && t->deadline <= now) {
    cf__timers_remove(q, t);
    return t;
  }
  /* Nothing is due by now: the window may start after it. */
  if (now >= q->base)
    q->base = now + (now < INT64_MAX);
  return NULL;
}
