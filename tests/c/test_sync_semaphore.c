/* test_sync_semaphore.c: FIFO semaphore: fairness (a large request blocks
 * later small ones), partial grants, cancel-safety of pending and of
 * granted-but-unobserved acquires, close, and the coop budget. */
#include "harness.h"
#include "sync_probe.h"

static void fast_path_and_try(void) {
  cf_semaphore_t s;
  cf_semaphore_acquire_t a;
  probe_t p = {0};
  cf_semaphore_init(&s, 3);
  CHECK_EQ(cf_semaphore_try_acquire(&s, 2), 0);
  CHECK_EQ(cf_semaphore_try_acquire(&s, 2), CF_EAGAIN);
  CHECK_EQ(cf_semaphore_available(&s), 1);
  cf_semaphore_acquire_init(&a, &s, 1);
  CHECK_EQ(probe_poll(&p, &a.base), CF_READY);
  CHECK_EQ(a.base.rc, 0);
  CHECK_EQ(cf_semaphore_available(&s), 0);
  cf_future_drop(&a.base); /* after ready: the permit stays with us */
  CHECK_EQ(cf_semaphore_available(&s), 0);
  cf_semaphore_release(&s, 3);
  CHECK_EQ(cf_semaphore_available(&s), 3);
  CHECK_EQ(p.live, 0);
}

static void fifo_large_request_blocks_small(void) {
  cf_semaphore_t s;
  cf_semaphore_acquire_t big, small;
  probe_t pb = {0}, ps = {0};
  cf_semaphore_init(&s, 1);
  cf_semaphore_acquire_init(&big, &s, 3);
  cf_semaphore_acquire_init(&small, &s, 1);
  CHECK_EQ(probe_poll(&pb, &big.base), CF_PENDING); /* took the 1 free */
  CHECK_EQ(cf_semaphore_available(&s), 0);
  CHECK_EQ(probe_poll(&ps, &small.base), CF_PENDING);
  CHECK_EQ(cf_semaphore_try_acquire(&s, 1), CF_EAGAIN);
  cf_semaphore_release(&s, 1); /* goes to the head: big has 2 of 3 */
  CHECK_EQ(pb.wakes, 0);
  CHECK_EQ(ps.wakes, 0);
  cf_semaphore_release(&s, 2); /* big done, small done */
  CHECK_EQ(pb.wakes, 1);
  CHECK_EQ(ps.wakes, 1);
  CHECK_EQ(probe_poll(&pb, &big.base), CF_READY);
  CHECK_EQ(probe_poll(&ps, &small.base), CF_READY);
  CHECK_EQ(cf_semaphore_available(&s), 0);
  cf_future_drop(&big.base);
  cf_future_drop(&small.base);
  CHECK_EQ(pb.live + ps.live, 0);
}

static void drop_pending_head_passes_partial_permits(void) {
  cf_semaphore_t s;
  cf_semaphore_acquire_t big, small;
  probe_t pb = {0}, ps = {0};
  cf_semaphore_init(&s, 2);
  cf_semaphore_acquire_init(&big, &s, 5);
  cf_semaphore_acquire_init(&small, &s, 1);
  CHECK_EQ(probe_poll(&pb, &big.base), CF_PENDING);
  CHECK_EQ(probe_poll(&ps, &small.base), CF_PENDING);
  cf_future_drop(&big.base); /* its 2 permits: 1 to small, 1 free */
  CHECK_EQ(ps.wakes, 1);
  CHECK_EQ(cf_semaphore_available(&s), 1);
  CHECK_EQ(probe_poll(&ps, &small.base), CF_READY);
  cf_future_drop(&small.base);
  cf_semaphore_release(&s, 1);
  CHECK_EQ(cf_semaphore_available(&s), 2); /* conserved */
  CHECK_EQ(pb.live + ps.live, 0);
}

