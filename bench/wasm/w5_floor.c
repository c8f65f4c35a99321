/* w5_floor.c: the floor for W5's 1e6 expiries, with no runtime at all
 * (bench/README.md, "W5: the expiry floor").
 *
 * 1e6 records laid out as the bench's tsleep_t (112 B each in wasm32, so
 * 112 MB), visited in the order the bench's timers expire: deadline =
 * arm millisecond (1e6 arms over ~110 ms) + 0..50 ms, equal deadlines in
 * start (index) order, so a millisecond's ~9,000 records are visited in
 * ascending address order ~12 KB apart; or in a random permutation. Each
 * variant reports ns per visited record (best of `reps`, each pass over
 * all records):
 *   one       read+write one line of the record
 *   one+now   the same, plus performance.now() through EM_JS and a float
 *             store to a separate lateness array (the bench's completion)
 *   three     + a 12-byte branch record in a separate array (the join's)
 *   chain     `three` but the next record comes from a pointer in the
 *             current one (the wheel's slot list: dependent loads)
 *   chain/b   `chain` in batches of 128: walk the list collecting the
 *             pointers, then do the touches of the batch
 *   array/b   `three` with the order from a pointer array (a slot stored
 *             as an array), touches of a batch of 128 issued together
 *   now       performance.now() and the lateness store alone, no record
 *   chain/pre `chain/b`, but the batch's walk also loads each record's
 *             request time, so the per-record calls into JS find every
 *             line they need already in cache
 *   array/pre the same with the order from a pointer array
 *   array/all `array/pre` with every line the completion touches loaded
 *             in the batch pass (record head, timer, request time, the
 *             lateness slot)
 *   walk      the slot list walk alone (one dependent load per record)
 * Not part of the bench run (a one-off measurement; no cfuture inside):
 *   emcc -O3 -flto bench/wasm/w5_floor.c -sALLOW_MEMORY_GROWTH=1 \
 *     -sMAXIMUM_MEMORY=4GB -sENVIRONMENT=node -o /tmp/floor.js
 *   node --no-experimental-fetch /tmp/floor.js
 * (Node 20's fetch cannot load the .wasm of an Emscripten 3.1.6 program
 * given a file path, hence the flag.) */
#include <emscripten.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

EM_JS(double, perf_now, (void), { return performance.now(); });

typedef struct rec {
  uint8_t head[48];  /* the tsleep's future headers */
  int64_t deadline;  /* the timer, as in cf_timer_t */
  void *wvt, *wdata; /* its waker */
  uint64_t wtag;
  struct rec *next, *prev;
  uint32_t where, pad;
  double want; /* the bench's request time */
  float *late;
  uint32_t pad2[3]; /* 112 B, as sizeof(tsleep_t) */
} rec_t;

typedef struct branch {
  void *fut;
  uint32_t next_ready;
  uint8_t flags;
} branch_t;

#define N 1000000u
#define BATCH 128u

static uint32_t rng = 777u;
static uint32_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

static rec_t *recs;
static branch_t *br;
static float *late;
static uint32_t *order;
static rec_t **ptrs;
static volatile uint64_t sink;

static int by_deadline(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  int64_t dx = recs[x].deadline, dy = recs[y].deadline;
  return dx < dy ? -1 : dx > dy ? 1 : (x > y) - (x < y);
}

