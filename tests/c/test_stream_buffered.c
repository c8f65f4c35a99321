/* test_stream_buffered.c: cf_stream_buffered_t (buffered(n)).
 * Covers: outputs in input order when the futures finish out of order on
 * the virtual clock (with exact delivery times); the limit (never more
 * than n futures alive, nothing pulled upstream while full, so a bounded
 * producer feels it); a stream whose items are the futures themselves;
 * only woken futures are polled; error items keep their position; the
 * coop budget; dropping it mid-way releases every future, output, waker,
 * timer and byte (the harness checks on close); allocation failure. */
#include "harness.h"
#include "sync_probe.h"

/* ---- a job: sleep `ms`, then own a heap result (so leaks would show) --- */
typedef struct counters {
  int inits, drops, alive, max_alive;
} counters_t;

typedef struct job {
  cf_async_t co;
  cf_sleep_t nap;
  counters_t *cnt;
  int id, ms;
  int *result; /* cf_malloc'd when done; taken by job_output */
} job_t;

static cf_poll_t job_poll(cf_future_t *f, cf_context_t *cx) {
  job_t *self = (job_t *)f;
  CF_BEGIN(self);
  cf_sleep_init(&self->nap, self->ms);
  CF_AWAIT(self, &self->nap);
  self->result = cf_malloc(sizeof(int));
  if (!self->result)
    CF_RETURN(self, CF_ENOMEM);
  *self->result = self->id * 10;
  CF_END(self, self->id);
}
static void job_cleanup(cf_future_t *f) {
  job_t *self = (job_t *)f;
  cf_future_drop(&self->nap.base);
  if (self->result)
    cf_free(self->result, sizeof(int));
  self->result = NULL;
  if (self->cnt) {
    self->cnt->drops++;
    self->cnt->alive--;
    self->cnt = NULL; /* drop is idempotent */
  }
}
CF_ASYNC_VTABLE(job_vt, "job", job_poll, job_cleanup);

static void job_make(job_t *j, counters_t *cnt, int id, int ms) {
  CF_ASYNC_INIT(j, &job_vt);
  j->cnt = cnt;
  j->id = id;
  j->ms = ms;
  cnt->inits++;
  if (++cnt->alive > cnt->max_alive)
    cnt->max_alive = cnt->alive;
}

typedef struct spec {
  int id, ms;
} spec_t;

static int start_job(void *ud, const void *item, cf_future_t *slot) {
  const spec_t *s = item;
  job_make((job_t *)slot, ud, s->id, s->ms);
  return 0;
}
/* Takes the result buffer: the job's drop must then not free it. */
static int job_output(void *ud, cf_future_t *fut, void *out) {
  job_t *j = (job_t *)fut;
  (void)ud;
  if (fut->rc < 0)
    return fut->rc;
  memcpy(out, j->result, sizeof(int));
  cf_free(j->result, sizeof(int));
  j->result = NULL;
  return 0;
}

/* ---- a consumer task that logs "value@time" for every result ---------- */
typedef struct consumer {
  cf_async_t co;
  cf_stream_t *s;
  cf_stream_next_t next;
  th_log_t *log;
  size_t max_len;
  int take; /* stop (and drop the stream) after this many; 0: all */
  int n, v;
} consumer_t;

static cf_poll_t consumer_poll(cf_future_t *f, cf_context_t *cx) {
  consumer_t *self = (consumer_t *)f;
  CF_BEGIN(self);
  for (;;) {
    cf_stream_next_init(&self->next, self->s, &self->v);
    CF_AWAIT(self, &self->next);
    if (self->next.res == CF_STREAM_END)
      break;
    if (self->next.res < 0)
      th_logf(self->log, "%s@%lld ", cf_err_name(self->next.res),
              (long long)cf_runtime_now(cx->rt));
    else
      th_logf(self->log, "%d@%lld ", self->v,
              (long long)cf_runtime_now(cx->rt));
    if (self->take && ++self->n == self->take)
      break;
  }
  cf_stream_drop(self->s);
  CF_END(self, 0);
}
static void consumer_cleanup(cf_future_t *f) {
  consumer_t *self = (consumer_t *)f;
  cf_stream_drop(self->s);
}
CF_ASYNC_VTABLE(consumer_vt, "consumer", consumer_poll, consumer_cleanup);

