/* test_sync_notify.c: Notify: stored permit (at most one), FIFO
 * notify_one, notify_waiters reaching futures created but not yet polled,
 * and the hand-on of a notification whose future was dropped. */
#include "harness.h"
#include "sync_probe.h"

static void permit_is_stored_once(void) {
  cf_notify_t n;
  cf_notified_t a, b;
  probe_t p = {0};
  cf_notify_init(&n);
  cf_notify_one(&n);
  cf_notify_one(&n); /* still one permit */
  cf_notified_init(&a, &n);
  cf_notified_init(&b, &n);
  CHECK_EQ(probe_poll(&p, &a.base), CF_READY);
  CHECK_EQ(probe_poll(&p, &b.base), CF_PENDING);
  cf_future_drop(&a.base);
  cf_future_drop(&b.base);
  CHECK_EQ(n.permit, 0);
  CHECK_EQ(p.live, 0);
}

static void notify_one_is_fifo(void) {
  cf_notify_t n;
  cf_notified_t w[3];
  probe_t p[3] = {{0}};
  int i;
  cf_notify_init(&n);
  for (i = 0; i < 3; i++) {
    cf_notified_init(&w[i], &n);
    CHECK_EQ(probe_poll(&p[i], &w[i].base), CF_PENDING);
  }
  cf_notify_one(&n);
  CHECK_EQ(p[0].wakes, 1);
  CHECK_EQ(p[1].wakes + p[2].wakes, 0);
  cf_notify_one(&n);
  CHECK_EQ(p[1].wakes, 1);
  CHECK_EQ(probe_poll(&p[0], &w[0].base), CF_READY);
  CHECK_EQ(probe_poll(&p[1], &w[1].base), CF_READY);
  CHECK_EQ(probe_poll(&p[2], &w[2].base), CF_PENDING);
  for (i = 0; i < 3; i++) {
    cf_future_drop(&w[i].base);
    CHECK_EQ(p[i].live, 0);
  }
  CHECK_EQ(n.permit, 0);
}

static void notify_waiters_includes_unpolled(void) {
  cf_notify_t n;
  cf_notified_t a, b, late;
  probe_t p = {0};
  cf_notify_init(&n);
  cf_notified_init(&a, &n);
  cf_notified_init(&b, &n); /* created, never polled before the call */
  CHECK_EQ(probe_poll(&p, &a.base), CF_PENDING);
  cf_notify_waiters(&n);
  cf_notified_init(&late, &n);
  CHECK_EQ(probe_poll(&p, &a.base), CF_READY);
  CHECK_EQ(probe_poll(&p, &b.base), CF_READY);
  CHECK_EQ(probe_poll(&p, &late.base), CF_PENDING); /* no permit stored */
  cf_future_drop(&a.base);
  cf_future_drop(&b.base);
  cf_future_drop(&late.base);
  CHECK_EQ(p.live, 0);
}

static void dropped_notified_hands_on(void) {
  cf_notify_t n;
  cf_notified_t a, b, c;
  probe_t pa = {0}, pb = {0}, pc = {0};
  cf_notify_init(&n);
  cf_notified_init(&a, &n);
  cf_notified_init(&b, &n);
  CHECK_EQ(probe_poll(&pa, &a.base), CF_PENDING);
  CHECK_EQ(probe_poll(&pb, &b.base), CF_PENDING);
  cf_notify_one(&n);
  cf_future_drop(&a.base); /* assigned, not observed */
  CHECK_EQ(pb.wakes, 1);
  CHECK_EQ(probe_poll(&pb, &b.base), CF_READY);
  cf_future_drop(&b.base);
  /* With nobody waiting, the handed-on notification becomes the permit. */
  cf_notified_init(&a, &n);
  CHECK_EQ(probe_poll(&pa, &a.base), CF_PENDING);
  cf_notify_one(&n);
  cf_future_drop(&a.base);
  CHECK_EQ(n.permit, 1);
  cf_notified_init(&c, &n);
  CHECK_EQ(probe_poll(&pc, &c.base), CF_READY);
  cf_future_drop(&c.base);
  /* notify_waiters notifications are not handed on. */
  cf_notified_init(&a, &n);
  cf_notified_init(&b, &n);
  CHECK_EQ(probe_poll(&pa, &a.base), CF_PENDING);
  cf_notify_waiters(&n);
  cf_future_drop(&a.base);
  CHECK_EQ(n.permit, 0);
  cf_future_drop(&b.base);
  CHECK_EQ(pa.live + pb.live + pc.live, 0);
}

TH_MAIN(TH_CASE(permit_is_stored_once), TH_CASE(notify_one_is_fifo),
        TH_CASE(notify_waiters_includes_unpolled),
        TH_CASE(dropped_notified_hands_on))
