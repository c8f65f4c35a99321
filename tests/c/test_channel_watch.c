/* test_channel_watch.c: watch: coalescing (many sends, one change, latest
 * value), wake-all, closed after the last value was seen, cancel-safe
 * changed, and the watch stream. */
#include "harness.h"
#include "sync_probe.h"

static void coalesces(void) {
  cf_watch_sender_t tx;
  cf_watch_receiver_t rx;
  cf_watch_changed_t c;
  probe_t p = {0};
  int init = 0, v, i;
  CHECK_EQ(cf_watch_new(sizeof(int), &init, &tx, &rx), 0);
  CHECK_EQ(cf_watch_has_changed(&rx), 0);
  cf_watch_changed_init(&c, &rx);
  CHECK_EQ(probe_poll(&p, &c.base), CF_PENDING);
  for (i = 1; i <= 3; i++)
    CHECK_EQ(cf_watch_send(&tx, &i), 0);
  CHECK_EQ(p.wakes, 1);
  CHECK_EQ(probe_poll(&p, &c.base), CF_READY);
  CHECK_EQ(c.base.rc, 0);
  cf_future_drop(&c.base);
  CHECK_EQ(cf_watch_borrow(&rx, &v), 0);
  CHECK_EQ(v, 3); /* only the latest */
  CHECK_EQ(cf_watch_has_changed(&rx), 0);
  cf_watch_changed_init(&c, &rx);
  CHECK_EQ(probe_poll(&p, &c.base), CF_PENDING); /* no second change */
  cf_future_drop(&c.base);
  CHECK_EQ(cf_watch_version(&rx), 3);
  cf_watch_sender_free(&tx);
  cf_watch_receiver_free(&rx);
  CHECK_EQ(p.live, 0);
}

static void many_receivers_and_close(void) {
  cf_watch_sender_t tx;
  cf_watch_receiver_t a, b;
  cf_watch_changed_t ca, cb;
  probe_t pa = {0}, pb = {0};
  int init = 0, x = 9, v;
  CHECK_EQ(cf_watch_new(sizeof(int), &init, &tx, &a), 0);
  cf_watch_subscribe(&tx, &b);
  cf_watch_changed_init(&ca, &a);
  cf_watch_changed_init(&cb, &b);
  CHECK_EQ(probe_poll(&pa, &ca.base), CF_PENDING);
  CHECK_EQ(probe_poll(&pb, &cb.base), CF_PENDING);
  CHECK_EQ(cf_watch_send(&tx, &x), 0);
  cf_watch_sender_free(&tx); /* after a send: the change is still seen */
  CHECK_EQ(pa.wakes, 1);
  CHECK_EQ(pb.wakes, 1);
  CHECK_EQ(probe_poll(&pa, &ca.base), CF_READY);
  CHECK_EQ(ca.base.rc, 0);
  cf_watch_borrow(&a, &v);
  CHECK_EQ(v, 9);
  cf_future_drop(&ca.base);
  cf_future_drop(&cb.base); /* b's change not marked seen */
  CHECK_EQ(cf_watch_has_changed(&b), 1);
  cf_watch_changed_init(&ca, &a);
  CHECK_EQ(probe_poll(&pa, &ca.base), CF_READY);
  CHECK_EQ(ca.base.rc, CF_ECLOSED);
  cf_future_drop(&ca.base);
  cf_watch_receiver_free(&a);
  cf_watch_receiver_free(&b);
  CHECK_EQ(pa.live + pb.live, 0);
}

static void send_without_receivers(void) {
  cf_watch_sender_t tx;
  cf_watch_receiver_t rx;
  int init = 1, x = 2;
  CHECK_EQ(cf_watch_new(sizeof(int), &init, &tx, &rx), 0);
  cf_watch_receiver_free(&rx);
  CHECK_EQ(cf_watch_send(&tx, &x), CF_ECLOSED);
  cf_watch_sender_free(&tx);
  th_fail_after(0);
  CHECK_EQ(cf_watch_new(sizeof(int), &init, &tx, &rx), CF_ENOMEM);
  th_fail_after(-1);
}

static void watch_stream_coalesces(void) {
  cf_watch_sender_t tx;
  cf_watch_receiver_t rx;
  cf_watch_stream_t s;
  probe_t p = {0};
  int init = 0, v = -1, res, i;
  CHECK_EQ(cf_watch_new(sizeof(int), &init, &tx, &rx), 0);
  cf_watch_stream_init(&s, &rx);
  CHECK_EQ(probe_poll_next(&p, &s.base, &v, &res), CF_PENDING);
  for (i = 1; i <= 5; i++)
    cf_watch_send(&tx, &i);
  CHECK_EQ(probe_poll_next(&p, &s.base, &v, &res), CF_READY);
  CHECK_EQ(res, CF_STREAM_ITEM);
  CHECK_EQ(v, 5);
  CHECK_EQ(probe_poll_next(&p, &s.base, &v, &res), CF_PENDING);
  cf_watch_sender_free(&tx);
  CHECK_EQ(probe_poll_next(&p, &s.base, &v, &res), CF_READY);
  CHECK_EQ(res, CF_STREAM_END);
  cf_stream_drop(&s.base);
  cf_watch_receiver_free(&rx);
  CHECK_EQ(p.live, 0);
}

TH_MAIN(TH_CASE(coalesces), TH_CASE(many_receivers_and_close),
        TH_CASE(send_without_receivers), TH_CASE(watch_stream_coalesces))