static void drop_granted_unobserved_hands_on(void) {
  cf_semaphore_t s;
  cf_semaphore_acquire_t a, b;
  probe_t pa = {0}, pbp = {0};
  cf_semaphore_init(&s, 0);
  cf_semaphore_acquire_init(&a, &s, 2);
  cf_semaphore_acquire_init(&b, &s, 2);
  CHECK_EQ(probe_poll(&pa, &a.base), CF_PENDING);
  CHECK_EQ(probe_poll(&pbp, &b.base), CF_PENDING);
  cf_semaphore_release(&s, 2); /* a is granted and woken ... */
  CHECK_EQ(pa.wakes, 1);
  cf_future_drop(&a.base); /* ... but dropped before it looked */
  CHECK_EQ(pbp.wakes, 1);  /* b inherits the permits */
  CHECK_EQ(probe_poll(&pbp, &b.base), CF_READY);
  CHECK_EQ(cf_semaphore_available(&s), 0);
  cf_future_drop(&b.base);
  CHECK_EQ(pa.live + pbp.live, 0);
}

static void drop_middle_waiter(void) {
  cf_semaphore_t s;
  cf_semaphore_acquire_t w[3];
  probe_t p[3] = {{0}};
  int i;
  cf_semaphore_init(&s, 0);
  for (i = 0; i < 3; i++) {
    cf_semaphore_acquire_init(&w[i], &s, 1);
    CHECK_EQ(probe_poll(&p[i], &w[i].base), CF_PENDING);
  }
  cf_future_drop(&w[1].base);
  cf_semaphore_release(&s, 2);
  CHECK_EQ(p[0].wakes, 1);
  CHECK_EQ(p[1].wakes, 0);
  CHECK_EQ(p[2].wakes, 1);
  for (i = 0; i < 3; i += 2) {
    CHECK_EQ(probe_poll(&p[i], &w[i].base), CF_READY);
    cf_future_drop(&w[i].base);
  }
  CHECK_EQ(p[0].live + p[1].live + p[2].live, 0);
}

static void close_wakes_waiters(void) {
  cf_semaphore_t s;
  cf_semaphore_acquire_t a, b;
  probe_t p = {0};
  cf_semaphore_init(&s, 1);
  cf_semaphore_acquire_init(&a, &s, 4);
  CHECK_EQ(probe_poll(&p, &a.base), CF_PENDING);
  cf_semaphore_close(&s);
  CHECK_EQ(p.wakes, 1);
  CHECK_EQ(probe_poll(&p, &a.base), CF_READY);
  CHECK_EQ(a.base.rc, CF_ECLOSED);
  CHECK_EQ(cf_semaphore_available(&s), 1); /* partial grant returned */
  cf_semaphore_acquire_init(&b, &s, 1);
  CHECK_EQ(probe_poll(&p, &b.base), CF_READY);
  CHECK_EQ(b.base.rc, CF_ECLOSED);
  CHECK_EQ(cf_semaphore_try_acquire(&s, 1), CF_ECLOSED);
  cf_future_drop(&a.base);
  cf_future_drop(&b.base);
  CHECK_EQ(p.live, 0);
}

/* Tasks on the runtime: FIFO order of completion, and coop budget. */
typedef struct {
  cf_async_t co;
  cf_semaphore_t *sem;
  cf_semaphore_acquire_t acq;
  cf_sleep_t hold;
  size_t n;
  int id;
  th_log_t *log;
} worker_t;

static cf_poll_t worker_poll(cf_future_t *f, cf_context_t *cx) {
  worker_t *self = (worker_t *)f;
  CF_BEGIN(self);
  cf_semaphore_acquire_init(&self->acq, self->sem, self->n);
  CF_AWAIT_TRY(self, &self->acq);
  th_logf(self->log, "%d@%lld ", self->id, (long long)cf_runtime_now(cx->rt));
  cf_sleep_init(&self->hold, 10);
  CF_AWAIT(self, &self->hold);
  cf_semaphore_release(self->sem, self->n);
  CF_END(self, 0);
}
static void worker_cleanup(cf_future_t *f) {
  worker_t *self = (worker_t *)f;
  cf_future_drop(&self->acq.base);
  cf_future_drop(&self->hold.base);
}
CF_ASYNC_VTABLE(worker_vt, "worker", worker_poll, worker_cleanup);

