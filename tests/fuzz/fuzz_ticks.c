/* fuzz_ticks.c: libFuzzer target for timers on a driver with a sub-ms
 * clock (now_ticks, as the JavaScript event loop's): the runtime's tick
 * rounding, its ms <-> tick conversions and the host timer it arms.
 *
 * The input is a program over up to 16 leaf sleeps polled outside any
 * task: start a relative sleep (0..19 ms, or a huge or negative one), start
 * a sleep_until (around now, or far past or future), drop a sleep, move a
 * microsecond clock forward (by any amount, sub-ms included), run a turn.
 * A reference model computes each deadline in ticks of 250 us (relative:
 * the start rounded up to a tick, plus ms * 4; absolute: ms * 4) and
 * checks, at every step:
 *   - a sleep is never ready before its deadline in real time (relative:
 *     start + ms, in us; absolute: its ms), and a started sleep is ready
 *     at its first poll exactly when its deadline is already due;
 *   - after a turn, every sleep whose deadline tick has come is woken and
 *     ready, no other is, and the woken ones were woken in (deadline,
 *     start) order;
 *   - cf_sleep_deadline reports the deadline in ms rounded up;
 *   - the host timer is armed, in ticks, for the earliest pending deadline
 *     (CF_TIME_NEVER when none);
 *   - at the end everything is released (timers, wakers, bytes).
 * A divergence calls abort(), which libFuzzer reports as a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfuture.h"
#include "fuzz_alloc.h"

#define SLOTS 16
#define NEVER CF_TIME_NEVER

#define EXPECT(cond)                                                           \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_ticks: model divergence at %s:%d: %s\n", __FILE__, \
              __LINE__, #cond);                                                \
      abort();                                                                 \
    }                                                                          \
  } while (0)

/* ---- the driver: a microsecond clock ---- */

static int64_t clock_us, armed = NEVER;
static void d_attach(void *self, struct cf_runtime *rt) {
  (void)self;
  (void)rt;
}
static int64_t d_now(void *self) {
  (void)self;
  return clock_us / 1000;
}
static int64_t d_now_ticks(void *self, int up) {
  (void)self;
  return clock_us / 250 + (up && clock_us % 250 != 0);
}
static void d_arm(void *self, int64_t deadline) {
  (void)self;
  armed = deadline;
}
static void d_request(void *self, cf_run_kind_t kind) {
  (void)self;
  (void)kind;
}
static void d_keepalive(void *self, int alive) {
  (void)self;
  (void)alive;
}
static const cf_driver_vtable_t d_vt = {d_attach,  d_now,       d_arm,
                                        d_request, d_keepalive, NULL,
                                        NULL,      NULL,        d_now_ticks};

/* ---- a waker per slot that logs the order of wakes ---- */

static int wake_log[SLOTS * 4], nwakes;
static int live_wakers;
static cf_waker_t w_clone(const cf_waker_t *w);
static void w_wake(cf_waker_t *w);
static void w_wake_by_ref(const cf_waker_t *w);
static void w_drop(cf_waker_t *w);
static const cf_waker_vtable_t w_vt = {w_clone, w_wake, w_wake_by_ref, w_drop};
static cf_waker_t w_clone(const cf_waker_t *w) {
  live_wakers++;
  return *w;
}
static void w_wake_by_ref(const cf_waker_t *w) {
  if (nwakes < (int)(sizeof wake_log / sizeof wake_log[0]))
    wake_log[nwakes++] = (int)w->tag;
}
static void w_wake(cf_waker_t *w) {
  w_wake_by_ref(w);
  w_drop(w);
}
static void w_drop(cf_waker_t *w) {
  (void)w;
  live_wakers--;
}

/* ---- the model ---- */

typedef struct slot {
  cf_sleep_t s;
  int live;       /* started and not dropped */
  int ready;      /* returned CF_READY */
  int64_t ticks;  /* deadline in ticks (NEVER: never) */
  int64_t real;   /* never ready before this, in us (relative) */
  int64_t ms;     /* what cf_sleep_deadline must say */
  uint64_t order; /* start order */
} slot_t;

static slot_t slots[SLOTS];
static uint64_t starts;
static cf_runtime_t *rt;

typedef struct input {
  const uint8_t *p;
  size_t n;
} input_t;
static unsigned next(input_t *in) {
  if (!in->n)
    return 0;
  in->n--;
  return *in->p++;
}

static int64_t sat_add(int64_t a, int64_t b) {
  if (b > 0 && a > INT64_MAX - b)
    return INT64_MAX;
  if (b < 0 && a < INT64_MIN - b)
    return INT64_MIN;
  return a + b;
}
static int64_t ms_ticks(int64_t ms) {
  if (ms > INT64_MAX / 4)
    return INT64_MAX;
  if (ms < INT64_MIN / 4)
    return INT64_MIN;
  return ms * 4;
}
static int64_t ticks_ms(int64_t t) { /* rounded up */
  if (t == INT64_MAX)
    return INT64_MAX;
  return t > 0 ? (t + 3) / 4 : t / 4;
}
static int64_t now_ticks(void) {
  return clock_us / 250;
}

static cf_context_t cx_for(int i) {
  static cf_waker_t w;
  cf_context_t cx;
  w = cf_waker_from_raw(&w_vt, NULL, (uint64_t)i);
  cx.waker = &w;
  cx.rt = rt;
  cx.task = NULL;
  cx.coop = NULL;
  return cx;
}

