/* test_stream.c: the poll-next protocol and adapters: map/filter/take over
 * a channel receiver, fused END, error items passing through, broadcast
 * lag as an error item, interval as a stream on the virtual clock,
 * for_each_concurrent's limit, and the array and range sources (order,
 * END, the coop budget, overflow, feeding for_each_concurrent). */
#include "harness.h"
#include "sync_probe.h"

static int square(void *ud, const void *in, void *out) {
  int x = *(const int *)in;
  long long y = (long long)x * x;
  (void)ud;
  if (x == 13)
    return CF_ERANGE; /* becomes an error item */
  memcpy(out, &y, sizeof y);
  return 0;
}
static int is_odd(void *ud, const void *item) {
  (void)ud;
  return *(const int *)item % 2 != 0;
}

static void map_filter_take_over_mpsc(void) {
  cf_mpsc_sender_t tx;
  cf_mpsc_receiver_t rx;
  cf_mpsc_stream_t src;
  cf_stream_filter_t odd;
  cf_stream_map_t sq;
  cf_stream_take_t first;
  probe_t p = {0};
  long long out;
  int i, res;
  th_log_t log;
  th_log_clear(&log);
  CHECK_EQ(cf_mpsc_new(sizeof(int), 0, &tx, &rx), 0);
  cf_mpsc_stream_init(&src, &rx);
  cf_stream_filter_init(&odd, &src.base, is_odd, NULL);
  CHECK_EQ(cf_stream_map_init(&sq, &odd.base, sizeof(long long), square, NULL),
           0);
  cf_stream_take_init(&first, &sq.base, 5);
  CHECK_EQ(probe_poll_next(&p, &first.base, &out, &res), CF_PENDING);
  for (i = 10; i < 30; i++)
    cf_mpsc_try_send(&tx, &i);
  CHECK_EQ(p.wakes, 1);
  for (;;) {
    CHECK_EQ(probe_poll_next(&p, &first.base, &out, &res), CF_READY);
    if (res == CF_STREAM_END)
      break;
    if (res < 0)
      th_logf(&log, "%s ", cf_err_name(res));
    else
      th_logf(&log, "%lld ", out);
  }
  CHECK_STR(log.text, "121 CF_ERANGE 225 289 361 ");
  /* Fused: END again, and take released the receiver's waker early. */
  CHECK_EQ(probe_poll_next(&p, &first.base, &out, &res), CF_READY);
  CHECK_EQ(res, CF_STREAM_END);
  CHECK_EQ(cf_mpsc_len(&rx), 10); /* 10..19 consumed, 20.. remain */
  cf_stream_drop(&first.base);
  cf_stream_drop(&first.base);
  cf_mpsc_sender_free(&tx);
  cf_mpsc_receiver_free(&rx);
  CHECK_EQ(p.live, 0);
}

static void mpsc_stream_ends_when_closed(void) {
  cf_mpsc_sender_t tx;
  cf_mpsc_receiver_t rx;
  cf_mpsc_stream_t s;
  probe_t p = {0};
  int v = 4, res;
  CHECK_EQ(cf_mpsc_new(sizeof(int), 2, &tx, &rx), 0);
  cf_mpsc_stream_init(&s, &rx);
  cf_mpsc_try_send(&tx, &v);
  cf_mpsc_sender_free(&tx);
  CHECK_EQ(probe_poll_next(&p, &s.base, &v, &res), CF_READY);
  CHECK_EQ(res, CF_STREAM_ITEM);
  CHECK_EQ(probe_poll_next(&p, &s.base, &v, &res), CF_READY);
  CHECK_EQ(res, CF_STREAM_END);
  cf_stream_drop(&s.base);
  cf_mpsc_receiver_free(&rx);
}