static void send_specs(cf_mpsc_sender_t *tx, const int *ms, int n) {
  int i;
  for (i = 0; i < n; i++) {
    spec_t s = {i, ms[i]};
    CHECK_EQ(cf_mpsc_try_send(tx, &s), 0);
  }
}

/* Six jobs finishing out of order, limit 3: each output waits for the ones
 * before it, and a slot frees only when its output is delivered. */
static void ordered_on_virtual_clock(void) {
  static const int ms[] = {50, 10, 30, 20, 40, 5};
  th_env_t env;
  cf_mpsc_sender_t tx;
  cf_mpsc_receiver_t rx;
  cf_mpsc_stream_t src;
  cf_stream_buffered_t buf;
  consumer_t c;
  counters_t cnt = {0};
  th_log_t log;
  th_log_clear(&log);
  th_env_open(&env);
  CHECK_EQ(cf_mpsc_new(sizeof(spec_t), 0, &tx, &rx), 0);
  send_specs(&tx, ms, 6);
  cf_mpsc_sender_free(&tx);
  cf_mpsc_stream_init(&src, &rx);
  CHECK_EQ(cf_stream_buffered_init(&buf, &src.base, 3, sizeof(job_t),
                                   sizeof(int), start_job, job_output, &cnt),
           0);
  CF_ASYNC_INIT(&c, &consumer_vt);
  c.s = &buf.base;
  c.log = &log;
  CHECK_EQ(cf_block_on(env.rt, &c.co.base), 0);
  /* 0 (50 ms) holds back 1 and 2 (done at 10, 30); 3, 4, 5 start at 50. */
  CHECK_STR(log.text, "0@50 10@50 20@50 30@70 40@90 50@90 ");
  CHECK_EQ(th_now(&env), 90);
  CHECK_EQ(cnt.inits, 6);
  CHECK_EQ(cnt.drops, 6);
  CHECK_EQ(cnt.max_alive, 3);
  cf_future_drop(&c.co.base);
  cf_mpsc_receiver_free(&rx);
  th_env_close(&env);
}

/* The limit is the backpressure: a producer on a bounded channel can run
 * only `limit` + capacity items ahead of the consumer. Items are the
 * futures themselves (start == NULL), moved into the slots. */
typedef struct producer {
  cf_async_t co;
  cf_mpsc_sender_t tx;
  cf_mpsc_send_t send;
  counters_t *cnt;
  job_t job;
  int i, n;
  int64_t *sent_at; /* outside the frame: spawn moves the frame */
} producer_t;
static cf_poll_t producer_poll(cf_future_t *f, cf_context_t *cx) {
  producer_t *self = (producer_t *)f;
  CF_BEGIN(self);
  for (self->i = 0; self->i < self->n; self->i++) {
    job_make(&self->job, self->cnt, self->i, 10);
    cf_mpsc_send_init(&self->send, &self->tx, &self->job);
    CF_AWAIT(self, &self->send);
    cf_future_drop(&self->send.base);
    if (self->send.base.rc < 0) {
      cf_future_drop(&self->job.co.base); /* not sent: still ours */
      break;
    }
    self->sent_at[self->i] = cf_runtime_now(cx->rt);
  }
  cf_mpsc_sender_free(&self->tx);
  CF_END(self, 0);
}
static void producer_cleanup(cf_future_t *f) {
  producer_t *self = (producer_t *)f;
  cf_future_drop(&self->send.base);
  cf_mpsc_sender_free(&self->tx);
}
CF_ASYNC_VTABLE(producer_vt, "producer", producer_poll, producer_cleanup);

