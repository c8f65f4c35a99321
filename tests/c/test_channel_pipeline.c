/* test_channel_pipeline.c: the README's pipeline on the virtual clock:
 * producer -> bounded channel -> N workers -> results channel -> collector.
 * Variant 1 runs the workers with for_each_concurrent; variant 2 spawns N
 * worker tasks that share the receiver through an async mutex (tokio's
 * Arc<Mutex<Receiver>> pattern). Both check total time (jobs / N rounds),
 * that every result arrives exactly once, and that the producer felt
 * backpressure (it could not finish before the workers made room). */
#include "harness.h"

enum { JOBS = 12, WORKERS = 3, CAP = 2, WORK_MS = 100 };

/* ---- producer ---- */
typedef struct {
  cf_async_t co;
  cf_mpsc_sender_t tx;
  cf_mpsc_send_t send;
  int i;
  int64_t *finished_at;
} producer_t;
static cf_poll_t producer_poll(cf_future_t *f, cf_context_t *cx) {
  producer_t *self = (producer_t *)f;
  CF_BEGIN(self);
  for (self->i = 1; self->i <= JOBS; self->i++) {
    cf_mpsc_send_init(&self->send, &self->tx, &self->i);
    CF_AWAIT(self, &self->send);
    cf_future_drop(&self->send.base);
    if (self->send.base.rc < 0)
      CF_RETURN(self, self->send.base.rc);
  }
  *self->finished_at = cf_runtime_now(cx->rt);
  cf_mpsc_sender_free(&self->tx); /* closes the job channel */
  CF_END(self, 0);
}
static void producer_cleanup(cf_future_t *f) {
  producer_t *self = (producer_t *)f;
  cf_future_drop(&self->send.base);
  cf_mpsc_sender_free(&self->tx);
}
CF_ASYNC_VTABLE(producer_vt, "producer", producer_poll, producer_cleanup);

/* ---- one job: "fetch" (a sleep standing in for a request), then report */
typedef struct {
  cf_async_t co;
  cf_sleep_t fetch;
  cf_mpsc_send_t send;
  const cf_mpsc_sender_t *results;
  int job, result;
} job_t;
static cf_poll_t job_poll(cf_future_t *f, cf_context_t *cx) {
  job_t *self = (job_t *)f;
  CF_BEGIN(self);
  cf_sleep_init(&self->fetch, WORK_MS);
  CF_AWAIT(self, &self->fetch);
  self->result = self->job * 10;
  cf_mpsc_send_init(&self->send, self->results, &self->result);
  CF_AWAIT(self, &self->send);
  CF_END(self, self->send.base.rc);
}
static void job_cleanup(cf_future_t *f) {
  job_t *self = (job_t *)f;
  cf_future_drop(&self->fetch.base);
  cf_future_drop(&self->send.base);
}
CF_ASYNC_VTABLE(job_vt, "job", job_poll, job_cleanup);

static int start_job(void *ud, const void *item, cf_future_t *slot) {
  job_t *j = (job_t *)slot;
  CF_ASYNC_INIT(j, &job_vt);
  j->results = ud;
  j->job = *(const int *)item;
  return 0;
}

static void check_results(cf_mpsc_receiver_t *results) {
  int seen[JOBS + 1] = {0}, v, n = 0, i;
  while (cf_mpsc_try_recv(results, &v) == 0) {
    CHECK(v % 10 == 0 && v / 10 >= 1 && v / 10 <= JOBS);
    if (v / 10 >= 1 && v / 10 <= JOBS)
      seen[v / 10]++;
    n++;
  }
  CHECK_EQ(n, JOBS);
  for (i = 1; i <= JOBS; i++)
    CHECK_EQ(seen[i], 1);
}

static void pipeline_for_each_concurrent(void) {
  th_env_t env;
  producer_t prod;
  cf_mpsc_receiver_t jobs_rx, res_rx;
  cf_mpsc_sender_t res_tx;
  cf_mpsc_stream_t jobs;
  cf_for_each_concurrent_t workers;
  cf_join_handle_t hp;
  int64_t produced_at = -1;
  th_env_open(&env);
  CF_ASYNC_INIT(&prod, &producer_vt);
  prod.finished_at = &produced_at;
  CHECK_EQ(cf_mpsc_new(sizeof(int), CAP, &prod.tx, &jobs_rx), 0);
  CHECK_EQ(cf_mpsc_new(sizeof(int), 0, &res_tx, &res_rx), 0);
  CHECK_EQ(CF_SPAWN(env.rt, &prod, "producer", &hp), 0);
  cf_mpsc_stream_init(&jobs, &jobs_rx);
  cf_for_each_concurrent_init(&workers, &jobs.base, WORKERS, sizeof(job_t),
                              start_job, NULL, &res_tx);
  CHECK_EQ(cf_block_on(env.rt, &workers.base), 0);
  CHECK_EQ(th_now(&env), JOBS / WORKERS * WORK_MS);
  /* Backpressure: with 3 in flight and 2 buffered, the producer's last
   * send is only accepted when the workers start the last round. */
  CHECK_EQ(produced_at, (JOBS / WORKERS - 1) * WORK_MS);
  CHECK_EQ(cf_block_on(env.rt, &hp.base), 0);
  cf_mpsc_sender_free(&res_tx);
  check_results(&res_rx);
  cf_future_drop(&hp.base);
  cf_future_drop(&workers.base);
  cf_mpsc_receiver_free(&jobs_rx);
  cf_mpsc_receiver_free(&res_rx);
  th_env_close(&env);
}

