/* demo/spawn.c: `spawn`, from Programming Rust's chapter on tasks:
 * spawned tasks and their join handles, abort, and a long CPU-bound
 * computation that calls cf_yield_now between slices so the event loop
 * (timers, I/O, the page) keeps running.
 *
 *   1. spawn workers a, b, c sleeping 300, 200, 100 ms (scaled); await the
 *      handles in spawn order: they finish c, b, a; each returns its value
 *      through its handle's output.
 *   2. spawn a 60 s task, let it start, abort it: its handle yields
 *      CF_ECANCELED and its timer is released at once.
 *   3. spawn a ticker (every 10 ms, unscaled), count the primes below
 *      3,000,000 by trial division in slices of 20,000 numbers with a
 *      yield after each, then report how often the ticker ran meanwhile:
 *      without the yields it could not run at all.
 *
 * Built for wasm (export "demo_spawn") and natively (`demo_spawn [scale]`).
 * Owns the join handles; cleanup drops them, which aborts any task still
 * running (so the ticker never outlives the counter it points to). */
#include "demo.h"

#include <string.h>

#define PRIME_LIMIT 3000000u
#define SLICE 20000u

typedef struct {
  cf_async_t co;
  int64_t ms;
  const char *label;
  int value; /* output: the nominal duration */
  cf_sleep_t nap;
} worker_t;

static cf_poll_t worker_poll(cf_future_t *f, cf_context_t *cx) {
  worker_t *self = (worker_t *)f;
  CF_BEGIN(self);
  cf_sleep_init(&self->nap, self->ms);
  CF_AWAIT(self, &self->nap);
  if (self->label)
    demo_line("worker %s done", self->label);
  CF_END(self, 0);
}
static void worker_cleanup(cf_future_t *f) {
  cf_future_drop(&((worker_t *)f)->nap.base);
}
CF_ASYNC_VTABLE(worker_vt, "sleep worker", worker_poll, worker_cleanup);

static void worker_init(worker_t *w, const char *label, int value, int64_t ms) {
  memset(w, 0, sizeof *w);
  cf_async_init(&w->co, &worker_vt);
  w->label = label;
  w->value = value;
  w->ms = ms;
}

typedef struct {
  cf_async_t co;
  unsigned *count; /* owned by the spawning frame, which aborts us first */
  cf_sleep_t nap;
} ticker_t;

static cf_poll_t ticker_poll(cf_future_t *f, cf_context_t *cx) {
  ticker_t *self = (ticker_t *)f;
  CF_BEGIN(self);
  for (;;) {
    cf_sleep_init(&self->nap, 10);
    CF_AWAIT(self, &self->nap);
    ++*self->count;
  }
  CF_END(self, 0);
}
static void ticker_cleanup(cf_future_t *f) {
  cf_future_drop(&((ticker_t *)f)->nap.base);
}
CF_ASYNC_VTABLE(ticker_vt, "ticker", ticker_poll, ticker_cleanup);

static const char *const worker_labels[3] = {"a", "b", "c"};
static const char *const worker_tasks[3] = {"worker a", "worker b", "worker c"};
static const int worker_ms[3] = {300, 200, 100};

typedef struct {
  cf_async_t co;
  double scale;
  int i, rc;
  int values[3];
  worker_t proto; /* initialised, then copied into each task by spawn */
  ticker_t ticker;
  cf_join_handle_t workers[3], long_task, ticker_task;
  cf_yield_t yield;
  unsigned ticks;
  /* the computation */
  uint16_t base[320]; /* primes <= sqrt(PRIME_LIMIT) */
  unsigned nbase;
  uint32_t lo;
  unsigned primes, slices;
} spawn_demo_t;

static void find_base_primes(spawn_demo_t *self) {
  uint32_t x, j;
  self->nbase = 0;
  for (x = 2; x * x < PRIME_LIMIT; x++) {
    for (j = 0; j < self->nbase; j++)
      if (x % self->base[j] == 0)
        break;
    if (j == self->nbase)
      self->base[self->nbase++] = (uint16_t)x;
  }
}

static unsigned count_primes(const spawn_demo_t *self, uint32_t lo,
                             uint32_t hi) {
  unsigned n = 0;
  uint32_t x, j;
  for (x = lo < 2 ? 2 : lo; x < hi; x++) {
    for (j = 0; j < self->nbase; j++) {
      uint32_t p = self->base[j];
      if (p * p > x) {
        j = self->nbase;
        break;
      }
      if (x % p == 0)
        break;
    }
    if (j == self->nbase)
      n++;
  }
  return n;
}

