/* watch.c: the watch channel: one value slot and a version counter. A
 * receiver remembers the version it saw; "changed" means versions differ,
 * so any number of sends between two looks is one change (coalescing).
 * Invariants: waiting receivers are on one list and every send (or the
 * sender's release) wakes them all; the block lives until the last handle
 * is released. Cost: send O(item_size + waiters), the rest O(1) or
 * O(item_size); no allocation after new. */
#include <string.h>

#include "waitq.h"

#include "cfuture/alloc.h"
#include "cfuture/channel.h"
#include "cfuture/error.h"

struct cf_watch {
  size_t item_size;
  uint64_t version;
  size_t receivers;
  uint8_t tx_alive;
  cf_wait_list_t waiters;
  unsigned char value[];
};

static void maybe_free(cf_watch_t *c) {
  if (!c->tx_alive && c->receivers == 0)
    cf_free(c, sizeof *c + c->item_size);
}

int cf_watch_new(size_t item_size, const void *initial, cf_watch_sender_t *tx,
                 cf_watch_receiver_t *rx) {
  cf_watch_t *c;
  tx->chan = NULL;
  rx->chan = NULL;
  rx->seen = 0;
  if (item_size == 0 || item_size > SIZE_MAX / 2 || !initial)
    return CF_EINVAL;
  c = cf_malloc(sizeof *c + item_size);
  if (!c)
    return CF_ENOMEM;
  c->item_size = item_size;
  c->version = 0;
  c->receivers = 1;
  c->tx_alive = 1;
  c->waiters.head = c->waiters.tail = NULL;
  c->waiters.len = 0;
  memcpy(c->value, initial, item_size);
  tx->chan = rx->chan = c;
  return 0;
}

int cf_watch_send(const cf_watch_sender_t *tx, const void *value) {
  cf_watch_t *c = tx->chan;
  if (!c)
    return CF_EINVAL;
  if (c->receivers == 0)
    return CF_ECLOSED;
  memcpy(c->value, value, c->item_size);
  c->version++;
  cf__wq_wake_all(&c->waiters, 0);
  return 0;
}

void cf_watch_sender_free(cf_watch_sender_t *tx) {
  cf_watch_t *c = tx->chan;
  if (!c)
    return;
  tx->chan = NULL;
  c->tx_alive = 0;
  cf__wq_wake_all(&c->waiters, 0);
  maybe_free(c);
}

void cf_watch_subscribe(const cf_watch_sender_t *tx, cf_watch_receiver_t *out) {
  out->chan = tx->chan;
  out->seen = tx->chan ? tx->chan->version : 0;
  if (tx->chan)
    tx->chan->receivers++;
}

void cf_watch_receiver_clone(const cf_watch_receiver_t *rx,
                             cf_watch_receiver_t *out) {
  out->chan = rx->chan;
  out->seen = rx->seen;
  if (rx->chan)
    rx->chan->receivers++;
}

void cf_watch_receiver_free(cf_watch_receiver_t *rx) {
  cf_watch_t *c = rx->chan;
  if (!c)
    return;
  rx->chan = NULL;
  c->receivers--;
  maybe_free(c);
}

int cf_watch_borrow(cf_watch_receiver_t *rx, void *out) {
  if (!rx->chan)
    return CF_EINVAL;
  memcpy(out, rx->chan->value, rx->chan->item_size);
  rx->seen = rx->chan->version;
  return 0;
}

int cf_watch_has_changed(const cf_watch_receiver_t *rx) {
  if (!rx->chan)
    return CF_EINVAL;
  if (rx->seen != rx->chan->version)
    return 1;
  return rx->chan->tx_alive ? 0 : CF_ECLOSED;
}

uint64_t cf_watch_version(const cf_watch_receiver_t *rx) {
  return rx->chan ? rx->chan->version : 0;
}

/* Shared by changed and the stream: CF_READY with *rc 0 (changed) or
 * CF_ECLOSED, or CF_PENDING with the node queued. */
static cf_poll_t poll_changed(cf_watch_receiver_t *rx, cf_wait_node_t *node,
                              cf_context_t *cx, int *rc) {
  cf_watch_t *c = rx->chan;
  int ch = cf_watch_has_changed(rx);
  if (ch != 0) {
    if (ch == 1 && !cf_coop_proceed(cx))
      return CF_PENDING;
    if (node->state == CF_WN_QUEUED)
      cf__wq_remove(&c->waiters, node);
    node->state = CF_WN_IDLE;
    cf_waker_drop(&node->waker);
    *rc = ch == 1 ? 0 : ch;
    return CF_READY;
  }
  if (node->state != CF_WN_QUEUED)
    cf__wq_push(&c->waiters, node);
  cf_waker_register(&node->waker, cx->waker);
  return CF_PENDING;
}

static void node_drop(cf_watch_receiver_t *rx, cf_wait_node_t *node) {
  if (rx && rx->chan && node->state == CF_WN_QUEUED)
    cf__wq_remove(&rx->chan->waiters, node);
  node->state = CF_WN_IDLE;
  cf_waker_drop(&node->waker);
}

static cf_poll_t changed_poll(cf_future_t *f, cf_context_t *cx) {
  cf_watch_changed_t *w = (cf_watch_changed_t *)f;
  int rc;
  if (!w->rx->chan) {
    f->rc = CF_EINVAL;
    return CF_READY;
  }
  if (poll_changed(w->rx, &w->node, cx, &rc) == CF_PENDING)
    return CF_PENDING;
  if (rc == 0)
    w->rx->seen = w->rx->chan->version;
  f->rc = rc;
  return CF_READY;
}

static void changed_drop(cf_future_t *f) {
  cf_watch_changed_t *w = (cf_watch_changed_t *)f;
  node_drop(w->rx, &w->node);
}

static const cf_future_vtable_t changed_vt = {"watch_changed", changed_poll,
                                              changed_drop, 0};

void cf_watch_changed_init(cf_watch_changed_t *c, cf_watch_receiver_t *rx) {
  cf_future_init(&c->base, &changed_vt);
  c->rx = rx;
  cf__wn_init(&c->node);
}

static cf_poll_t stream_poll(cf_stream_t *st, cf_context_t *cx, void *item,
                             int *res) {
  cf_watch_stream_t *s = (cf_watch_stream_t *)st;
  int rc;
  if (!s->rx->chan) {
    *res = CF_STREAM_END;
    return CF_READY;
  }
  if (poll_changed(s->rx, &s->node, cx, &rc) == CF_PENDING)
    return CF_PENDING;
  if (rc < 0) {
    *res = CF_STREAM_END;
    return CF_READY;
  }
  cf_watch_borrow(s->rx, item);
  *res = CF_STREAM_ITEM;
  return CF_READY;
}

static void stream_drop(cf_stream_t *st) {
  cf_watch_stream_t *s = (cf_watch_stream_t *)st;
  node_drop(s->rx, &s->node);
}

static const cf_stream_vtable_t stream_vt = {"watch_stream", stream_poll,
                                             stream_drop};

void cf_watch_stream_init(cf_watch_stream_t *s, cf_watch_receiver_t *rx) {
  cf_stream_init(&s->base, &stream_vt, rx->chan ? rx->chan->item_size : 0);
  s->rx = rx;
  cf__wn_init(&s->node);
}
