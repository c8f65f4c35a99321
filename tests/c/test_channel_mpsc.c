/* test_channel_mpsc.c: bounded and unbounded mpsc: FIFO, backpressure
 * (a sender pends when full and resumes when space appears, waiting
 * senders served in order), close and drop from either side at each
 * point, cancel-safety of send and recv, the coop budget, CF_ENOMEM. */
#include "harness.h"
#include "sync_probe.h"

static void fifo_and_try(void) {
  cf_mpsc_sender_t tx;
  cf_mpsc_receiver_t rx;
  int i, v;
  CHECK_EQ(cf_mpsc_new(sizeof(int), 3, &tx, &rx), 0);
  for (i = 0; i < 3; i++)
    CHECK_EQ(cf_mpsc_try_send(&tx, &i), 0);
  CHECK_EQ(cf_mpsc_try_send(&tx, &i), CF_EAGAIN);
  CHECK_EQ(cf_mpsc_len(&rx), 3);
  for (i = 0; i < 3; i++) {
    CHECK_EQ(cf_mpsc_try_recv(&rx, &v), 0);
    CHECK_EQ(v, i);
  }
  CHECK_EQ(cf_mpsc_try_recv(&rx, &v), CF_EAGAIN);
  cf_mpsc_sender_free(&tx);
  cf_mpsc_sender_free(&tx); /* idempotent */
  CHECK_EQ(cf_mpsc_try_recv(&rx, &v), CF_ECLOSED);
  cf_mpsc_receiver_free(&rx);
  CHECK_EQ(cf_mpsc_new(0, 1, &tx, &rx), CF_EINVAL);
}

static void backpressure_fifo_senders(void) {
  cf_mpsc_sender_t tx, tx2;
  cf_mpsc_receiver_t rx;
  cf_mpsc_send_t s1, s2;
  cf_mpsc_recv_t r;
  probe_t p1 = {0}, p2 = {0}, pr = {0};
  int a = 1, b = 2, c = 3, v = 0;
  CHECK_EQ(cf_mpsc_new(sizeof(int), 1, &tx, &rx), 0);
  cf_mpsc_sender_clone(&tx, &tx2);
  CHECK_EQ(cf_mpsc_try_send(&tx, &a), 0);
  cf_mpsc_send_init(&s1, &tx, &b);
  cf_mpsc_send_init(&s2, &tx2, &c);
  CHECK_EQ(probe_poll(&p1, &s1.base), CF_PENDING); /* full: waits */
  CHECK_EQ(probe_poll(&p2, &s2.base), CF_PENDING);
  CHECK_EQ(cf_mpsc_try_send(&tx2, &c), CF_EAGAIN); /* no queue jumping */
  cf_mpsc_recv_init(&r, &rx, &v);
  CHECK_EQ(probe_poll(&pr, &r.base), CF_READY);
  CHECK_EQ(v, 1);
  cf_future_drop(&r.base);
  CHECK_EQ(p1.wakes, 1); /* first waiter gets the space */
  CHECK_EQ(p2.wakes, 0);
  CHECK_EQ(probe_poll(&p1, &s1.base), CF_READY);
  CHECK_EQ(s1.base.rc, 0);
  CHECK_EQ(cf_mpsc_try_recv(&rx, &v), 0);
  CHECK_EQ(v, 2);
  CHECK_EQ(p2.wakes, 1);
  CHECK_EQ(probe_poll(&p2, &s2.base), CF_READY);
  CHECK_EQ(cf_mpsc_try_recv(&rx, &v), 0);
  CHECK_EQ(v, 3);
  cf_future_drop(&s1.base);
  cf_future_drop(&s2.base);
  cf_mpsc_sender_free(&tx);
  cf_mpsc_sender_free(&tx2);
  cf_mpsc_receiver_free(&rx);
  CHECK_EQ(p1.live + p2.live + pr.live, 0);
}

