/* broadcast.c: the broadcast channel. Items live in a ring of `capacity`
 * slots indexed by a global sequence number (item k in slot k % capacity);
 * each receiver keeps its own next sequence number, so a send is O(1) plus
 * waking the waiters, and a slow receiver costs nothing until it reads:
 * it then finds its next item overwritten and is told how many it missed.
 * Invariants: items [max(0, tail - capacity), tail) are readable; waiting
 * receivers are on one wait list and every send (or the last sender's
 * release) wakes them all, so no wakeup is lost; the block lives until the
 * last handle is released. Cost: send O(item_size + waiters), recv
 * O(item_size), no allocation after new. */
#include <string.h>

#include "waitq.h"

#include "cfuture/alloc.h"
#include "cfuture/channel.h"
#include "cfuture/error.h"

struct cf_broadcast {
  unsigned char *buf;
  size_t item_size, cap;
  uint64_t tail; /* sequence number of the next item sent */
  size_t senders, receivers;
  cf_wait_list_t waiters;
};

static void maybe_free(cf_broadcast_t *c) {
  if (c->senders == 0 && c->receivers == 0) {
    cf_free(c->buf, c->cap * c->item_size);
    cf_free(c, sizeof *c);
  }
}

int cf_broadcast_new(size_t item_size, size_t capacity,
                     cf_broadcast_sender_t *tx, cf_broadcast_receiver_t *rx) {
  cf_broadcast_t *c;
  tx->chan = NULL;
  rx->chan = NULL;
  rx->next = 0;
  if (item_size == 0 || capacity == 0 || capacity > SIZE_MAX / item_size)
    return CF_EINVAL;
  c = cf_malloc(sizeof *c);
  if (!c)
    return CF_ENOMEM;
  c->buf = cf_malloc(capacity * item_size);
  if (!c->buf) {
    cf_free(c, sizeof *c);
    return CF_ENOMEM;
  }
  c->item_size = item_size;
  c->cap = capacity;
  c->tail = 0;
  c->senders = c->receivers = 1;
  c->waiters.head = c->waiters.tail = NULL;
  c->waiters.len = 0;
  tx->chan = rx->chan = c;
  return 0;
}

void cf_broadcast_sender_clone(const cf_broadcast_sender_t *tx,
                               cf_broadcast_sender_t *out) {
  out->chan = tx->chan;
  if (tx->chan)
    tx->chan->senders++;
}

void cf_broadcast_sender_free(cf_broadcast_sender_t *tx) {
  cf_broadcast_t *c = tx->chan;
  if (!c)
    return;
  tx->chan = NULL;
  if (--c->senders == 0)
    cf__wq_wake_all(&c->waiters, 0); /* they drain, then see closed */
  maybe_free(c);
}

void cf_broadcast_subscribe(const cf_broadcast_sender_t *tx,
                            cf_broadcast_receiver_t *out) {
  out->chan = tx->chan;
  out->next = tx->chan ? tx->chan->tail : 0;
  if (tx->chan)
    tx->chan->receivers++;
}

void cf_broadcast_receiver_clone(const cf_broadcast_receiver_t *rx,
                                 cf_broadcast_receiver_t *out) {
  out->chan = rx->chan;
  out->next = rx->next;
  if (rx->chan)
    rx->chan->receivers++;
}

void cf_broadcast_receiver_free(cf_broadcast_receiver_t *rx) {
  cf_broadcast_t *c = rx->chan;
  if (!c)
    return;
  rx->chan = NULL;
  c->receivers--;
  maybe_free(c);
}

int cf_broadcast_send(const cf_broadcast_sender_t *tx, const void *item) {
  cf_broadcast_t *c = tx->chan;
  if (!c)
    return CF_EINVAL;
  if (c->receivers == 0)
    return CF_ECLOSED;
  memcpy(c->buf + (size_t)(c->tail % c->cap) * c->item_size, item,
         c->item_size);
  c->tail++;
  cf__wq_wake_all(&c->waiters, 0);
  return 0;
}

static int readable(const cf_broadcast_receiver_t *rx) {
  return rx->next < rx->chan->tail || rx->chan->senders == 0;
}