static void broadcast_stream_reports_lag(void) {
  cf_broadcast_sender_t tx;
  cf_broadcast_receiver_t rx;
  cf_broadcast_stream_t s;
  probe_t p = {0};
  int i, v, res;
  CHECK_EQ(cf_broadcast_new(sizeof(int), 2, &tx, &rx), 0);
  cf_broadcast_stream_init(&s, &rx);
  CHECK_EQ(probe_poll_next(&p, &s.base, &v, &res), CF_PENDING);
  for (i = 0; i < 5; i++)
    cf_broadcast_send(&tx, &i);
  CHECK_EQ(p.wakes, 1);
  CHECK_EQ(probe_poll_next(&p, &s.base, &v, &res), CF_READY);
  CHECK_EQ(res, CF_ELAGGED);
  CHECK_EQ(s.missed, 3);
  CHECK_EQ(probe_poll_next(&p, &s.base, &v, &res), CF_READY);
  CHECK_EQ(v, 3);
  CHECK_EQ(probe_poll_next(&p, &s.base, &v, &res), CF_READY);
  CHECK_EQ(v, 4);
  CHECK_EQ(probe_poll_next(&p, &s.base, &v, &res), CF_PENDING);
  cf_broadcast_sender_free(&tx);
  CHECK_EQ(probe_poll_next(&p, &s.base, &v, &res), CF_READY);
  CHECK_EQ(res, CF_STREAM_END);
  cf_stream_drop(&s.base);
  cf_broadcast_receiver_free(&rx);
  CHECK_EQ(p.live, 0);
}

/* interval stream, awaited with cf_stream_next_t in a coroutine. */
typedef struct {
  cf_async_t co;
  cf_interval_stream_t ticks;
  cf_stream_take_t three;
  cf_stream_next_t next;
  int64_t at;
  th_log_t *log;
} ticker_t;
static cf_poll_t ticker_poll(cf_future_t *f, cf_context_t *cx) {
  ticker_t *self = (ticker_t *)f;
  CF_BEGIN(self);
  cf_interval_stream_init(&self->ticks, 100, CF_MISSED_TICK_BURST);
  cf_stream_take_init(&self->three, &self->ticks.base, 3);
  for (;;) {
    cf_stream_next_init(&self->next, &self->three.base, &self->at);
    CF_AWAIT(self, &self->next);
    if (self->next.res != CF_STREAM_ITEM)
      break;
    th_logf(self->log, "%lld@%lld ", (long long)self->at,
            (long long)cf_runtime_now(cx->rt));
  }
  CF_END(self, 0);
}
static void ticker_cleanup(cf_future_t *f) {
  ticker_t *self = (ticker_t *)f;
  cf_future_drop(&self->next.base);
  cf_stream_drop(&self->three.base);
}
CF_ASYNC_VTABLE(ticker_vt, "ticker", ticker_poll, ticker_cleanup);

static void interval_stream_ticks(void) {
  th_env_t env;
  ticker_t t;
  th_log_t log;
  th_env_open(&env);
  th_log_clear(&log);
  CF_ASYNC_INIT(&t, &ticker_vt);
  t.log = &log;
  CHECK_EQ(cf_block_on(env.rt, &t.co.base), 0);
  CHECK_STR(log.text, "0@0 100@100 200@200 ");
  cf_future_drop(&t.co.base);
  th_env_close(&env);
}

/* for_each_concurrent: 6 jobs of 100 ms, limit 2 -> 300 ms, never more
 * than 2 at once. */
typedef struct {
  cf_async_t co;
  cf_sleep_t nap;
  int job;
  int *running, *peak;
} job_t;
static cf_poll_t job_poll(cf_future_t *f, cf_context_t *cx) {
  job_t *self = (job_t *)f;
  CF_BEGIN(self);
  if (++*self->running > *self->peak)
    *self->peak = *self->running;
  cf_sleep_init(&self->nap, 100);
  CF_AWAIT(self, &self->nap);
  --*self->running;
  CF_END(self, self->job);
}
static void job_cleanup(cf_future_t *f) {
  cf_future_drop(&((job_t *)f)->nap.base);
}
CF_ASYNC_VTABLE(job_vt, "job", job_poll, job_cleanup);