static void dropped_send_loses_place_not_slot(void) {
  cf_mpsc_sender_t tx;
  cf_mpsc_receiver_t rx;
  cf_mpsc_send_t s1, s2;
  probe_t p1 = {0}, p2 = {0};
  int a = 1, b = 2, c = 3, v;
  CHECK_EQ(cf_mpsc_new(sizeof(int), 1, &tx, &rx), 0);
  CHECK_EQ(cf_mpsc_try_send(&tx, &a), 0);
  cf_mpsc_send_init(&s1, &tx, &b);
  cf_mpsc_send_init(&s2, &tx, &c);
  CHECK_EQ(probe_poll(&p1, &s1.base), CF_PENDING);
  CHECK_EQ(probe_poll(&p2, &s2.base), CF_PENDING);
  CHECK_EQ(cf_mpsc_try_recv(&rx, &v), 0); /* slot granted to s1 ... */
  cf_future_drop(&s1.base);               /* ... which is cancelled */
  CHECK_EQ(p2.wakes, 1);                  /* the slot moves on */
  CHECK_EQ(probe_poll(&p2, &s2.base), CF_READY);
  CHECK_EQ(cf_mpsc_try_recv(&rx, &v), 0);
  CHECK_EQ(v, 3); /* b was never sent */
  CHECK_EQ(cf_mpsc_try_recv(&rx, &v), CF_EAGAIN);
  cf_future_drop(&s2.base);
  cf_mpsc_sender_free(&tx);
  cf_mpsc_receiver_free(&rx);
  CHECK_EQ(p1.live + p2.live, 0);
}

static void dropped_recv_loses_nothing(void) {
  cf_mpsc_sender_t tx;
  cf_mpsc_receiver_t rx;
  cf_mpsc_recv_t r;
  probe_t p = {0};
  int a = 7, v = 0;
  CHECK_EQ(cf_mpsc_new(sizeof(int), 4, &tx, &rx), 0);
  cf_mpsc_recv_init(&r, &rx, &v);
  CHECK_EQ(probe_poll(&p, &r.base), CF_PENDING);
  CHECK_EQ(cf_mpsc_try_send(&tx, &a), 0);
  CHECK_EQ(p.wakes, 1);
  cf_future_drop(&r.base); /* woken but cancelled */
  CHECK_EQ(cf_mpsc_try_recv(&rx, &v), 0);
  CHECK_EQ(v, 7);
  cf_mpsc_sender_free(&tx);
  cf_mpsc_receiver_free(&rx);
  CHECK_EQ(p.live, 0);
}

static void last_sender_drop_wakes_receiver_after_drain(void) {
  cf_mpsc_sender_t tx, tx2;
  cf_mpsc_receiver_t rx;
  cf_mpsc_recv_t r;
  probe_t p = {0};
  int a = 5, v = 0;
  CHECK_EQ(cf_mpsc_new(sizeof(int), 0, &tx, &rx), 0);
  cf_mpsc_sender_clone(&tx, &tx2);
  CHECK_EQ(cf_mpsc_try_send(&tx2, &a), 0);
  cf_mpsc_sender_free(&tx2);
  cf_mpsc_recv_init(&r, &rx, &v);
  CHECK_EQ(probe_poll(&p, &r.base), CF_READY); /* buffered item first */
  CHECK_EQ(v, 5);
  cf_future_drop(&r.base);
  cf_mpsc_recv_init(&r, &rx, &v);
  CHECK_EQ(probe_poll(&p, &r.base), CF_PENDING); /* one sender left */
  cf_mpsc_sender_free(&tx);
  CHECK_EQ(p.wakes, 1);
  CHECK_EQ(probe_poll(&p, &r.base), CF_READY);
  CHECK_EQ(r.base.rc, CF_ECLOSED);
  cf_future_drop(&r.base);
  cf_mpsc_receiver_free(&rx);
  CHECK_EQ(p.live, 0);
}

static void receiver_close_and_drop_wake_senders(void) {
  cf_mpsc_sender_t tx;
  cf_mpsc_receiver_t rx;
  cf_mpsc_send_t s;
  probe_t p = {0};
  int a = 1, b = 2, v;
  int round;
  for (round = 0; round < 2; round++) {
    CHECK_EQ(cf_mpsc_new(sizeof(int), 1, &tx, &rx), 0);
    CHECK_EQ(cf_mpsc_try_send(&tx, &a), 0);
    cf_mpsc_send_init(&s, &tx, &b);
    CHECK_EQ(probe_poll(&p, &s.base), CF_PENDING);
    if (round == 0)
      cf_mpsc_receiver_close(&rx);
    else
      cf_mpsc_receiver_free(&rx);
    CHECK_EQ(p.wakes, (unsigned)round + 1);
    CHECK_EQ(probe_poll(&p, &s.base), CF_READY);
    CHECK_EQ(s.base.rc, CF_ECLOSED); /* b handed back: never copied */
    CHECK_EQ(cf_mpsc_try_send(&tx, &b), CF_ECLOSED);
    if (round == 0) { /* close: buffered items still drain */
      CHECK_EQ(cf_mpsc_try_recv(&rx, &v), 0);
      CHECK_EQ(v, 1);
      CHECK_EQ(cf_mpsc_try_recv(&rx, &v), CF_ECLOSED);
      cf_mpsc_receiver_free(&rx);
    }
    cf_future_drop(&s.base);
    cf_mpsc_sender_free(&tx);
  }
  CHECK_EQ(p.live, 0);
}