static void limit_backpressures_a_stream_of_futures(void) {
  enum { N = 10, LIMIT = 2, CAP = 1 };
  th_env_t env;
  cf_mpsc_receiver_t rx;
  cf_mpsc_stream_t src;
  cf_stream_buffered_t buf;
  consumer_t c;
  producer_t p;
  cf_join_handle_t hp;
  counters_t cnt = {0};
  th_log_t log;
  int64_t sent_at[N];
  int i;
  th_log_clear(&log);
  th_env_open(&env);
  CF_ASYNC_INIT(&p, &producer_vt);
  p.cnt = &cnt;
  p.sent_at = sent_at;
  p.n = N;
  CHECK_EQ(cf_mpsc_new(sizeof(job_t), CAP, &p.tx, &rx), 0);
  CHECK_EQ(CF_SPAWN(env.rt, &p, "producer", &hp), 0);
  cf_mpsc_stream_init(&src, &rx);
  /* rc mode: the item is the job's rc (its id). */
  CHECK_EQ(cf_stream_buffered_init(&buf, &src.base, LIMIT, 0, sizeof(int), NULL,
                                   NULL, NULL),
           0);
  CF_ASYNC_INIT(&c, &consumer_vt);
  c.s = &buf.base;
  c.log = &log;
  CHECK_EQ(cf_block_on(env.rt, &c.co.base), 0);
  CHECK_STR(log.text, "0@10 1@10 2@20 3@20 4@30 5@30 6@40 7@40 8@50 9@50 ");
  CHECK_EQ(cf_block_on(env.rt, &hp.base), 0);
  /* Two in the slots and one in the channel: job i + 3 can be sent only
   * once job i's output was delivered (rounds of 10 ms). */
  for (i = 0; i < N; i++)
    CHECK_EQ(sent_at[i], i < LIMIT + CAP ? 0 : (i - CAP) / LIMIT * 10);
  CHECK_EQ(cnt.inits, N);
  CHECK_EQ(cnt.drops, N);
  CHECK(cnt.max_alive <= LIMIT + CAP + 1); /* slots, channel, producer */
  cf_future_drop(&hp.base);
  cf_future_drop(&c.co.base);
  cf_mpsc_receiver_free(&rx);
  th_env_close(&env);
}

/* ---- hand-driven: probes as futures ----------------------------------- */

static int start_probe(void *ud, const void *item, cf_future_t *slot) {
  th_probe_t *p = *(th_probe_t *const *)item;
  (void)ud;
  if (!p)
    return CF_EINVAL;
  th_probe_init((cf_poll_fn_t *)slot, p);
  return 0;
}

static void only_woken_futures_are_polled(void) {
  cf_mpsc_sender_t tx;
  cf_mpsc_receiver_t rx;
  cf_mpsc_stream_t src;
  cf_stream_buffered_t buf;
  th_probe_t pr[4];
  probe_t w = {0};
  int i, v = -1, res = 99;
  memset(pr, 0, sizeof pr);
  CHECK_EQ(cf_mpsc_new(sizeof(th_probe_t *), 0, &tx, &rx), 0);
  for (i = 0; i < 4; i++) {
    th_probe_t *pp = &pr[i];
    pr[i].rc = 100 + i;
    CHECK_EQ(cf_mpsc_try_send(&tx, &pp), 0);
  }
  cf_mpsc_sender_free(&tx);
  cf_mpsc_stream_init(&src, &rx);
  CHECK_EQ(cf_stream_buffered_init(&buf, &src.base, 2, sizeof(cf_poll_fn_t),
                                   sizeof(int), start_probe, NULL, NULL),
           0);
  CHECK_EQ(probe_poll_next(&w, &buf.base, &v, &res), CF_PENDING);
  CHECK_EQ(pr[0].polls, 1);
  CHECK_EQ(pr[1].polls, 1);
  CHECK_EQ(pr[2].polls, 0); /* the limit: not even started */
  CHECK_EQ(cf_mpsc_len(&rx), 2);
  CHECK_EQ(res, 99);
  /* Polling again without a wake polls nobody. */
  CHECK_EQ(probe_poll_next(&w, &buf.base, &v, &res), CF_PENDING);
  CHECK_EQ(pr[0].polls + pr[1].polls, 2);
  /* The second finishes first: its output waits, its slot stays taken. */
  pr[1].ready = 1;
  th_probe_wake(&pr[1]);
  CHECK_EQ(w.wakes, 1);
  CHECK_EQ(probe_poll_next(&w, &buf.base, &v, &res), CF_PENDING);
  CHECK_EQ(pr[0].polls, 1);
  CHECK_EQ(pr[1].polls, 2);
  CHECK_EQ(pr[2].polls, 0);
  CHECK_EQ(cf_stream_buffered_len(&buf), 2);
  /* The head finishes: 100, then 101 at once; each frees a slot. */
  pr[0].ready = 1;
  th_probe_wake(&pr[0]);
  CHECK_EQ(w.wakes, 2);
  CHECK_EQ(probe_poll_next(&w, &buf.base, &v, &res), CF_READY);
  CHECK_EQ(res, CF_STREAM_ITEM);
  CHECK_EQ(v, 100);
  CHECK_EQ(probe_poll_next(&w, &buf.base, &v, &res), CF_READY);
  CHECK_EQ(v, 101);
  CHECK_EQ(pr[2].polls, 1); /* started in the poll that freed a slot */
  CHECK_EQ(probe_poll_next(&w, &buf.base, &v, &res), CF_PENDING);
  CHECK_EQ(pr[3].polls, 1);
  CHECK_EQ(pr[2].polls, 1);
  /* A wake of an old, finished future polls nothing. */
  pr[2].ready = 1;
  pr[3].ready = 1;
  th_probe_wake(&pr[3]);
  CHECK_EQ(probe_poll_next(&w, &buf.base, &v, &res), CF_PENDING);
  CHECK_EQ(pr[2].polls, 1);
  CHECK_EQ(pr[3].polls, 2);
  th_probe_wake(&pr[2]);
  CHECK_EQ(probe_poll_next(&w, &buf.base, &v, &res), CF_READY);
  CHECK_EQ(v, 102);
  CHECK_EQ(probe_poll_next(&w, &buf.base, &v, &res), CF_READY);
  CHECK_EQ(v, 103);
  CHECK_EQ(probe_poll_next(&w, &buf.base, &v, &res), CF_READY);
  CHECK_EQ(res, CF_STREAM_END);
  for (i = 0; i < 4; i++) {
    CHECK_EQ(pr[i].late_polls, 0);
    CHECK_EQ(pr[i].drops, 1);
  }
  CHECK_EQ(w.live, 0); /* END released the parent waker */
  cf_stream_drop(&buf.base);
  cf_mpsc_receiver_free(&rx);
}