static void tasks_are_served_fifo(void) {
  th_env_t env;
  cf_semaphore_t s;
  th_log_t log;
  static const size_t want[5] = {2, 3, 1, 1, 2};
  int i;
  th_env_open(&env);
  th_log_clear(&log);
  cf_semaphore_init(&s, 3);
  for (i = 0; i < 5; i++) {
    worker_t w;
    CF_ASYNC_INIT(&w, &worker_vt);
    w.sem = &s;
    w.n = want[i];
    w.id = i;
    w.log = &log;
    CHECK_EQ(CF_SPAWN(env.rt, &w, "worker", NULL), 0);
  }
  cf_runtime_run_until_stalled(env.rt);
  while (cf_runtime_turn(env.rt) >= 0 && th_now(&env) < 100) {
    cf_virtual_driver_advance(env.drv, 10);
  }
  /* 0 takes 2 at t=0; 1 (3) waits and blocks 2,3 (1 each) though one is
   * free; at 10 the 2 return: 1 runs; at 20: 2,3 and then 4 at 30. */
  CHECK_STR(log.text, "0@0 1@10 2@20 3@20 4@30 ");
  CHECK_EQ(cf_semaphore_available(&s), 3);
  th_env_close(&env);
}

typedef struct {
  cf_async_t co;
  cf_semaphore_t *sem;
  cf_semaphore_acquire_t acq;
  int i, *count;
} greedy_t;
static cf_poll_t greedy_poll(cf_future_t *f, cf_context_t *cx) {
  greedy_t *self = (greedy_t *)f;
  CF_BEGIN(self);
  for (self->i = 0; self->i < 1000; self->i++) {
    cf_semaphore_acquire_init(&self->acq, self->sem, 1);
    CF_AWAIT(self, &self->acq);
    cf_future_drop(&self->acq.base);
    cf_semaphore_release(self->sem, 1);
    (*self->count)++;
  }
  CF_END(self, 0);
}
static void greedy_cleanup(cf_future_t *f) {
  cf_future_drop(&((greedy_t *)f)->acq.base);
}
CF_ASYNC_VTABLE(greedy_vt, "greedy", greedy_poll, greedy_cleanup);

static void always_ready_acquire_yields(void) {
  th_env_t env;
  cf_semaphore_t s;
  cf_join_handle_t h;
  greedy_t g;
  int count = 0;
  cf_runtime_stats_t st;
  th_env_open(&env);
  cf_semaphore_init(&s, 1);
  CF_ASYNC_INIT(&g, &greedy_vt);
  g.sem = &s;
  g.count = &count;
  CHECK_EQ(CF_SPAWN(env.rt, &g, "greedy", &h), 0);
  CHECK_EQ(cf_block_on(env.rt, &h.base), 0);
  CHECK_EQ(count, 1000);
  cf_runtime_stats(env.rt, &st);
  CHECK(st.polls >= 1000 / 128); /* it yielded at each budget exhaustion */
  cf_future_drop(&h.base);
  th_env_close(&env);
}

TH_MAIN(TH_CASE(fast_path_and_try), TH_CASE(fifo_large_request_blocks_small),
        TH_CASE(drop_pending_head_passes_partial_permits),
        TH_CASE(drop_granted_unobserved_hands_on), TH_CASE(drop_middle_waiter),
        TH_CASE(close_wakes_waiters), TH_CASE(tasks_are_served_fifo),
        TH_CASE(always_ready_acquire_yields))
