/* test_channel_oneshot.c: oneshot: value delivery, either side dropping
 * first (before / while the other waits), cancel-safe recv, CF_ENOMEM, and
 * the reuse of channel blocks inside task polls (the runtime's spares). */
#include "harness.h"
#include "sync_probe.h"

static void send_then_recv(void) {
  cf_oneshot_sender_t tx;
  cf_oneshot_receiver_t rx;
  cf_oneshot_recv_t r;
  probe_t p = {0};
  double v = 0, x = 2.5;
  CHECK_EQ(cf_oneshot_new(sizeof(double), &tx, &rx), 0);
  cf_oneshot_recv_init(&r, &rx, &v);
  CHECK_EQ(probe_poll(&p, &r.base), CF_PENDING);
  CHECK(!cf_oneshot_is_closed(&tx));
  CHECK_EQ(cf_oneshot_send(&tx, &x), 0);
  CHECK(tx.chan == NULL); /* consumed */
  CHECK_EQ(cf_oneshot_send(&tx, &x), CF_EINVAL);
  CHECK_EQ(p.wakes, 1);
  CHECK_EQ(probe_poll(&p, &r.base), CF_READY);
  CHECK_EQ(r.base.rc, 0);
  CHECK(v == 2.5);
  CHECK_EQ(cf_oneshot_try_recv(&rx, &v), CF_ECLOSED); /* taken */
  cf_future_drop(&r.base);
  cf_oneshot_receiver_free(&rx);
  CHECK_EQ(p.live, 0);
}

static void sender_dropped_while_waiting(void) {
  cf_oneshot_sender_t tx;
  cf_oneshot_receiver_t rx;
  cf_oneshot_recv_t r;
  probe_t p = {0};
  int v;
  CHECK_EQ(cf_oneshot_new(sizeof(int), &tx, &rx), 0);
  CHECK_EQ(cf_oneshot_try_recv(&rx, &v), CF_EAGAIN);
  cf_oneshot_recv_init(&r, &rx, &v);
  CHECK_EQ(probe_poll(&p, &r.base), CF_PENDING);
  cf_oneshot_sender_free(&tx);
  CHECK_EQ(p.wakes, 1);
  CHECK_EQ(probe_poll(&p, &r.base), CF_READY);
  CHECK_EQ(r.base.rc, CF_ECLOSED);
  cf_future_drop(&r.base);
  cf_oneshot_receiver_free(&rx);
  CHECK_EQ(p.live, 0);
}

static void receiver_dropped_first(void) {
  cf_oneshot_sender_t tx;
  cf_oneshot_receiver_t rx;
  int x = 3;
  CHECK_EQ(cf_oneshot_new(sizeof(int), &tx, &rx), 0);
  cf_oneshot_receiver_free(&rx);
  CHECK(cf_oneshot_is_closed(&tx));
  CHECK_EQ(cf_oneshot_send(&tx, &x), CF_ECLOSED); /* x stays ours */
  CHECK(tx.chan == NULL);
}

static void dropped_recv_keeps_value(void) {
  cf_oneshot_sender_t tx;
  cf_oneshot_receiver_t rx;
  cf_oneshot_recv_t r;
  probe_t p = {0};
  int v = 0, x = 11;
  CHECK_EQ(cf_oneshot_new(sizeof(int), &tx, &rx), 0);
  cf_oneshot_recv_init(&r, &rx, &v);
  CHECK_EQ(probe_poll(&p, &r.base), CF_PENDING);
  CHECK_EQ(cf_oneshot_send(&tx, &x), 0);
  cf_future_drop(&r.base); /* woken, cancelled */
  cf_oneshot_recv_init(&r, &rx, &v);
  CHECK_EQ(probe_poll(&p, &r.base), CF_READY);
  CHECK_EQ(v, 11);
  cf_future_drop(&r.base);
  cf_oneshot_receiver_free(&rx);
  CHECK_EQ(p.live, 0);
}

static void enomem(void) {
  cf_oneshot_sender_t tx;
  cf_oneshot_receiver_t rx;
  th_fail_after(0);
  CHECK_EQ(cf_oneshot_new(sizeof(int), &tx, &rx), CF_ENOMEM);
  th_fail_after(-1);
  CHECK(tx.chan == NULL && rx.chan == NULL);
  cf_oneshot_sender_free(&tx); /* cleared handles are safe */
  cf_oneshot_receiver_free(&rx);
}