/* A tiny stream over an array of ints: negative values are error items.
 * It does not spend the coop budget, so the coop test sees buffered's. */
typedef struct arr_stream {
  cf_stream_t base;
  const int *v;
  int n, i, dropped;
} arr_stream_t;
static cf_poll_t arr_poll(cf_stream_t *st, cf_context_t *cx, void *item,
                          int *res) {
  arr_stream_t *a = (arr_stream_t *)st;
  (void)cx;
  if (a->i == a->n) {
    *res = CF_STREAM_END;
  } else if (a->v[a->i] < 0) {
    *res = a->v[a->i++];
  } else {
    memcpy(item, &a->v[a->i++], sizeof(int));
    *res = CF_STREAM_ITEM;
  }
  return CF_READY;
}
static void arr_drop(cf_stream_t *st) {
  ((arr_stream_t *)st)->dropped++;
}
static const cf_stream_vtable_t arr_vt = {"array", arr_poll, arr_drop};
static void arr_init(arr_stream_t *a, const int *v, int n) {
  memset(a, 0, sizeof *a);
  cf_stream_init(&a->base, &arr_vt, sizeof(int));
  a->v = v;
  a->n = n;
}

/* Ready futures: value 7 fails to start, value 5 finishes with an error. */
static int start_ready(void *ud, const void *item, cf_future_t *slot) {
  int v = *(const int *)item;
  (void)ud;
  if (v == 7)
    return CF_EINVAL;
  cf_ready_init((cf_ready_t *)slot, v == 5 ? CF_ETIMEDOUT : v);
  return 0;
}

static void errors_keep_their_position(void) {
  static const int v[] = {1, CF_ERANGE, 2, 7, 5, 3};
  arr_stream_t a;
  cf_stream_buffered_t buf;
  probe_t w = {0};
  th_log_t log;
  int x, res;
  th_log_clear(&log);
  arr_init(&a, v, 6);
  CHECK_EQ(cf_stream_buffered_init(&buf, &a.base, 4, sizeof(cf_ready_t),
                                   sizeof(int), start_ready, NULL, NULL),
           0);
  for (;;) {
    CHECK_EQ(probe_poll_next(&w, &buf.base, &x, &res), CF_READY);
    if (res == CF_STREAM_END)
      break;
    if (res < 0)
      th_logf(&log, "%s ", cf_err_name(res));
    else
      th_logf(&log, "%d ", x);
  }
  CHECK_STR(log.text, "1 CF_ERANGE 2 CF_EINVAL CF_ETIMEDOUT 3 ");
  cf_stream_drop(&buf.base);
  CHECK_EQ(a.dropped, 1);
  CHECK_EQ(w.live, 0);
}

