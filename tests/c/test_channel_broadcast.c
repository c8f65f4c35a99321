/* test_channel_broadcast.c: broadcast: every receiver sees every item,
 * lag detection with the exact missed count, wake-all on send and on the
 * last sender's drop, send with no receiver, cancel-safe recv. */
#include "harness.h"
#include "sync_probe.h"

static void fan_out(void) {
  cf_broadcast_sender_t tx;
  cf_broadcast_receiver_t a, b;
  cf_broadcast_recv_t ra, rb;
  probe_t pa = {0}, pb = {0};
  int va = 0, vb = 0, x = 5;
  CHECK_EQ(cf_broadcast_new(sizeof(int), 4, &tx, &a), 0);
  cf_broadcast_subscribe(&tx, &b);
  cf_broadcast_recv_init(&ra, &a, &va);
  cf_broadcast_recv_init(&rb, &b, &vb);
  CHECK_EQ(probe_poll(&pa, &ra.base), CF_PENDING);
  CHECK_EQ(probe_poll(&pb, &rb.base), CF_PENDING);
  CHECK_EQ(cf_broadcast_send(&tx, &x), 0);
  CHECK_EQ(pa.wakes, 1);
  CHECK_EQ(pb.wakes, 1);
  CHECK_EQ(probe_poll(&pa, &ra.base), CF_READY);
  CHECK_EQ(probe_poll(&pb, &rb.base), CF_READY);
  CHECK_EQ(va, 5);
  CHECK_EQ(vb, 5);
  cf_future_drop(&ra.base);
  cf_future_drop(&rb.base);
  cf_broadcast_receiver_free(&a);
  cf_broadcast_receiver_free(&b);
  CHECK_EQ(cf_broadcast_send(&tx, &x), CF_ECLOSED); /* nobody listens */
  cf_broadcast_sender_free(&tx);
  CHECK_EQ(pa.live + pb.live, 0);
}

static void lagging_receiver_is_told(void) {
  cf_broadcast_sender_t tx;
  cf_broadcast_receiver_t fast, slow;
  cf_broadcast_recv_t r;
  probe_t p = {0};
  uint64_t missed = 0;
  int i, v;
  CHECK_EQ(cf_broadcast_new(sizeof(int), 3, &tx, &slow), 0);
  cf_broadcast_subscribe(&tx, &fast);
  for (i = 0; i < 8; i++) {
    CHECK_EQ(cf_broadcast_send(&tx, &i), 0);
    CHECK_EQ(cf_broadcast_try_recv(&fast, &v, &missed), 0);
    CHECK_EQ(v, i);
  }
  /* slow missed 0..4 (8 sent, 3 retained). */
  cf_broadcast_recv_init(&r, &slow, &v);
  CHECK_EQ(probe_poll(&p, &r.base), CF_READY);
  CHECK_EQ(r.base.rc, CF_ELAGGED);
  CHECK_EQ(r.missed, 5);
  cf_future_drop(&r.base);
  for (i = 5; i < 8; i++) {
    CHECK_EQ(cf_broadcast_try_recv(&slow, &v, &missed), 0);
    CHECK_EQ(v, i);
  }
  CHECK_EQ(cf_broadcast_try_recv(&slow, &v, &missed), CF_EAGAIN);
  cf_broadcast_sender_free(&tx);
  CHECK_EQ(cf_broadcast_try_recv(&slow, &v, &missed), CF_ECLOSED);
  cf_broadcast_receiver_free(&fast);
  cf_broadcast_receiver_free(&slow);
  CHECK_EQ(p.live, 0);
}

static void last_sender_drop_wakes_all_after_drain(void) {
  cf_broadcast_sender_t tx, tx2;
  cf_broadcast_receiver_t a, b;
  cf_broadcast_recv_t ra, rb;
  probe_t pa = {0}, pb = {0};
  int va, vb, x = 1;
  CHECK_EQ(cf_broadcast_new(sizeof(int), 2, &tx, &a), 0);
  cf_broadcast_sender_clone(&tx, &tx2);
  cf_broadcast_receiver_clone(&a, &b);
  cf_broadcast_recv_init(&ra, &a, &va);
  CHECK_EQ(probe_poll(&pa, &ra.base), CF_PENDING);
  CHECK_EQ(cf_broadcast_send(&tx2, &x), 0);
  cf_broadcast_sender_free(&tx2);
  cf_broadcast_sender_free(&tx);
  CHECK_EQ(probe_poll(&pa, &ra.base), CF_READY);
  CHECK_EQ(ra.base.rc, 0);
  cf_future_drop(&ra.base);
  cf_broadcast_recv_init(&rb, &b, &vb); /* b still has the item */
  CHECK_EQ(probe_poll(&pb, &rb.base), CF_READY);
  CHECK_EQ(rb.base.rc, 0);
  CHECK_EQ(vb, 1);
  cf_future_drop(&rb.base);
  cf_broadcast_recv_init(&ra, &a, &va);
  CHECK_EQ(probe_poll(&pa, &ra.base), CF_READY);
  CHECK_EQ(ra.base.rc, CF_ECLOSED);
  cf_future_drop(&ra.base);
  cf_broadcast_receiver_free(&a);
  cf_broadcast_receiver_free(&b);
  CHECK_EQ(pa.live + pb.live, 0);
}

static void pending_receiver_woken_by_close(void) {
  cf_broadcast_sender_t tx;
  cf_broadcast_receiver_t a;
  cf_broadcast_recv_t r, r2;
  probe_t p = {0};
  int v;
  CHECK_EQ(cf_broadcast_new(sizeof(int), 2, &tx, &a), 0);
  cf_broadcast_recv_init(&r, &a, &v);
  cf_broadcast_recv_init(&r2, &a, &v);
  CHECK_EQ(probe_poll(&p, &r.base), CF_PENDING);
  CHECK_EQ(probe_poll(&p, &r2.base), CF_PENDING);
  cf_future_drop(&r2.base); /* unlinks cleanly */
  cf_broadcast_sender_free(&tx);
  CHECK_EQ(p.wakes, 1);
  CHECK_EQ(probe_poll(&p, &r.base), CF_READY);
  CHECK_EQ(r.base.rc, CF_ECLOSED);
  cf_future_drop(&r.base);
  cf_broadcast_receiver_free(&a);
  CHECK_EQ(p.live, 0);
}

static void enomem(void) {
  cf_broadcast_sender_t tx;
  cf_broadcast_receiver_t rx;
  th_fail_after(0);
  CHECK_EQ(cf_broadcast_new(sizeof(int), 2, &tx, &rx), CF_ENOMEM);
  th_fail_after(1);
  CHECK_EQ(cf_broadcast_new(sizeof(int), 2, &tx, &rx), CF_ENOMEM);
  th_fail_after(-1);
  CHECK_EQ(cf_broadcast_new(sizeof(int), 0, &tx, &rx), CF_EINVAL);
}

TH_MAIN(TH_CASE(fan_out), TH_CASE(lagging_receiver_is_told),
        TH_CASE(last_sender_drop_wakes_all_after_drain),
        TH_CASE(pending_receiver_woken_by_close), TH_CASE(enomem))