/* ---- variant 2: spawned workers sharing the receiver via a mutex ---- */
typedef struct {
  cf_async_t co;
  cf_mutex_t *lock;
  cf_mpsc_receiver_t *jobs;
  cf_mpsc_sender_t results; /* a clone per worker */
  cf_mutex_lock_t locking;
  cf_mpsc_recv_t recv;
  job_t job;
  int item;
} worker_t;
static cf_poll_t worker_poll(cf_future_t *f, cf_context_t *cx) {
  worker_t *self = (worker_t *)f;
  CF_BEGIN(self);
  for (;;) {
    /* Hold the lock only while receiving, not while working. */
    cf_mutex_lock_init(&self->locking, self->lock);
    CF_AWAIT(self, &self->locking);
    cf_future_drop(&self->locking.base);
    cf_mpsc_recv_init(&self->recv, self->jobs, &self->item);
    CF_AWAIT(self, &self->recv);
    cf_future_drop(&self->recv.base);
    cf_mutex_unlock(self->lock);
    if (self->recv.base.rc == CF_ECLOSED)
      break;
    start_job(&self->results, &self->item, &self->job.co.base);
    CF_AWAIT(self, &self->job);
    cf_future_drop(&self->job.co.base);
  }
  cf_mpsc_sender_free(&self->results);
  CF_END(self, 0);
}
static void worker_cleanup(cf_future_t *f) {
  worker_t *self = (worker_t *)f;
  cf_future_drop(&self->locking.base);
  cf_future_drop(&self->recv.base);
  cf_future_drop(&self->job.co.base);
  cf_mpsc_sender_free(&self->results);
}
CF_ASYNC_VTABLE(worker_vt, "worker", worker_poll, worker_cleanup);

typedef struct {
  cf_async_t co;
  cf_mpsc_receiver_t *rx;
  cf_mpsc_recv_t recv;
  int v, n, sum;
} collector_t;
static cf_poll_t collector_poll(cf_future_t *f, cf_context_t *cx) {
  collector_t *self = (collector_t *)f;
  CF_BEGIN(self);
  for (;;) {
    cf_mpsc_recv_init(&self->recv, self->rx, &self->v);
    CF_AWAIT(self, &self->recv);
    cf_future_drop(&self->recv.base);
    if (self->recv.base.rc < 0)
      break;
    self->n++;
    self->sum += self->v;
  }
  CF_END(self, 0);
}
static void collector_cleanup(cf_future_t *f) {
  cf_future_drop(&((collector_t *)f)->recv.base);
}
CF_ASYNC_VTABLE(collector_vt, "collector", collector_poll, collector_cleanup);

static void pipeline_spawned_workers(void) {
  th_env_t env;
  producer_t prod;
  cf_mpsc_receiver_t jobs_rx, res_rx;
  cf_mpsc_sender_t res_tx;
  cf_mutex_t lock;
  collector_t col;
  cf_join_set_t set;
  int64_t produced_at = -1;
  int i;
  th_env_open(&env);
  cf_mutex_init(&lock);
  cf_join_set_init(&set, env.rt);
  CF_ASYNC_INIT(&prod, &producer_vt);
  prod.finished_at = &produced_at;
  CHECK_EQ(cf_mpsc_new(sizeof(int), CAP, &prod.tx, &jobs_rx), 0);
  CHECK_EQ(cf_mpsc_new(sizeof(int), 0, &res_tx, &res_rx), 0);
  CHECK_EQ(CF_JOIN_SET_SPAWN(&set, &prod, "producer", NULL), 0);
  for (i = 0; i < WORKERS; i++) {
    worker_t w;
    CF_ASYNC_INIT(&w, &worker_vt);
    w.lock = &lock;
    w.jobs = &jobs_rx;
    cf_mpsc_sender_clone(&res_tx, &w.results);
    CHECK_EQ(CF_JOIN_SET_SPAWN(&set, &w, "worker", NULL), 0);
  }
  cf_mpsc_sender_free(&res_tx); /* the workers hold the only senders */
  CF_ASYNC_INIT(&col, &collector_vt);
  col.rx = &res_rx;
  CHECK_EQ(cf_block_on(env.rt, &col.co.base), 0);
  CHECK_EQ(col.n, JOBS);
  CHECK_EQ(col.sum, 10 * JOBS * (JOBS + 1) / 2);
  CHECK_EQ(th_now(&env), JOBS / WORKERS * WORK_MS);
  CHECK(produced_at >= WORK_MS); /* it had to wait for room */
  cf_future_drop(&col.co.base);
  cf_join_set_drop(&set);
  cf_mpsc_receiver_free(&jobs_rx);
  cf_mpsc_receiver_free(&res_rx);
  th_env_close(&env);
}

TH_MAIN(TH_CASE(pipeline_for_each_concurrent),
        TH_CASE(pipeline_spawned_workers))