typedef struct {
  int running, peak, done_sum;
} pool_state_t;
static int start_job(void *ud, const void *item, cf_future_t *slot) {
  pool_state_t *st = ud;
  job_t *j = (job_t *)slot;
  CF_ASYNC_INIT(j, &job_vt);
  j->job = *(const int *)item;
  j->running = &st->running;
  j->peak = &st->peak;
  return 0;
}
static void job_done(void *ud, cf_future_t *slot) {
  ((pool_state_t *)ud)->done_sum += slot->rc;
}

static void for_each_concurrent_respects_limit(void) {
  th_env_t env;
  cf_mpsc_sender_t tx;
  cf_mpsc_receiver_t rx;
  cf_mpsc_stream_t s;
  cf_for_each_concurrent_t fe;
  pool_state_t st = {0, 0, 0};
  int i;
  th_env_open(&env);
  CHECK_EQ(cf_mpsc_new(sizeof(int), 0, &tx, &rx), 0);
  for (i = 1; i <= 6; i++)
    cf_mpsc_try_send(&tx, &i);
  cf_mpsc_sender_free(&tx);
  cf_mpsc_stream_init(&s, &rx);
  cf_for_each_concurrent_init(&fe, &s.base, 2, sizeof(job_t), start_job,
                              job_done, &st);
  CHECK_EQ(cf_block_on(env.rt, &fe.base), 0);
  CHECK_EQ(th_now(&env), 300);
  CHECK_EQ(st.peak, 2);
  CHECK_EQ(st.done_sum, 21);
  cf_future_drop(&fe.base);
  cf_mpsc_receiver_free(&rx);
  th_env_close(&env);
}

static void for_each_concurrent_drop_and_enomem(void) {
  th_env_t env;
  cf_mpsc_sender_t tx;
  cf_mpsc_receiver_t rx;
  cf_mpsc_stream_t s;
  cf_for_each_concurrent_t fe;
  cf_timeout_t to;
  pool_state_t st = {0, 0, 0};
  int i;
  th_env_open(&env);
  CHECK_EQ(cf_mpsc_new(sizeof(int), 0, &tx, &rx), 0);
  for (i = 1; i <= 6; i++)
    cf_mpsc_try_send(&tx, &i);
  cf_mpsc_stream_init(&s, &rx);
  cf_for_each_concurrent_init(&fe, &s.base, 3, sizeof(job_t), start_job,
                              job_done, &st);
  cf_timeout_init(&to, &fe.base, 150); /* cancels it mid-flight */
  CHECK_EQ(cf_block_on(env.rt, &to.base), CF_ETIMEDOUT);
  CHECK_EQ(st.done_sum, 1 + 2 + 3);
  CHECK_EQ(cf_mpsc_len(&rx), 0); /* items 4..6 were taken by the pool */
  cf_future_drop(&to.base);
  /* ENOMEM at the first poll. */
  cf_mpsc_stream_init(&s, &rx);
  cf_for_each_concurrent_init(&fe, &s.base, 3, sizeof(job_t), start_job, NULL,
                              &st);
  th_fail_after(0);
  CHECK_EQ(cf_block_on(env.rt, &fe.base), CF_ENOMEM);
  th_fail_after(-1);
  cf_future_drop(&fe.base);
  cf_mpsc_sender_free(&tx);
  cf_mpsc_receiver_free(&rx);
  th_env_close(&env);
}

/* Collect every result of a never-pending stream as text. */
static void drain(cf_stream_t *st, th_log_t *log) {
  probe_t p = {0};
  int64_t v = 0;
  int x = 0, res;
  for (int guard = 0; guard < 100; guard++) {
    void *item = st->item_size == sizeof v ? (void *)&v : (void *)&x;
    CHECK_EQ(probe_poll_next(&p, st, item, &res), CF_READY);
    if (res == CF_STREAM_END)
      break;
    if (res < 0)
      th_logf(log, "%s ", cf_err_name(res));
    else if (st->item_size == sizeof v)
      th_logf(log, "%lld ", (long long)v);
    else
      th_logf(log, "%d ", x);
  }
  th_logf(log, "| ");
}