/* Poll slot i and check the answer against the model. `at_start`: its
 * first poll, where a relative sleep of ms <= 0 is due (its deadline is
 * the start itself, rounded up) and a longer one is not. */
static void poll_slot(int i, int at_start) {
  slot_t *sl = &slots[i];
  cf_context_t cx = cx_for(i);
  int due =
      at_start >= 0 ? at_start : sl->ticks != NEVER && sl->ticks <= now_ticks();
  cf_poll_t r = cf_future_poll(&sl->s.base, &cx);
  EXPECT((r == CF_READY) == due);
  if (r == CF_READY) {
    EXPECT(sl->s.base.rc == 0);
    EXPECT(clock_us >= sl->real); /* never early in real time */
    sl->ready = 1;
  }
  EXPECT(cf_sleep_deadline(&sl->s) == sl->ms);
}

static int free_slot(input_t *in) {
  int i = (int)(next(in) % SLOTS);
  slot_t *sl = &slots[i];
  if (sl->live) {
    cf_future_drop(&sl->s.base);
    sl->live = 0;
  }
  return i;
}

static void op_sleep(input_t *in, int absolute) {
  int i = free_slot(in);
  slot_t *sl = &slots[i];
  unsigned k = next(in);
  int64_t ms;
  if (absolute) {
    int64_t now_ms = clock_us / 1000;
    ms = k == 255 ? NEVER : k == 254 ? INT64_MIN : now_ms - 3 + (k % 24);
    cf_sleep_until_init(&sl->s, ms);
    sl->ticks = ms_ticks(ms);
    sl->real = ms < 0                  ? INT64_MIN
               : ms > INT64_MAX / 1000 ? INT64_MAX
                                       : ms * 1000;
    /* whole ms round-trip exactly (INT64_MIN saturates to its ticks) */
    sl->ms = ms > INT64_MIN / 4 ? ms : ticks_ms(sl->ticks);
  } else {
    int64_t start = clock_us / 250 + (clock_us % 250 != 0);
    ms = k == 255 ? INT64_MAX / 2 : k == 254 ? -5 : (int64_t)(k % 20);
    cf_sleep_init(&sl->s, ms);
    sl->ticks = sat_add(start, ms > 0 ? ms_ticks(ms) : 0);
    sl->real = ms > 0 && ms < 1000000 ? clock_us + ms * 1000 : clock_us;
    sl->ms = ticks_ms(sl->ticks);
  }
  sl->live = 1;
  sl->ready = 0;
  sl->order = starts++;
  poll_slot(i, absolute ? -1 : ms <= 0);
}

static void op_turn(void) {
  int i, j, due[SLOTS], ndue = 0;
  nwakes = 0;
  for (i = 0; i < SLOTS; i++)
    if (slots[i].live && !slots[i].ready && slots[i].ticks != NEVER &&
        slots[i].ticks <= now_ticks())
      due[ndue++] = i;
  cf_runtime_turn(rt);
  /* the due ones, each woken once, in (deadline, start) order */
  EXPECT(nwakes == ndue);
  for (i = 1; i < nwakes; i++) {
    slot_t *a = &slots[wake_log[i - 1]], *b = &slots[wake_log[i]];
    EXPECT(a->ticks < b->ticks ||
           (a->ticks == b->ticks && a->order < b->order));
  }
  for (i = 0; i < nwakes; i++) {
    int found = 0;
    for (j = 0; j < ndue; j++)
      found |= due[j] == wake_log[i];
    EXPECT(found);
  }
  for (i = 0; i < SLOTS; i++)
    if (slots[i].live && !slots[i].ready)
      poll_slot(i, -1);
}

static void check_armed(void) {
  int64_t want = NEVER;
  int i;
  for (i = 0; i < SLOTS; i++)
    if (slots[i].live && !slots[i].ready && slots[i].ticks < want)
      want = slots[i].ticks;
  EXPECT(armed == want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  input_t in;
  cf_driver_t drv = {&d_vt, NULL};
  cf_runtime_options_t opts;
  cf_runtime_stats_t st;
  int i;
  fz_alloc_install();
  live_wakers = 0;
  starts = 0;
  armed = NEVER;
  memset(slots, 0, sizeof slots);
  in.p = data;
  in.n = size;
  clock_us = (int64_t)next(&in) * 997; /* any sub-ms phase */
  memset(&opts, 0, sizeof opts);
  opts.driver = &drv;
  if (cf_runtime_new(&rt, &opts) != 0)
    abort();
  while (in.n) {
    switch (next(&in) % 6) {
    case 0:
    case 1:
      op_sleep(&in, 0);
      break;
    case 2:
      op_sleep(&in, 1);
      break;
    case 3:
      free_slot(&in);
      break;
    case 4: { /* a sub-ms step, or up to ~16 ms */
      unsigned k = next(&in);
      clock_us += k < 128 ? (int64_t)k * 7 : (int64_t)(k - 127) * 125;
      break;
    }
    default:
      op_turn();
      break;
    }
    check_armed();
  }
  for (i = 0; i < SLOTS; i++)
    if (slots[i].live)
      cf_future_drop(&slots[i].s.base);
  cf_runtime_stats(rt, &st);
  EXPECT(st.live_timers == 0);
  EXPECT(live_wakers == 0);
  cf_runtime_free(rt);
  EXPECT(fz_live_bytes == 0);
  return 0;
}