int cf_broadcast_try_recv(cf_broadcast_receiver_t *rx, void *out,
                          uint64_t *missed) {
  cf_broadcast_t *c = rx->chan;
  uint64_t oldest;
  if (!c)
    return CF_EINVAL;
  if (rx->next >= c->tail)
    return c->senders == 0 ? CF_ECLOSED : CF_EAGAIN;
  oldest = c->tail > c->cap ? c->tail - c->cap : 0;
  if (rx->next < oldest) {
    if (missed)
      *missed = oldest - rx->next;
    rx->next = oldest;
    return CF_ELAGGED;
  }
  memcpy(out, c->buf + (size_t)(rx->next % c->cap) * c->item_size,
         c->item_size);
  rx->next++;
  return 0;
}

/* Shared by recv and the stream. */
static cf_poll_t poll_recv(cf_broadcast_receiver_t *rx, cf_wait_node_t *node,
                           cf_context_t *cx, void *out, uint64_t *missed,
                           int *rc) {
  cf_broadcast_t *c = rx->chan;
  if (readable(rx)) {
    if (!cf_coop_proceed(cx))
      return CF_PENDING;
    if (node->state == CF_WN_QUEUED)
      cf__wq_remove(&c->waiters, node);
    node->state = CF_WN_IDLE;
    *rc = cf_broadcast_try_recv(rx, out, missed);
    return CF_READY;
  }
  if (node->state != CF_WN_QUEUED)
    cf__wq_push(&c->waiters, node);
  cf_waker_register(&node->waker, cx->waker);
  return CF_PENDING;
}

static void node_drop(cf_broadcast_receiver_t *rx, cf_wait_node_t *node) {
  if (node->state == CF_WN_QUEUED)
    cf__wq_remove(&rx->chan->waiters, node);
  node->state = CF_WN_IDLE;
  cf_waker_drop(&node->waker);
}

/* ---- recv future ---- */

static cf_poll_t recv_poll(cf_future_t *f, cf_context_t *cx) {
  cf_broadcast_recv_t *r = (cf_broadcast_recv_t *)f;
  int rc;
  if (!r->rx->chan) {
    f->rc = CF_EINVAL;
    return CF_READY;
  }
  if (poll_recv(r->rx, &r->node, cx, r->out, &r->missed, &rc) == CF_PENDING)
    return CF_PENDING;
  cf_waker_drop(&r->node.waker);
  f->rc = rc;
  return CF_READY;
}

static void recv_drop(cf_future_t *f) {
  cf_broadcast_recv_t *r = (cf_broadcast_recv_t *)f;
  if (r->rx && r->rx->chan)
    node_drop(r->rx, &r->node);
  cf_waker_drop(&r->node.waker);
}

static const cf_future_vtable_t recv_vt = {"broadcast_recv", recv_poll,
                                           recv_drop, 0};

void cf_broadcast_recv_init(cf_broadcast_recv_t *r, cf_broadcast_receiver_t *rx,
                            void *out) {
  cf_future_init(&r->base, &recv_vt);
  r->rx = rx;
  r->out = out;
  r->missed = 0;
  cf__wn_init(&r->node);
}

/* ---- stream ---- */

static cf_poll_t stream_poll(cf_stream_t *st, cf_context_t *cx, void *item,
                             int *res) {
  cf_broadcast_stream_t *s = (cf_broadcast_stream_t *)st;
  int rc;
  if (!s->rx->chan) {
    *res = CF_STREAM_END;
    return CF_READY;
  }
  if (poll_recv(s->rx, &s->node, cx, item, &s->missed, &rc) == CF_PENDING)
    return CF_PENDING;
  *res = rc == 0 ? CF_STREAM_ITEM : rc == CF_ECLOSED ? CF_STREAM_END : rc;
  return CF_READY;
}

static void stream_drop(cf_stream_t *st) {
  cf_broadcast_stream_t *s = (cf_broadcast_stream_t *)st;
  if (s->rx && s->rx->chan)
    node_drop(s->rx, &s->node);
  cf_waker_drop(&s->node.waker);
}

static const cf_stream_vtable_t stream_vt = {"broadcast_stream", stream_poll,
                                             stream_drop};

void cf_broadcast_stream_init(cf_broadcast_stream_t *s,
                              cf_broadcast_receiver_t *rx) {
  cf_stream_init(&s->base, &stream_vt, rx->chan ? rx->chan->item_size : 0);
  s->rx = rx;
  s->missed = 0;
  cf__wn_init(&s->node);
}