static void set_order(int random) {
  uint32_t i;
  for (i = 0; i < N; i++)
    order[i] = i;
  if (random) {
    for (i = N - 1; i > 0; i--) {
      uint32_t j = rnd() % (i + 1), t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  } else {
    qsort(order, N, sizeof *order, by_deadline);
  }
  for (i = 0; i < N; i++) {
    ptrs[i] = &recs[order[i]];
    recs[order[i]].next = i + 1 < N ? &recs[order[i + 1]] : NULL;
  }
}

/* Evict the caches between passes: walk 64 MB. */
static uint8_t *junk;
static void flush(void) {
  uint64_t s = 0;
  size_t k;
  for (k = 0; k < (64u << 20); k += 64)
    s += junk[k]++;
  sink += s;
}

static inline void complete(rec_t *r, uint32_t idx, int now) {
  r->wtag++;
  if (now)
    *r->late = (float)(perf_now() - r->want);
  (void)idx;
}

static double run(int variant) {
  uint32_t i, k;
  double t0 = perf_now();
  switch (variant) {
  case 0: /* one */
    for (i = 0; i < N; i++)
      complete(&recs[order[i]], order[i], 0);
    break;
  case 1: /* one+now */
    for (i = 0; i < N; i++)
      complete(&recs[order[i]], order[i], 1);
    break;
  case 2: /* three */
    for (i = 0; i < N; i++) {
      uint32_t x = order[i];
      br[x].flags |= 2;
      complete(&recs[x], x, 1);
    }
    break;
  case 3: { /* chain */
    rec_t *r = &recs[order[0]];
    while (r) {
      uint32_t x = (uint32_t)(r - recs);
      br[x].flags |= 2;
      complete(r, x, 1);
      r = r->next;
    }
    break;
  }
  case 4: { /* chain/b */
    rec_t *r = &recs[order[0]], *b[BATCH];
    while (r) {
      uint32_t m = 0;
      for (; r && m < BATCH; r = r->next)
        b[m++] = r;
      for (k = 0; k < m; k++)
        br[b[k] - recs].flags |= 2;
      for (k = 0; k < m; k++)
        complete(b[k], (uint32_t)(b[k] - recs), 1);
    }
    break;
  }
  case 6: /* now */
    for (i = 0; i < N; i++)
      late[order[i]] = (float)(perf_now() - 1.0);
    break;
  case 7: { /* chain/pre */
    rec_t *r = &recs[order[0]], *b[BATCH];
    double want[BATCH];
    while (r) {
      uint32_t m = 0;
      for (; r && m < BATCH; r = r->next) {
        b[m] = r;
        want[m++] = r->want;
      }
      for (k = 0; k < m; k++)
        br[b[k] - recs].flags |= 2;
      for (k = 0; k < m; k++) {
        b[k]->wtag++;
        *b[k]->late = (float)(perf_now() - want[k]);
      }
    }
    break;
  }
  case 8: /* array/pre */
    for (i = 0; i < N; i += BATCH) {
      uint32_t m = N - i < BATCH ? N - i : BATCH;
      double want[BATCH];
      for (k = 0; k < m; k++) {
        want[k] = ptrs[i + k]->want;
        br[ptrs[i + k] - recs].flags |= 2;
      }
      for (k = 0; k < m; k++) {
        ptrs[i + k]->wtag++;
        *ptrs[i + k]->late = (float)(perf_now() - want[k]);
      }
    }
    break;
  case 9: /* array/all */
    for (i = 0; i < N; i += BATCH) {
      uint32_t m = N - i < BATCH ? N - i : BATCH;
      double want[BATCH];
      uint64_t s = 0;
      for (k = 0; k < m; k++) {
        rec_t *r = ptrs[i + k];
        want[k] = r->want;
        s += r->wtag + (uint64_t)*r->late + r->head[0];
        br[r - recs].flags |= 2;
      }
      sink += s;
      for (k = 0; k < m; k++) {
        ptrs[i + k]->wtag++;
        *ptrs[i + k]->late = (float)(perf_now() - want[k]);
      }
    }
    break;
  case 10: { /* walk */
    rec_t *r = &recs[order[0]];
    uint64_t s = 0;
    for (; r; r = r->next)
      s += r->wtag;
    sink += s;
    break;
  }
  case 5: /* array/b */
    for (i = 0; i < N; i += BATCH) {
      uint32_t m = N - i < BATCH ? N - i : BATCH;
      for (k = 0; k < m; k++)
        br[ptrs[i + k] - recs].flags |= 2;
      for (k = 0; k < m; k++)
        complete(ptrs[i + k], 0, 1);
    }
    break;
  }
  return (perf_now() - t0) * 1e6 / N;
}

int main(void) {
  static const char *names[] = {"one",       "one+now",   "three", "chain",
                                "chain/b",   "array/b",   "now",   "chain/pre",
                                "array/pre", "array/all", "walk"};
  int reps = 5, o, v, r;
  uint32_t i;
  recs = calloc(N, sizeof *recs);
  br = calloc(N, sizeof *br);
  late = calloc(N, sizeof *late);
  order = calloc(N, sizeof *order);
  ptrs = calloc(N, sizeof *ptrs);
  junk = calloc(64u << 20, 1);
  if (!recs || !br || !late || !order || !ptrs || !junk)
    return 1;
  for (i = 0; i < N; i++) {
    recs[i].deadline = 1000 + (int64_t)(i / 9000u) + (int64_t)(rnd() % 51u);
    recs[i].late = &late[i];
    recs[i].want = 1.0;
  }
  printf("sizeof rec %zu, branch %zu\n", sizeof(rec_t), sizeof(branch_t));
  {
    double t0 = perf_now(), t1;
    for (i = 0; i < 100000; i++)
      sink += (uint64_t)perf_now();
    t1 = perf_now();
    printf("performance.now() alone: %.1f ns\n", (t1 - t0) * 1e6 / 100000);
  }
  for (o = 0; o < 2; o++) {
    set_order(o);
    for (v = 0; v < 11; v++) {
      double best = 1e9;
      for (r = 0; r < reps; r++) {
        double ns;
        flush();
        ns = run(v);
        if (ns < best)
          best = ns;
      }
      printf("%s order, %-8s %6.1f ns/record\n", o ? "random" : "bench ",
             names[v], best);
    }
  }
  return 0;
}
