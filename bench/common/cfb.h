/* cfb.h: the cfuture side of the benchmark workloads, shared by the native
 * executables (bench/native/, driven with cf_block_on) and the wasm bench
 * module (bench/wasm/, driven through rt.call on the JS event loop), so
 * both platforms run the very same C code.
 *
 * Each workload is an async frame (see include/cfuture/async.h) that runs
 * on whatever runtime polls it (cx->rt). It measures itself with cfb_now_ns
 * (CLOCK_MONOTONIC natively, performance.now() in wasm) around the part the
 * workload is about, and stores ns per operation in its frame:
 *
 *   W1  spawn+join N trivial tasks: spawn all, then await each handle in
 *       order and drop it; ns/task over the whole thing. bytes/task is the
 *       growth of the C heap (mallinfo: allocator overhead and the task
 *       slab's chunks included) while the N tasks are spawned and not yet
 *       run.
 *   W2  one task wakes itself N times (wake_by_ref + return pending): ns per
 *       wake+poll, timed around awaiting its handle.
 *   T   timers: N sleeps inserted (first poll registers the timer), then
 *       cancelled (dropped) in random order; plus a churn phase of cancel +
 *       insert pairs at N pending. Run inside one task poll, so the host
 *       timer is synced once at the end of the turn, as in real use.
 *   W6  join of N gates where one gate opens per executor round trip (a pump
 *       task opens one and yields): ns per child completion. And select over
 *       k branches (k-1 never-ready, 1 ready, at a rotating position), R
 *       times: ns per select (init, first poll, losers dropped).
 *
 * Everything here is C11 with no platform calls besides the clock and the
 * heap statistics below.
 */
#ifndef CFB_H
#define CFB_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cfuture.h>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#include <malloc.h>
static double cfb_now_ns(void) {
  return emscripten_get_now() * 1e6;
}
static size_t cfb_heap_used(void) {
  struct mallinfo mi = mallinfo();
  return (size_t)mi.uordblks;
}
#else
#include <malloc.h>
#include <time.h>
static double cfb_now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}
static size_t cfb_heap_used(void) {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}
#endif