static cf_poll_t spawn_poll(cf_future_t *f, cf_context_t *cx) {
  spawn_demo_t *self = (spawn_demo_t *)f;
  CF_BEGIN(self);
  if (!cx->rt)
    CF_RETURN(self, CF_EINVAL); /* spawning needs a runtime */

  /* 1. workers and join handles */
  for (self->i = 0; self->i < 3; self->i++) {
    worker_init(&self->proto, worker_labels[self->i], worker_ms[self->i],
                demo_ms(self->scale, worker_ms[self->i]));
    self->rc = CF_SPAWN(cx->rt, &self->proto, worker_tasks[self->i],
                        &self->workers[self->i]);
    if (self->rc < 0) {
      cf_future_drop(&self->proto.co.base);
      CF_RETURN(self, self->rc);
    }
  }
  demo_line("spawned workers a (%lld ms), b (%lld ms), c (%lld ms)",
            (long long)demo_ms(self->scale, 300),
            (long long)demo_ms(self->scale, 200),
            (long long)demo_ms(self->scale, 100));
  for (self->i = 0; self->i < 3; self->i++) {
    CF_AWAIT_TRY(self, &self->workers[self->i]);
    self->values[self->i] =
        ((const worker_t *)cf_join_handle_output(&self->workers[self->i]))
            ->value;
    cf_future_drop(&self->workers[self->i].base);
  }
  demo_line("joined: a=%d b=%d c=%d", self->values[0], self->values[1],
            self->values[2]);

  /* 2. abort */
  worker_init(&self->proto, NULL, 60000, 60000);
  self->rc = CF_SPAWN(cx->rt, &self->proto, "long task", &self->long_task);
  if (self->rc < 0) {
    cf_future_drop(&self->proto.co.base);
    CF_RETURN(self, self->rc);
  }
  cf_yield_init(&self->yield);
  CF_AWAIT(self, &self->yield); /* let it start and arm its timer */
  cf_task_abort(&self->long_task);
  CF_AWAIT(self, &self->long_task);
  demo_line("aborted long task: %s", cf_err_name(self->long_task.base.rc));
  cf_future_drop(&self->long_task.base);

  /* 3. CPU-bound work that yields */
  memset(&self->ticker, 0, sizeof self->ticker);
  cf_async_init(&self->ticker.co, &ticker_vt);
  self->ticker.count = &self->ticks;
  self->rc = CF_SPAWN(cx->rt, &self->ticker, "ticker", &self->ticker_task);
  if (self->rc < 0)
    CF_RETURN(self, self->rc);
  find_base_primes(self);
  for (self->lo = 0; self->lo < PRIME_LIMIT; self->lo += SLICE) {
    self->primes += count_primes(
        self, self->lo,
        self->lo + SLICE < PRIME_LIMIT ? self->lo + SLICE : PRIME_LIMIT);
    self->slices++;
    self->yield = cf_yield_now(); /* let timers and the page run */
    CF_AWAIT(self, &self->yield);
  }
  cf_task_abort(&self->ticker_task);
  demo_line("primes below %u: %u (%u slices)", PRIME_LIMIT, self->primes,
            self->slices);
  demo_line("ticker ran %u times during the computation", self->ticks);
  CF_END(self, 0);
}

static void spawn_cleanup(cf_future_t *f) {
  spawn_demo_t *self = (spawn_demo_t *)f;
  int i;
  /* Dropping a handle aborts its task if it still runs. */
  for (i = 0; i < 3; i++)
    cf_future_drop(&self->workers[i].base);
  cf_future_drop(&self->long_task.base);
  cf_future_drop(&self->ticker_task.base);
  cf_future_drop(&self->proto.co.base);
  cf_future_drop(&self->ticker.co.base);
}

CF_ASYNC_VTABLE(spawn_vt, "spawn", spawn_poll, spawn_cleanup);

static void spawn_demo_init(spawn_demo_t *self, double scale) {
  memset(self, 0, sizeof *self);
  cf_async_init(&self->co, &spawn_vt);
  self->scale = scale;
}

#ifdef __EMSCRIPTEN__
static int spawn_export_init(cf_future_t *f, const cf_args_t *args) {
  double scale =
      cf_args_type(args, 1) == CF_JS_NUMBER ? cf_args_number(args, 1) : 1.0;
  if (demo_check_scale(scale) < 0)
    return CF_EINVAL;
  spawn_demo_init((spawn_demo_t *)f, scale);
  return 0;
}
CF_EXPORT_ASYNC(demo_spawn_export, "demo_spawn", spawn_demo_t,
                spawn_export_init, NULL);
#else
int main(int argc, char **argv) {
  spawn_demo_t d;
  spawn_demo_init(&d, demo_native_scale(argc, argv));
  return demo_native_run(&d.co.base, sizeof d, "demo_spawn") < 0 ? 1 : 0;
}
#endif
