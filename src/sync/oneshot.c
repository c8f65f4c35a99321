/* oneshot.c: the oneshot channel. One allocation holds the state and the
 * value slot; it lives until both handles are released. A channel whose
 * block fits CF_SPARE_BLOCK uses a block of exactly that size, made and
 * released through the polling runtime's spare blocks (spare.h): request/
 * reply makes one per request.
 * States: EMPTY -> FULL (send) -> TAKEN (recv). The receiver's waker is
 * the only waiter (one receiver, one pending recv at a time).
 * Cost: everything O(item_size), no allocation after new. */
#include "../copy.h"
#include "../spare.h"

#include "cfuture/alloc.h"
#include "cfuture/channel.h"
#include "cfuture/error.h"

enum { EMPTY = 0, FULL = 1, TAKEN = 2 };

struct cf_oneshot {
  size_t item_size;
  uint8_t state, tx_alive, rx_alive;
  cf_waker_t rx_waker;
  unsigned char value[];
};

static void maybe_free(cf_oneshot_t *c) {
  if (!c->tx_alive && !c->rx_alive) {
    cf_waker_drop(&c->rx_waker);
    if (sizeof *c + c->item_size <= CF_SPARE_BLOCK)
      cf__spare_give(c);
    else
      cf_free(c, sizeof *c + c->item_size);
  }
}

int cf_oneshot_new(size_t item_size, cf_oneshot_sender_t *tx,
                   cf_oneshot_receiver_t *rx) {
  cf_oneshot_t *c;
  tx->chan = NULL;
  rx->chan = NULL;
  if (item_size == 0 || item_size > SIZE_MAX / 2)
    return CF_EINVAL;
  c = sizeof *c + item_size <= CF_SPARE_BLOCK
          ? cf__spare_take()
          : cf_malloc(sizeof *c + item_size);
  if (!c)
    return CF_ENOMEM;
  c->item_size = item_size;
  c->state = EMPTY;
  c->tx_alive = c->rx_alive = 1;
  c->rx_waker = CF_WAKER_NONE;
  tx->chan = rx->chan = c;
  return 0;
}

int cf_oneshot_send(cf_oneshot_sender_t *tx, const void *item) {
  cf_oneshot_t *c = tx->chan;
  int rc = 0;
  if (!c)
    return CF_EINVAL;
  if (c->rx_alive) {
    cf__copy_short(c->value, item, c->item_size);
    c->state = FULL;
  } else {
    rc = CF_ECLOSED;
  }
  cf_oneshot_sender_free(tx); /* wakes the receiver */
  return rc;
}

int cf_oneshot_is_closed(const cf_oneshot_sender_t *tx) {
  return !tx->chan || !tx->chan->rx_alive;
}

void cf_oneshot_sender_free(cf_oneshot_sender_t *tx) {
  cf_oneshot_t *c = tx->chan;
  if (!c)
    return;
  tx->chan = NULL;
  c->tx_alive = 0;
  cf_waker_wake(&c->rx_waker);
  maybe_free(c);
}

int cf_oneshot_try_recv(cf_oneshot_receiver_t *rx, void *out) {
  cf_oneshot_t *c = rx->chan;
  if (!c)
    return CF_EINVAL;
  if (c->state == FULL) {
    cf__copy_short(out, c->value, c->item_size);
    c->state = TAKEN;
    return 0;
  }
  return c->state == TAKEN || !c->tx_alive ? CF_ECLOSED : CF_EAGAIN;
}

void cf_oneshot_receiver_free(cf_oneshot_receiver_t *rx) {
  cf_oneshot_t *c = rx->chan;
  if (!c)
    return;
  rx->chan = NULL;
  c->rx_alive = 0;
  cf_waker_drop(&c->rx_waker);
  maybe_free(c);
}

static cf_poll_t recv_poll(cf_future_t *f, cf_context_t *cx) {
  cf_oneshot_recv_t *r = (cf_oneshot_recv_t *)f;
  cf_oneshot_t *c = r->rx->chan;
  int rc;
  if (c && c->state == FULL && !cf_coop_proceed(cx))
    return CF_PENDING;
  rc = cf_oneshot_try_recv(r->rx, r->out);
  if (rc == CF_EAGAIN) {
    cf_waker_register(&c->rx_waker, cx->waker);
    r->waiting = 1;
    return CF_PENDING;
  }
  r->waiting = 0;
  f->rc = rc;
  return CF_READY;
}

static void recv_drop(cf_future_t *f) {
  cf_oneshot_recv_t *r = (cf_oneshot_recv_t *)f;
  if (r->waiting && r->rx && r->rx->chan)
    cf_waker_drop(&r->rx->chan->rx_waker); /* only if it is ours */
  r->waiting = 0;
}

static const cf_future_vtable_t recv_vt = {"oneshot_recv", recv_poll, recv_drop,
                                           CF_VT_DONE_DROP_NOOP};

void cf_oneshot_recv_init(cf_oneshot_recv_t *r, cf_oneshot_receiver_t *rx,
                          void *out) {
  cf_future_init(&r->base, &recv_vt);
  r->rx = rx;
  r->out = out;
  r->waiting = 0;
}