static void coop_budget_is_spent_per_output(void) {
  static const int v[] = {1, 2, 3};
  arr_stream_t a;
  cf_stream_buffered_t buf;
  probe_t w = {0};
  cf_waker_t wk = cf_waker_from_raw(&probe_vt, &w, 0);
  uint32_t budget = 1;
  cf_context_t cx = {&wk, NULL, NULL, &budget};
  int x = 0, res = 99;
  arr_init(&a, v, 3);
  CHECK_EQ(cf_stream_buffered_init(&buf, &a.base, 3, sizeof(cf_ready_t),
                                   sizeof(int), start_ready, NULL, NULL),
           0);
  CHECK_EQ(cf_stream_poll_next(&buf.base, &cx, &x, &res), CF_READY);
  CHECK_EQ(x, 1);
  CHECK_EQ(budget, 0);
  /* Output 2 is there, but the budget is spent: pending, task woken. */
  CHECK_EQ(cf_stream_poll_next(&buf.base, &cx, &x, &res), CF_PENDING);
  CHECK_EQ(w.wakes, 1);
  CHECK_EQ(x, 1);
  budget = 5;
  CHECK_EQ(cf_stream_poll_next(&buf.base, &cx, &x, &res), CF_READY);
  CHECK_EQ(x, 2);
  CHECK_EQ(cf_stream_poll_next(&buf.base, &cx, &x, &res), CF_READY);
  CHECK_EQ(x, 3);
  CHECK_EQ(cf_stream_poll_next(&buf.base, &cx, &x, &res), CF_READY);
  CHECK_EQ(res, CF_STREAM_END);
  cf_stream_drop(&buf.base);
  CHECK_EQ(w.live, 0);
}

/* Drop after 2 outputs (limit 3): job 2 (finished at 5 ms, output not
 * delivered), job 3 (sleeping, started when job 0's slot freed) and the
 * specs still in the channel are all released. */
static void drop_midway_releases_everything(void) {
  static const int ms[] = {10, 20, 5, 100, 200, 10, 10, 10};
  th_env_t env;
  cf_mpsc_sender_t tx;
  cf_mpsc_receiver_t rx;
  cf_mpsc_stream_t src;
  cf_stream_buffered_t buf;
  consumer_t c;
  counters_t cnt = {0};
  th_log_t log;
  th_log_clear(&log);
  th_env_open(&env);
  CHECK_EQ(cf_mpsc_new(sizeof(spec_t), 0, &tx, &rx), 0);
  send_specs(&tx, ms, 8);
  cf_mpsc_stream_init(&src, &rx);
  CHECK_EQ(cf_stream_buffered_init(&buf, &src.base, 3, sizeof(job_t),
                                   sizeof(int), start_job, job_output, &cnt),
           0);
  CF_ASYNC_INIT(&c, &consumer_vt);
  c.s = &buf.base;
  c.log = &log;
  c.take = 2;
  CHECK_EQ(cf_block_on(env.rt, &c.co.base), 0);
  CHECK_STR(log.text, "0@10 10@20 ");
  CHECK_EQ(th_now(&env), 20); /* nothing waited for the sleepers */
  CHECK_EQ(cnt.inits, 4);     /* 0..3; 4..7 stayed upstream */
  CHECK_EQ(cnt.drops, 4);
  CHECK_EQ(cnt.alive, 0);
  CHECK_EQ(cf_mpsc_len(&rx), 4);
  cf_future_drop(&c.co.base);
  cf_mpsc_sender_free(&tx);
  cf_mpsc_receiver_free(&rx);
  th_env_close(&env); /* no task, waker, timer or byte left */
}

