/* fuzz_timers.c: libFuzzer target for the runtime's timer queue
 * (src/timer_wheel.c: exact-ms wheel in front of a heap), driven directly
 * through cf__timers_insert / remove / peek / pop_due by random sequences
 * of start / cancel / clock steps / peeks / allocation failures, and
 * checked against a reference model (a plain array scanned for the
 * minimum) after every step:
 *   - never early: a popped timer's deadline is <= the expiry time;
 *   - nothing due is left: pop_due returns NULL only when the model has no
 *     armed timer due by then;
 *   - order: timers pop in (deadline, start order) order, so equal
 *     deadlines fire in start order, also across the wheel's window edge
 *     (deadlines near CF_WHEEL_SLOTS ahead, some far beyond it);
 *   - peek is the model's first timer (exact earliest deadline);
 *   - cancel removes exactly that timer; an insert that fails with
 *     CF_ENOMEM leaves the timer unarmed and the queue unchanged;
 *   - len and each timer's armed state match the model;
 *   - cf__timers_touch (before each expiry pass) reads only live timers
 *     (ASan), across the slot blocks that cancels have emptied or cut.
 * The clock model follows the runtime's contract: a start passes a clock
 * reading (sometimes rounded up by one ms) and a deadline after the
 * floor reading. Build: cmake -DCF_FUZZ=ON -DCMAKE_C_COMPILER=clang; run
 * fuzz_timers. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfuture.h"
#include "fuzz_alloc.h"
#include "timer_wheel.h"

#define FAIL(msg)                                                              \
  do {                                                                         \
    fprintf(stderr, "fuzz_timers: %s (line %d)\n", msg, __LINE__);             \
    abort();                                                                   \
  } while (0)
#define ASSERT(c)                                                              \
  do {                                                                         \
    if (!(c))                                                                  \
      FAIL(#c);                                                                \
  } while (0)

enum { NT = 48 };

typedef struct mtimer {
  cf_timer_t t;
  int armed;
  int64_t deadline;
  uint64_t order; /* start order */
} mtimer_t;

static mtimer_t tm[NT];
static cf_timers_t q;
static int64_t clk; /* the floor clock */
static uint64_t starts;

/* The model's first timer: earliest deadline, then earliest start. */
static mtimer_t *model_first(void) {
  mtimer_t *best = NULL;
  int i;
  for (i = 0; i < NT; i++)
    if (tm[i].armed &&
        (!best || tm[i].deadline < best->deadline ||
         (tm[i].deadline == best->deadline && tm[i].order < best->order)))
      best = &tm[i];
  return best;
}

static void check(void) {
  uint32_t n = 0;
  int i;
  mtimer_t *f = model_first();
  for (i = 0; i < NT; i++) {
    ASSERT(cf_timer_is_armed(&tm[i].t) == tm[i].armed);
    n += (uint32_t)tm[i].armed;
  }
  ASSERT(q.len == n);
  ASSERT(cf__timers_peek(&q) == (f ? &f->t : NULL));
}

static uint32_t take(const uint8_t **d, size_t *n, int bytes) {
  uint32_t v = 0;
  while (bytes-- && *n) {
    v = v << 8 | **d;
    (*d)++;
    (*n)--;
  }
  return v;
}

/* A deadline for a start at clk, after the floor reading. */
static int64_t pick_deadline(uint32_t kind, uint32_t v) {
  switch (kind % 6) {
  case 0: /* soon */
    return clk + 1 + v % 8;
  case 1: /* anywhere in the window */
    return clk + 1 + v % CF_WHEEL_SLOTS;
  case 2: /* around the window's edge */
    return clk + CF_WHEEL_SLOTS - 4 + v % 8;
  case 3: /* far beyond it */
    return clk + 1 + v % (CF_WHEEL_SLOTS * 16u);
  case 4: { /* the deadline of another armed timer, for ties */
    int j = (int)(v % NT);
    if (tm[j].armed && tm[j].deadline > clk)
      return tm[j].deadline;
    return clk + 1;
  }
  default: /* huge */
    return v % 2 ? INT64_MAX - (int64_t)(v % 5) : clk + 1 + (int64_t)v * 64;
  }
}

static void expire(int64_t now) {
  cf_timer_t *t;
  /* read-only; under ASan a stale or freed entry it loaded would fail */
  cf__timers_touch(&q, (uint32_t)(now & 31));
  while ((t = cf__timers_pop_due(&q, now)) != NULL) {
    mtimer_t *m = (mtimer_t *)t, *f = model_first();
    ASSERT(t->deadline <= now); /* never early */
    ASSERT(m == f);             /* (deadline, start) order */
    ASSERT(!cf_timer_is_armed(t));
    m->armed = 0;
    check();
  }
  /* nothing due is left */
  ASSERT(!model_first() || model_first()->deadline > now);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  int i;
  fz_alloc_install();
  cf__timers_init(&q);
  memset(tm, 0, sizeof tm);
  for (i = 0; i < NT; i++)
    cf_timer_init(&tm[i].t);
  clk = (int64_t)take(&data, &size, 2) * 1000; /* any starting time */
  starts = 0;
  while (size) {
    uint32_t op = take(&data, &size, 1), v = take(&data, &size, 3);
    mtimer_t *m = &tm[op % NT];
    switch ((op >> 6) & 3) {
    case 0:
    case 1: /* start (or cancel, if armed) */
      if (m->armed) {
        cf__timers_remove(&q, &m->t);
        ASSERT(m->t.where == CF_TIMER_IDLE);
        m->armed = 0;
      } else {
        int64_t d = pick_deadline(v >> 20, v & 0xfffff), now = clk;
        int err;
        if (v & 0x80000u)
          now = clk + 1; /* a reading rounded up (driver now_ceil) */
        if (d < now)
          d = now; /* a rounded-up reading only starts deadlines >= it */
        m->t.deadline = d;
        err = cf__timers_insert(&q, &m->t, now);
        if (err < 0) {
          ASSERT(err == CF_ENOMEM);
          ASSERT(!cf_timer_is_armed(&m->t));
        } else {
          ASSERT(err == 0);
          m->armed = 1;
          m->deadline = d;
          m->order = starts++;
        }
      }
      break;
    case 2: { /* the clock moves, then everything due fires */
      mtimer_t *f = model_first();
      if (v % 4 == 0 && f && f->deadline < INT64_MAX / 2)
        clk = f->deadline; /* exactly to the next deadline */
      else if (v % 4 == 1)
        clk += (int64_t)(v % (CF_WHEEL_SLOTS * 3u));
      else
        clk += (int64_t)(v % 16);
      expire(clk);
      break;
    }
    default: /* an allocation failure next, or an idle expiry pass */
      if (v & 1)
        fz_fail_next = 1;
      else
        expire(clk);
      break;
    }
    check();
  }
  /* cancel everything left, in arbitrary order */
  fz_fail_next = 0;
  for (i = 0; i < NT; i++)
    if (tm[(i * 7) % NT].armed) {
      cf__timers_remove(&q, &tm[(i * 7) % NT].t);
      tm[(i * 7) % NT].armed = 0;
      check();
    }
  cf__timers_free(&q);
  cf_set_allocator(NULL, NULL);
  return 0;
}