/* xorshift: deterministic pseudo-random numbers for shuffles and delays. */
static uint32_t cfb_rand(uint32_t *s) {
  uint32_t x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

/* ---- leaf futures ----------------------------------------------------- */

/* The trivial task: ready on its first poll. */
typedef struct cfb_triv {
  cf_future_t base;
} cfb_triv_t;
static cf_poll_t cfb_triv_poll(cf_future_t *f, cf_context_t *cx) {
  (void)cx;
  f->rc = 0;
  return CF_READY;
}
static const cf_future_vtable_t cfb_triv_vt = {"triv", cfb_triv_poll, NULL, 0};

/* Wakes its own task `n` times before it is ready. */
typedef struct cfb_spin {
  cf_future_t base;
  uint32_t n, count;
} cfb_spin_t;
static cf_poll_t cfb_spin_poll(cf_future_t *f, cf_context_t *cx) {
  cfb_spin_t *s = (cfb_spin_t *)f;
  if (s->count++ < s->n) {
    cf_waker_wake_by_ref(cx->waker);
    return CF_PENDING;
  }
  f->rc = 0;
  return CF_READY;
}
static const cf_future_vtable_t cfb_spin_vt = {"spin", cfb_spin_poll, NULL, 0};

/* A gate: pending (with its waker kept) until opened. */
typedef struct cfb_gate {
  cf_future_t base;
  cf_waker_t waker;
  uint8_t open;
} cfb_gate_t;
static cf_poll_t cfb_gate_poll(cf_future_t *f, cf_context_t *cx) {
  cfb_gate_t *g = (cfb_gate_t *)f;
  if (g->open)
    return CF_READY;
  cf_waker_register(&g->waker, cx->waker);
  return CF_PENDING;
}
static void cfb_gate_drop(cf_future_t *f) {
  cf_waker_drop(&((cfb_gate_t *)f)->waker);
}
static const cf_future_vtable_t cfb_gate_vt = {"gate", cfb_gate_poll,
                                               cfb_gate_drop, 0};
static void cfb_gate_open(cfb_gate_t *g) {
  g->open = 1;
  cf_waker_wake(&g->waker);
}

/* Drop `n` join handles (aborting tasks still running) and free their
 * array; *h is NULL afterwards. Every spawn-and-join workload's cleanup. */
static void cfb_drop_handles(cf_join_handle_t **h, uint32_t n) {
  uint32_t i;
  if (!*h)
    return;
  for (i = 0; i < n; i++)
    cf_future_drop(&(*h)[i].base);
  free(*h);
  *h = NULL;
}

/* ---- W1: spawn + join ------------------------------------------------- */

typedef struct cfb_w1 {
  cf_async_t co;
  uint32_t n, i;
  cf_join_handle_t *h;
  double t0, ns_per_task, bytes_per_task;
} cfb_w1_t;

static cf_poll_t cfb_w1_poll(cf_future_t *f, cf_context_t *cx) {
  cfb_w1_t *self = (cfb_w1_t *)f;
  CF_BEGIN(self);
  self->h = malloc((size_t)self->n * sizeof *self->h);
  if (!self->h)
    CF_RETURN(self, CF_ENOMEM);
  memset(self->h, 0, (size_t)self->n * sizeof *self->h);
  {
    size_t m0 = cfb_heap_used(), m1;
    uint32_t i;
    self->t0 = cfb_now_ns();
    for (i = 0; i < self->n; i++) {
      cfb_triv_t t;
      cf_future_init(&t.base, &cfb_triv_vt);
      if (CF_SPAWN(cx->rt, &t, NULL, &self->h[i]) < 0)
        CF_RETURN(self, CF_ENOMEM);
    }
    /* The heap statistics are read outside the timed part. */
    {
      double t1 = cfb_now_ns();
      m1 = cfb_heap_used();
      self->bytes_per_task = (double)(m1 - m0) / self->n;
      self->t0 += cfb_now_ns() - t1;
    }
  }
  for (self->i = 0; self->i < self->n; self->i++) {
    CF_AWAIT(self, &self->h[self->i].base);
    cf_future_drop(&self->h[self->i].base);
  }
  self->ns_per_task = (cfb_now_ns() - self->t0) / self->n;
  free(self->h);
  self->h = NULL;
  CF_END(self, 0);
}
static void cfb_w1_cleanup(cf_future_t *f) {
  cfb_w1_t *self = (cfb_w1_t *)f;
  cfb_drop_handles(&self->h, self->n);
}
CF_ASYNC_VTABLE(cfb_w1_vt, "w1_spawn_join", cfb_w1_poll, cfb_w1_cleanup);
static void cfb_w1_init(cfb_w1_t *w, uint32_t n) {
  CF_ASYNC_INIT(w, &cfb_w1_vt);
  w->n = n ? n : 1;
}

/* ---- W2: self-wake ---------------------------------------------------- */

typedef struct cfb_w2 {
  cf_async_t co;
  uint32_t n;
  cf_join_handle_t h;
  double t0, ns_per_wake;
} cfb_w2_t;

static cf_poll_t cfb_w2_poll(cf_future_t *f, cf_context_t *cx) {
  cfb_w2_t *self = (cfb_w2_t *)f;
  CF_BEGIN(self);
  {
    cfb_spin_t s;
    cf_future_init(&s.base, &cfb_spin_vt);
    s.n = self->n;
    s.count = 0;
    self->t0 = cfb_now_ns();
    if (CF_SPAWN(cx->rt, &s, "spin", &self->h) < 0)
      CF_RETURN(self, CF_ENOMEM);
  }
  CF_AWAIT(self, &self->h.base);
  self->ns_per_wake = (cfb_now_ns() - self->t0) / self->n;
  cf_future_drop(&self->h.base);
  CF_END(self, 0);
}
static void cfb_w2_cleanup(cf_future_t *f) {
  cf_future_drop(&((cfb_w2_t *)f)->h.base);
}
CF_ASYNC_VTABLE(cfb_w2_vt, "w2_self_wake", cfb_w2_poll, cfb_w2_cleanup);
static void cfb_w2_init(cfb_w2_t *w, uint32_t n) {
  CF_ASYNC_INIT(w, &cfb_w2_vt);
  w->n = n ? n : 1;
}

/* ---- timers: insert / cancel at N pending ----------------------------- */

typedef struct cfb_timers {
  cf_future_t base;
  uint32_t n, churn;
  int64_t offset; /* added to every delay so that none fires meanwhile */
  double insert_ns, cancel_ns, churn_ns, bytes_per_timer;
} cfb_timers_t;

/* Everything happens in the first poll (a single task poll, so in_turn and
 * the host timer is synced once afterwards). */
static cf_poll_t cfb_timers_poll(cf_future_t *f, cf_context_t *cx) {
  cfb_timers_t *self = (cfb_timers_t *)f;
  uint32_t n = self->n, i, seed = 12345u;
  cf_sleep_t *s = malloc((size_t)n * sizeof *s);
  uint32_t *perm = malloc((size_t)n * sizeof *perm);
  double t0;
  size_t m0, m1;
  if (!s || !perm) {
    free(s);
    free(perm);
    f->rc = CF_ENOMEM;
    return CF_READY;
  }
  for (i = 0; i < n; i++) {
    cf_sleep_init(&s[i], self->offset + 1 + (int64_t)(cfb_rand(&seed) % 50u));
    perm[i] = i;
  }
  for (i = n - 1; i > 0; i--) { /* Fisher-Yates */
    uint32_t j = cfb_rand(&seed) % (i + 1), tmp = perm[i];
    perm[i] = perm[j];
    perm[j] = tmp;
  }
  m0 = cfb_heap_used();
  t0 = cfb_now_ns();
  for (i = 0; i < n; i++)
    (void)cf_future_poll(&s[i].base, cx);
  self->insert_ns = (cfb_now_ns() - t0) / n;
  m1 = cfb_heap_used();
  /* Timer entries are embedded in the sleep futures: memory per timer is
   * the whole cf_sleep_t plus the runtime's heap index growth. */
  self->bytes_per_timer = (double)(m1 - m0) / n + (double)sizeof(cf_sleep_t);
  /* churn: cancel one at random and start a fresh one, N stays pending */
  t0 = cfb_now_ns();
  for (i = 0; i < self->churn; i++) {
    uint32_t k = perm[i % n];
    cf_future_drop(&s[k].base);
    cf_sleep_init(&s[k], self->offset + 1 + (int64_t)(cfb_rand(&seed) % 50u));
    (void)cf_future_poll(&s[k].base, cx);
  }
  self->churn_ns = self->churn ? (cfb_now_ns() - t0) / self->churn : 0;
  t0 = cfb_now_ns();
  for (i = 0; i < n; i++)
    cf_future_drop(&s[perm[i]].base);
  self->cancel_ns = (cfb_now_ns() - t0) / n;
  free(s);
  free(perm);
  f->rc = 0;
  return CF_READY;
}
static const cf_future_vtable_t cfb_timers_vt = {"timers", cfb_timers_poll,
                                                 NULL, 0};
static void cfb_timers_init(cfb_timers_t *t, uint32_t n, uint32_t churn,
                            int64_t offset) {
  memset(t, 0, sizeof *t);
  cf_future_init(&t->base, &cfb_timers_vt);
  t->n = n ? n : 1;
  t->churn = churn;
  t->offset = offset;
}

/* ---- W6a: join of N, one child completing at a time ------------------- */

/* The pump task opens the gates one by one, yielding after each so that
 * the joining task runs in between (one wake + one child poll per gate). */
typedef struct cfb_pump {
  cf_async_t co;
  cfb_gate_t *gates;
  uint32_t n, i;
} cfb_pump_t;
static cf_poll_t cfb_pump_poll(cf_future_t *f, cf_context_t *cx) {
  cfb_pump_t *self = (cfb_pump_t *)f;
  CF_BEGIN(self);
  CF_YIELD(self); /* let the join register its children first */
  for (self->i = 0; self->i < self->n; self->i++) {
    cfb_gate_open(&self->gates[self->i]);
    CF_YIELD(self);
  }
  CF_END(self, 0);
}
CF_ASYNC_VTABLE(cfb_pump_vt, "pump", cfb_pump_poll, NULL);

typedef struct cfb_w6j {
  cf_async_t co;
  uint32_t n, rounds, r;
  cfb_gate_t *gates;
  cf_future_t **ptrs;
  cf_join_t join;
  cf_join_handle_t pump;
  double t0, ns_per_child;
} cfb_w6j_t;

static cf_poll_t cfb_w6j_poll(cf_future_t *f, cf_context_t *cx) {
  cfb_w6j_t *self = (cfb_w6j_t *)f;
  uint32_t i;
  CF_BEGIN(self);
  self->gates = malloc((size_t)self->n * sizeof *self->gates);
  self->ptrs = malloc((size_t)self->n * sizeof *self->ptrs);
  if (!self->gates || !self->ptrs)
    CF_RETURN(self, CF_ENOMEM);
  self->t0 = cfb_now_ns();
  for (self->r = 0; self->r < self->rounds; self->r++) {
    for (i = 0; i < self->n; i++) {
      memset(&self->gates[i], 0, sizeof self->gates[i]);
      cf_future_init(&self->gates[i].base, &cfb_gate_vt);
      self->ptrs[i] = &self->gates[i].base;
    }
    cf_join_init(&self->join, self->ptrs, self->n);
    {
      cfb_pump_t p;
      CF_ASYNC_INIT(&p, &cfb_pump_vt);
      p.gates = self->gates;
      p.n = self->n;
      if (CF_SPAWN(cx->rt, &p, "pump", &self->pump) < 0)
        CF_RETURN(self, CF_ENOMEM);
    }
    CF_AWAIT(self, &self->join);
    cf_future_drop(&self->join.base);
    for (i = 0; i < self->n; i++)
      cf_future_drop(&self->gates[i].base);
    CF_AWAIT(self, &self->pump.base);
    cf_future_drop(&self->pump.base);
  }
  self->ns_per_child =
      (cfb_now_ns() - self->t0) / ((double)self->n * self->rounds);
  CF_END(self, 0);
}
static void cfb_w6j_cleanup(cf_future_t *f) {
  cfb_w6j_t *self = (cfb_w6j_t *)f;
  uint32_t i;
  cf_future_drop(&self->join.base);
  cf_future_drop(&self->pump.base);
  if (self->gates)
    for (i = 0; i < self->n; i++)
      cf_future_drop(&self->gates[i].base);
  free(self->gates);
  free(self->ptrs);
  self->gates = NULL;
  self->ptrs = NULL;
}
CF_ASYNC_VTABLE(cfb_w6j_vt, "w6_join", cfb_w6j_poll, cfb_w6j_cleanup);
static void cfb_w6j_init(cfb_w6j_t *w, uint32_t n, uint32_t rounds) {
  CF_ASYNC_INIT(w, &cfb_w6j_vt);
  w->n = n ? n : 1;
  w->rounds = rounds ? rounds : 1;
}

/* ---- W6b: select over k branches, R times ----------------------------- */

#define CFB_SELECT_MAX 8
typedef struct cfb_w6s {
  cf_async_t co;
  uint32_t k, reps, r;
  cf_pending_t pend[CFB_SELECT_MAX];
  cf_ready_t ready;
  cf_future_t *ptrs[CFB_SELECT_MAX];
  cf_select_t sel;
  double t0, ns_per_select;
  uint64_t check; /* sum of winner indexes, so nothing is optimised out */
} cfb_w6s_t;

static cf_poll_t cfb_w6s_poll(cf_future_t *f, cf_context_t *cx) {
  cfb_w6s_t *self = (cfb_w6s_t *)f;
  uint32_t i, win;
  CF_BEGIN(self);
  self->t0 = cfb_now_ns();
  for (self->r = 0; self->r < self->reps; self->r++) {
    win = self->r % self->k;
    for (i = 0; i < self->k; i++) {
      if (i == win) {
        cf_ready_init(&self->ready, 0);
        self->ptrs[i] = &self->ready.base;
      } else {
        cf_pending_init(&self->pend[i]);
        self->ptrs[i] = &self->pend[i].base;
      }
    }
    cf_select_init(&self->sel, self->ptrs, self->k, CF_SELECT_FAIR);
    CF_AWAIT(self, &self->sel);
    self->check += (uint64_t)cf_select_index(&self->sel);
    cf_future_drop(&self->sel.base);
    cf_future_drop(&self->ready.base);
  }
  self->ns_per_select = (cfb_now_ns() - self->t0) / self->reps;
  CF_END(self, 0);
}
static void cfb_w6s_cleanup(cf_future_t *f) {
  cf_future_drop(&((cfb_w6s_t *)f)->sel.base);
}
CF_ASYNC_VTABLE(cfb_w6s_vt, "w6_select", cfb_w6s_poll, cfb_w6s_cleanup);
static void cfb_w6s_init(cfb_w6s_t *w, uint32_t k, uint32_t reps) {
  CF_ASYNC_INIT(w, &cfb_w6s_vt);
  w->k = k < 2 ? 2 : (k > CFB_SELECT_MAX ? CFB_SELECT_MAX : k);
  w->reps = reps ? reps : 1;
}

#endif