static void grant_then_close(void) {
  /* A waiting sender is granted a slot, then the receiver closes before
   * the sender polls: the send fails and the slot is not leaked. */
  cf_mpsc_sender_t tx;
  cf_mpsc_receiver_t rx;
  cf_mpsc_send_t s;
  probe_t p = {0};
  int a = 1, b = 2, v;
  CHECK_EQ(cf_mpsc_new(sizeof(int), 1, &tx, &rx), 0);
  CHECK_EQ(cf_mpsc_try_send(&tx, &a), 0);
  cf_mpsc_send_init(&s, &tx, &b);
  CHECK_EQ(probe_poll(&p, &s.base), CF_PENDING);
  CHECK_EQ(cf_mpsc_try_recv(&rx, &v), 0);
  cf_mpsc_receiver_close(&rx);
  CHECK_EQ(probe_poll(&p, &s.base), CF_READY);
  CHECK_EQ(s.base.rc, CF_ECLOSED);
  CHECK_EQ(cf_mpsc_try_recv(&rx, &v), CF_ECLOSED);
  cf_future_drop(&s.base);
  cf_mpsc_receiver_free(&rx);
  cf_mpsc_sender_free(&tx);
  CHECK_EQ(p.live, 0);
}

static void unbounded_grows_and_keeps_order(void) {
  cf_mpsc_sender_t tx;
  cf_mpsc_receiver_t rx;
  int i, v;
  CHECK_EQ(cf_mpsc_new(sizeof(int), 0, &tx, &rx), 0);
  for (i = 0; i < 5; i++)
    CHECK_EQ(cf_mpsc_try_send(&tx, &i), 0);
  for (i = 0; i < 3; i++)
    CHECK_EQ(cf_mpsc_try_recv(&rx, &v), 0);
  for (i = 5; i < 1000; i++) /* grows while wrapped */
    CHECK_EQ(cf_mpsc_try_send(&tx, &i), 0);
  for (i = 3; i < 1000; i++) {
    CHECK_EQ(cf_mpsc_try_recv(&rx, &v), 0);
    if (v != i) {
      CHECK_EQ(v, i);
      break;
    }
  }
  cf_mpsc_sender_free(&tx);
  cf_mpsc_receiver_free(&rx);
}

static void allocation_failures(void) {
  cf_mpsc_sender_t tx;
  cf_mpsc_receiver_t rx;
  cf_mpsc_send_t s;
  probe_t p = {0};
  int i, v = 9;
  th_fail_after(0);
  CHECK_EQ(cf_mpsc_new(sizeof(int), 4, &tx, &rx), CF_ENOMEM);
  CHECK(tx.chan == NULL && rx.chan == NULL);
  th_fail_after(1); /* the block, not the ring */
  CHECK_EQ(cf_mpsc_new(sizeof(int), 4, &tx, &rx), CF_ENOMEM);
  th_fail_after(-1);
  CHECK_EQ(th_live_bytes(), 0);
  CHECK_EQ(cf_mpsc_new(sizeof(int), 0, &tx, &rx), 0);
  for (i = 0; i < 8; i++)
    CHECK_EQ(cf_mpsc_try_send(&tx, &i), 0);
  th_fail_after(0); /* the ninth needs to grow */
  CHECK_EQ(cf_mpsc_try_send(&tx, &v), CF_ENOMEM);
  cf_mpsc_send_init(&s, &tx, &v);
  CHECK_EQ(probe_poll(&p, &s.base), CF_READY);
  CHECK_EQ(s.base.rc, CF_ENOMEM);
  cf_future_drop(&s.base);
  th_fail_after(-1);
  CHECK_EQ(cf_mpsc_len(&rx), 8); /* nothing lost */
  CHECK_EQ(cf_mpsc_try_send(&tx, &v), 0);
  cf_mpsc_sender_free(&tx);
  cf_mpsc_receiver_free(&rx);
}

/* Found by fuzz_sync: dropping a recv that already completed must not
 * unregister a newer pending recv, and receiver_close must wake a recv
 * pending elsewhere (a receiver shared behind a mutex). */