/* A task sends a reply to another through a oneshot on the runtime. */
typedef struct {
  cf_async_t co;
  cf_oneshot_sender_t tx;
  cf_sleep_t nap;
} replier_t;
static cf_poll_t replier_poll(cf_future_t *f, cf_context_t *cx) {
  replier_t *self = (replier_t *)f;
  int answer = 42;
  CF_BEGIN(self);
  cf_sleep_init(&self->nap, 250);
  CF_AWAIT(self, &self->nap);
  cf_oneshot_send(&self->tx, &answer);
  CF_END(self, 0);
}
static void replier_cleanup(cf_future_t *f) {
  replier_t *self = (replier_t *)f;
  cf_future_drop(&self->nap.base);
  cf_oneshot_sender_free(&self->tx);
}
CF_ASYNC_VTABLE(replier_vt, "replier", replier_poll, replier_cleanup);

static void across_tasks(void) {
  th_env_t env;
  replier_t t;
  cf_oneshot_receiver_t rx;
  cf_oneshot_recv_t r;
  int v = 0;
  th_env_open(&env);
  CF_ASYNC_INIT(&t, &replier_vt);
  CHECK_EQ(cf_oneshot_new(sizeof(int), &t.tx, &rx), 0);
  CHECK_EQ(CF_SPAWN(env.rt, &t, "replier", NULL), 0);
  cf_oneshot_recv_init(&r, &rx, &v);
  CHECK_EQ(cf_block_on(env.rt, &r.base), 0);
  CHECK_EQ(v, 42);
  CHECK_EQ(th_now(&env), 250);
  cf_future_drop(&r.base);
  cf_oneshot_receiver_free(&rx);
  th_env_close(&env);
}

/* A task that makes and releases `rounds` channels of `size`-byte items,
 * with one successful allocation allowed from its first poll on: small
 * channels after the first must come from the runtime's spare blocks. */
typedef struct churn {
  cf_async_t co;
  int rounds, size, made;
  int *rc; /* the task runs a copy of this future */
} churn_t;
static cf_poll_t churn_poll(cf_future_t *f, cf_context_t *cx) {
  churn_t *self = (churn_t *)f;
  unsigned char in[256] = {0}, out[256];
  (void)cx;
  th_fail_after(1);
  for (self->made = 0; self->made < self->rounds; self->made++) {
    cf_oneshot_sender_t tx;
    cf_oneshot_receiver_t rx;
    in[0] = (unsigned char)self->made;
    if ((*self->rc = cf_oneshot_new((size_t)self->size, &tx, &rx)) < 0)
      break;
    CHECK_EQ(cf_oneshot_send(&tx, in), 0);
    CHECK_EQ(cf_oneshot_try_recv(&rx, out), 0);
    CHECK_EQ(out[0], in[0]);
    cf_oneshot_receiver_free(&rx);
  }
  th_fail_after(-1);
  return CF_READY;
}
CF_ASYNC_VTABLE(churn_vt, "churn", churn_poll, NULL);

static int churn(th_env_t *env, int size, int rounds) {
  churn_t c;
  size_t before = th_live_bytes();
  int rc = 1;
  CF_ASYNC_INIT(&c, &churn_vt);
  c.rounds = rounds;
  c.size = size;
  c.rc = &rc;
  CHECK_EQ(CF_SPAWN(env->rt, &c, "churn", NULL), 0);
  CHECK(cf_runtime_run_until_stalled(env->rt) >= 0);
  /* idle: the spares went back to the allocator with the task's block */
  CHECK_EQ(th_live_bytes(), before);
  return rc;
}

static void spare_blocks_in_polls(void) {
  th_env_t env;
  th_env_open(&env);
  CHECK_EQ(churn(&env, 8, 1000), 0); /* one block, reused 999 times */
  CHECK_EQ(churn(&env, 24, 100), 0); /* another small item size */
  /* big items are allocated each time: the second one fails */
  CHECK_EQ(churn(&env, 200, 3), CF_ENOMEM);
  th_env_close(&env);
}

static void spare_blocks_outside_polls(void) {
  cf_oneshot_sender_t tx;
  cf_oneshot_receiver_t rx;
  int i;
  /* no task is being polled: every channel is its own allocation */
  for (i = 0; i < 3; i++) {
    CHECK_EQ(cf_oneshot_new(sizeof(int), &tx, &rx), 0);
    CHECK_EQ(th_live_blocks(), 1);
    cf_oneshot_sender_free(&tx);
    cf_oneshot_receiver_free(&rx);
    CHECK_EQ(th_live_bytes(), 0);
  }
}

TH_MAIN(TH_CASE(send_then_recv), TH_CASE(sender_dropped_while_waiting),
        TH_CASE(receiver_dropped_first), TH_CASE(dropped_recv_keeps_value),
        TH_CASE(enomem), TH_CASE(across_tasks), TH_CASE(spare_blocks_in_polls),
        TH_CASE(spare_blocks_outside_polls))