/* The same, but the consumer task is aborted while it awaits. */
static void abort_consumer_releases_everything(void) {
  static const int ms[] = {30, 10, 20, 40};
  th_env_t env;
  cf_mpsc_sender_t tx;
  cf_mpsc_receiver_t rx;
  cf_mpsc_stream_t src;
  cf_stream_buffered_t *buf;
  consumer_t c;
  cf_join_handle_t h;
  counters_t cnt = {0};
  cf_sleep_t nap;
  th_log_t log;
  th_log_clear(&log);
  th_env_open(&env);
  buf = cf_malloc(sizeof *buf); /* lives until after the abort */
  CHECK(buf != NULL);
  CHECK_EQ(cf_mpsc_new(sizeof(spec_t), 0, &tx, &rx), 0);
  send_specs(&tx, ms, 4);
  cf_mpsc_stream_init(&src, &rx);
  CHECK_EQ(cf_stream_buffered_init(buf, &src.base, 4, sizeof(job_t),
                                   sizeof(int), start_job, job_output, &cnt),
           0);
  CF_ASYNC_INIT(&c, &consumer_vt);
  c.s = &buf->base;
  c.log = &log;
  CHECK_EQ(CF_SPAWN(env.rt, &c, "consumer", &h), 0);
  cf_sleep_init(&nap, 25); /* jobs 1 and 2 finished, 0 and 3 running */
  CHECK_EQ(cf_block_on(env.rt, &nap.base), 0);
  CHECK_EQ(cnt.alive, 4);
  CHECK_EQ(cf_task_abort(&h), 0);
  CHECK_EQ(cf_block_on(env.rt, &h.base), CF_ECANCELED);
  CHECK_STR(log.text, "");
  CHECK_EQ(cnt.drops, 4);
  CHECK_EQ(cnt.alive, 0);
  cf_future_drop(&nap.base);
  cf_future_drop(&h.base);
  cf_free(buf, sizeof *buf);
  cf_mpsc_sender_free(&tx);
  cf_mpsc_receiver_free(&rx);
  th_env_close(&env);
}

static void init_errors_leave_inner_untouched(void) {
  static const int v[] = {4};
  arr_stream_t a;
  cf_stream_buffered_t buf;
  probe_t w = {0};
  int x = 0, res;
  arr_init(&a, v, 1);
  CHECK_EQ(cf_stream_buffered_init(&buf, NULL, 2, sizeof(cf_ready_t),
                                   sizeof(int), start_ready, NULL, NULL),
           CF_EINVAL);
  CHECK_EQ(cf_stream_buffered_init(&buf, &a.base, 0, sizeof(cf_ready_t),
                                   sizeof(int), start_ready, NULL, NULL),
           CF_EINVAL);
  CHECK_EQ(cf_stream_buffered_init(&buf, &a.base, 2, 4, sizeof(int),
                                   start_ready, NULL, NULL),
           CF_EINVAL);
  /* rc mode needs int outputs; items of int size are not futures */
  CHECK_EQ(cf_stream_buffered_init(&buf, &a.base, 2, sizeof(cf_ready_t), 8,
                                   start_ready, NULL, NULL),
           CF_EINVAL);
  CHECK_EQ(cf_stream_buffered_init(&buf, &a.base, 2, 0, sizeof(int), NULL, NULL,
                                   NULL),
           CF_EINVAL);
  CHECK_EQ(cf_stream_buffered_init(&buf, &a.base, (size_t)-1 / 2,
                                   sizeof(cf_ready_t), sizeof(int), start_ready,
                                   NULL, NULL),
           CF_ENOMEM);
  th_fail_after(0);
  CHECK_EQ(cf_stream_buffered_init(&buf, &a.base, 2, sizeof(cf_ready_t),
                                   sizeof(int), start_ready, NULL, NULL),
           CF_ENOMEM);
  th_fail_after(-1);
  CHECK(th_alloc_failures() >= 1);
  /* Inert: END, drop is a no-op, the inner stream is untouched. */
  CHECK_EQ(probe_poll_next(&w, &buf.base, &x, &res), CF_READY);
  CHECK_EQ(res, CF_STREAM_END);
  cf_stream_drop(&buf.base);
  CHECK_EQ(a.dropped, 0);
  CHECK_EQ(a.i, 0);
  CHECK_EQ(th_live_bytes(), 0);
  /* and it still works once memory is there */
  CHECK_EQ(cf_stream_buffered_init(&buf, &a.base, 2, sizeof(cf_ready_t),
                                   sizeof(int), start_ready, NULL, NULL),
           0);
  CHECK_EQ(probe_poll_next(&w, &buf.base, &x, &res), CF_READY);
  CHECK_EQ(x, 4);
  cf_stream_drop(&buf.base);
  cf_stream_drop(&buf.base);
  CHECK_EQ(a.dropped, 1);
  CHECK_EQ(th_live_bytes(), 0);
  CHECK_EQ(w.live, 0);
}

TH_MAIN(TH_CASE(ordered_on_virtual_clock),
        TH_CASE(limit_backpressures_a_stream_of_futures),
        TH_CASE(only_woken_futures_are_polled),
        TH_CASE(errors_keep_their_position),
        TH_CASE(coop_budget_is_spent_per_output),
        TH_CASE(drop_midway_releases_everything),
        TH_CASE(abort_consumer_releases_everything),
        TH_CASE(init_errors_leave_inner_untouched))