static void stale_recv_drop_and_close_keep_wakeups(void) {
  cf_mpsc_sender_t tx;
  cf_mpsc_receiver_t rx;
  cf_mpsc_recv_t old, cur;
  probe_t po = {0}, pc = {0};
  int a = 1, v;
  CHECK_EQ(cf_mpsc_new(sizeof(int), 2, &tx, &rx), 0);
  cf_mpsc_try_send(&tx, &a);
  cf_mpsc_recv_init(&old, &rx, &v);
  CHECK_EQ(probe_poll(&po, &old.base), CF_READY);
  cf_mpsc_recv_init(&cur, &rx, &v);
  CHECK_EQ(probe_poll(&pc, &cur.base), CF_PENDING);
  cf_future_drop(&old.base); /* completed: must leave cur registered */
  cf_mpsc_try_send(&tx, &a);
  CHECK_EQ(pc.wakes, 1);
  CHECK_EQ(probe_poll(&pc, &cur.base), CF_READY);
  cf_future_drop(&cur.base);
  cf_mpsc_recv_init(&cur, &rx, &v);
  CHECK_EQ(probe_poll(&pc, &cur.base), CF_PENDING);
  cf_mpsc_receiver_close(&rx);
  CHECK_EQ(pc.wakes, 2);
  CHECK_EQ(probe_poll(&pc, &cur.base), CF_READY);
  CHECK_EQ(cur.base.rc, CF_ECLOSED);
  cf_future_drop(&cur.base);
  cf_mpsc_sender_free(&tx);
  cf_mpsc_receiver_free(&rx);
  CHECK_EQ(po.live + pc.live, 0);
}

/* Budget: a consumer with 1000 ready messages yields between batches. */
typedef struct {
  cf_async_t co;
  cf_mpsc_receiver_t *rx;
  cf_mpsc_recv_t r;
  int v, got;
} drain_t;
static cf_poll_t drain_poll(cf_future_t *f, cf_context_t *cx) {
  drain_t *self = (drain_t *)f;
  CF_BEGIN(self);
  for (;;) {
    cf_mpsc_recv_init(&self->r, self->rx, &self->v);
    CF_AWAIT(self, &self->r);
    cf_future_drop(&self->r.base);
    if (self->r.base.rc < 0)
      break;
    self->got++;
  }
  CF_END(self, 0);
}
static void drain_cleanup(cf_future_t *f) {
  cf_future_drop(&((drain_t *)f)->r.base);
}
CF_ASYNC_VTABLE(drain_vt, "drain", drain_poll, drain_cleanup);

static void consumer_yields_within_budget(void) {
  th_env_t env;
  cf_runtime_options_t o = {0};
  cf_mpsc_sender_t tx;
  cf_mpsc_receiver_t rx;
  cf_join_handle_t h;
  drain_t d;
  int i;
  cf_runtime_stats_t st;
  o.coop_budget = 100;
  th_env_open_opts(&env, o);
  CHECK_EQ(cf_mpsc_new(sizeof(int), 0, &tx, &rx), 0);
  for (i = 0; i < 1000; i++)
    cf_mpsc_try_send(&tx, &i);
  cf_mpsc_sender_free(&tx);
  CF_ASYNC_INIT(&d, &drain_vt);
  d.rx = &rx;
  CHECK_EQ(CF_SPAWN(env.rt, &d, "drain", &h), 0);
  CHECK_EQ(cf_block_on(env.rt, &h.base), 0);
  CHECK_EQ(((drain_t *)cf_join_handle_output(&h))->got, 1000);
  cf_runtime_stats(env.rt, &st);
  CHECK(st.polls >= 10); /* at least one poll per 100 messages */
  cf_future_drop(&h.base);
  cf_mpsc_receiver_free(&rx);
  th_env_close(&env);
}

TH_MAIN(TH_CASE(fifo_and_try), TH_CASE(backpressure_fifo_senders),
        TH_CASE(dropped_send_loses_place_not_slot),
        TH_CASE(dropped_recv_loses_nothing),
        TH_CASE(last_sender_drop_wakes_receiver_after_drain),
        TH_CASE(receiver_close_and_drop_wake_senders),
        TH_CASE(grant_then_close), TH_CASE(unbounded_grows_and_keeps_order),
        TH_CASE(allocation_failures),
        TH_CASE(stale_recv_drop_and_close_keep_wakeups),
        TH_CASE(consumer_yields_within_budget))