static void array_and_range_sources(void) {
  static const int arr[] = {7, 8, 9};
  cf_stream_iter_t it;
  cf_stream_range_t r;
  th_log_t log;
  th_log_clear(&log);
  cf_stream_iter_init(&it, arr, 3, sizeof arr[0]);
  drain(&it.base, &log);
  drain(&it.base, &log); /* fused */
  cf_stream_drop(&it.base);
  cf_stream_iter_init(&it, arr, 0, sizeof arr[0]);
  drain(&it.base, &log);
  cf_stream_iter_init(&it, NULL, 5, sizeof arr[0]);
  drain(&it.base, &log);
  cf_stream_range_init(&r, 0, 10, 3);
  drain(&r.base, &log);
  cf_stream_range_init(&r, 5, 0, -2);
  drain(&r.base, &log);
  cf_stream_range_init(&r, 4, 4, 1);
  drain(&r.base, &log);
  cf_stream_range_init(&r, 0, 3, 0);
  drain(&r.base, &log);
  cf_stream_range_init(&r, INT64_MAX - 2, INT64_MAX, 5);
  drain(&r.base, &log);
  cf_stream_range_init(&r, INT64_MIN + 1, INT64_MIN, -7);
  drain(&r.base, &log);
  CHECK_STR(log.text, "7 8 9 | | | | 0 3 6 9 | 5 3 1 | | CF_EINVAL | "
                      "9223372036854775805 | -9223372036854775807 | ");
}

static void sources_spend_the_coop_budget(void) {
  static const int arr[] = {1, 2, 3, 4};
  cf_stream_iter_t it;
  probe_t p = {0};
  cf_waker_t w = cf_waker_from_raw(&probe_vt, &p, 0);
  uint32_t budget = 2;
  cf_context_t cx = {&w, NULL, NULL, &budget};
  int x = 0, res = 99;
  cf_stream_iter_init(&it, arr, 4, sizeof arr[0]);
  CHECK_EQ(cf_stream_poll_next(&it.base, &cx, &x, &res), CF_READY);
  CHECK_EQ(cf_stream_poll_next(&it.base, &cx, &x, &res), CF_READY);
  CHECK_EQ(x, 2);
  /* Budget spent: pending, woken, and the item is not taken. */
  CHECK_EQ(cf_stream_poll_next(&it.base, &cx, &x, &res), CF_PENDING);
  CHECK_EQ(p.wakes, 1);
  CHECK_EQ(x, 2);
  budget = 5;
  CHECK_EQ(cf_stream_poll_next(&it.base, &cx, &x, &res), CF_READY);
  CHECK_EQ(res, CF_STREAM_ITEM);
  CHECK_EQ(x, 3);
}

/* for_each_concurrent fed from an array (no channel): same limit and
 * timing as the mpsc version above. */
static void for_each_concurrent_over_an_array(void) {
  static const int jobs[] = {1, 2, 3, 4, 5, 6};
  th_env_t env;
  cf_stream_iter_t src;
  cf_for_each_concurrent_t fe;
  pool_state_t st = {0, 0, 0};
  th_env_open(&env);
  cf_stream_iter_init(&src, jobs, 6, sizeof jobs[0]);
  cf_for_each_concurrent_init(&fe, &src.base, 2, sizeof(job_t), start_job,
                              job_done, &st);
  CHECK_EQ(cf_block_on(env.rt, &fe.base), 0);
  CHECK_EQ(th_now(&env), 300);
  CHECK_EQ(st.peak, 2);
  CHECK_EQ(st.done_sum, 21);
  cf_future_drop(&fe.base);
  th_env_close(&env);
}

TH_MAIN(TH_CASE(map_filter_take_over_mpsc), TH_CASE(array_and_range_sources),
        TH_CASE(sources_spend_the_coop_budget),
        TH_CASE(for_each_concurrent_over_an_array),
        TH_CASE(mpsc_stream_ends_when_closed),
        TH_CASE(broadcast_stream_reports_lag), TH_CASE(interval_stream_ticks),
        TH_CASE(for_each_concurrent_respects_limit),
        TH_CASE(for_each_concurrent_drop_and_enomem))
