/* mpsc.c: the multi-producer, single-consumer channel, bounded or not.
 *
 * Bounded backpressure is a semaphore of free slots (as in tokio): a send
 * first acquires a slot (FIFO among waiting senders; cancel-safe through
 * the semaphore's hand-on), then copies its item in; a receive frees one.
 * Invariants: bounded => ring.len + free slots + granted-unused slots ==
 * capacity; the receiver's waker is the only receive-side waiter (single
 * consumer); the channel block lives until the last handle is released.
 * Cost: send/recv O(item_size) and allocation-free (unbounded growth
 * doubles the ring, amortised O(1)). */
#include "ring.h"
#include "sem_internal.h"

#include "cfuture/alloc.h"
#include "cfuture/channel.h"
#include "cfuture/error.h"

struct cf_mpsc {
  cf__ring_t ring;
  size_t capacity; /* 0: unbounded */
  cf_semaphore_t slots;
  size_t senders;
  uint8_t rx_alive, closed;
  cf_waker_t rx_waker;
};

static void maybe_free(cf_mpsc_t *c) {
  if (c->senders == 0 && !c->rx_alive) {
    cf__ring_free(&c->ring);
    cf_waker_drop(&c->rx_waker);
    cf_free(c, sizeof *c);
  }
}

int cf_mpsc_new(size_t item_size, size_t capacity, cf_mpsc_sender_t *tx,
                cf_mpsc_receiver_t *rx) {
  cf_mpsc_t *c;
  tx->chan = NULL;
  rx->chan = NULL;
  if (item_size == 0)
    return CF_EINVAL;
  c = cf_malloc(sizeof *c);
  if (!c)
    return CF_ENOMEM;
  if (cf__ring_init(&c->ring, item_size, capacity) < 0) {
    cf_free(c, sizeof *c);
    return CF_ENOMEM;
  }
  c->capacity = capacity;
  cf_semaphore_init(&c->slots, capacity);
  c->senders = 1;
  c->rx_alive = 1;
  c->closed = 0;
  c->rx_waker = CF_WAKER_NONE;
  tx->chan = rx->chan = c;
  return 0;
}

void cf_mpsc_sender_clone(const cf_mpsc_sender_t *tx, cf_mpsc_sender_t *out) {
  out->chan = tx->chan;
  if (tx->chan)
    tx->chan->senders++;
}

void cf_mpsc_sender_free(cf_mpsc_sender_t *tx) {
  cf_mpsc_t *c = tx->chan;
  if (!c)
    return;
  tx->chan = NULL;
  if (--c->senders == 0)
    cf_waker_wake(&c->rx_waker); /* it drains, then sees CF_ECLOSED */
  maybe_free(c);
}

static int is_closed_for_send(const cf_mpsc_t *c) {
  return c->closed || !c->rx_alive;
}

/* The item goes in and the receiver is woken. Space must exist (a granted
 * slot, or an unbounded ring that may grow). */
static int push(cf_mpsc_t *c, const void *item) {
  if (c->ring.len == c->ring.cap) {
    int err = cf__ring_grow(&c->ring);
    if (err < 0)
      return err;
  }
  cf__ring_push(&c->ring, item);
  cf_waker_wake(&c->rx_waker);
  return 0;
}

int cf_mpsc_try_send(const cf_mpsc_sender_t *tx, const void *item) {
  cf_mpsc_t *c = tx->chan;
  if (!c)
    return CF_EINVAL;
  if (is_closed_for_send(c))
    return CF_ECLOSED;
  if (c->capacity) {
    int err = cf_semaphore_try_acquire(&c->slots, 1);
    if (err < 0)
      return err;
  }
  return push(c, item);
}

size_t cf_mpsc_len(const cf_mpsc_receiver_t *rx) {
  return rx->chan ? rx->chan->ring.len : 0;
}

void cf_mpsc_receiver_close(cf_mpsc_receiver_t *rx) {
  cf_mpsc_t *c = rx->chan;
  if (!c || c->closed)
    return;
  c->closed = 1;
  cf_semaphore_close(&c->slots); /* waiting senders: CF_ECLOSED */
  /* A recv pending elsewhere (a receiver shared behind a mutex) must
   * learn that nothing more will come once it has drained. */
  cf_waker_wake(&c->rx_waker);
}

void cf_mpsc_receiver_free(cf_mpsc_receiver_t *rx) {
  cf_mpsc_t *c = rx->chan;
  if (!c)
    return;
  cf_mpsc_receiver_close(rx);
  rx->chan = NULL;
  c->rx_alive = 0;
  c->ring.len = 0; /* buffered items are discarded (documented) */
  cf_waker_drop(&c->rx_waker);
  maybe_free(c);
}

int cf_mpsc_try_recv(cf_mpsc_receiver_t *rx, void *out) {
  cf_mpsc_t *c = rx->chan;
  if (!c)
    return CF_EINVAL;
  if (c->ring.len) {
    cf__ring_pop(&c->ring, out);
    if (c->capacity)
      cf_semaphore_release(&c->slots, 1); /* the oldest waiting sender */
    return 0;
  }
  return c->closed || c->senders == 0 ? CF_ECLOSED : CF_EAGAIN;
}

/* Shared by recv and the stream: CF_PENDING, or CF_READY with *rc. */
static cf_poll_t poll_recv(cf_mpsc_receiver_t *rx, cf_context_t *cx, void *out,
                           int *rc) {
  cf_mpsc_t *c = rx->chan;
  if (c && c->ring.len && !cf_coop_proceed(cx))
    return CF_PENDING;
  *rc = cf_mpsc_try_recv(rx, out);
  if (*rc != CF_EAGAIN)
    return CF_READY;
  cf_waker_register(&c->rx_waker, cx->waker);
  return CF_PENDING;
}

/* ---- send future ---- */

static cf_poll_t send_poll(cf_future_t *f, cf_context_t *cx) {
  cf_mpsc_send_t *s = (cf_mpsc_send_t *)f;
  cf_mpsc_t *c = s->tx->chan;
  if (!c) {
    f->rc = CF_EINVAL;
    return CF_READY;
  }
  if (c->capacity) {
    /* The slot's acquire is private to this send, polled only from here at
     * its fixed place in the pinned send, and never after it is ready (the
     * send then is too): the generic poll's misuse checks cannot fire, so
     * its poll is called directly, without the vtable. */
    s->slot.base.pinned_at = &s->slot.base;
    s->slot.base.state = CF_FUTURE_POLLED;
    if (cf__sem_acquire_poll(&s->slot.base, cx) == CF_PENDING)
      return CF_PENDING;
    s->slot.base.state = CF_FUTURE_DONE;
    if (s->slot.base.rc < 0) {
      f->rc = s->slot.base.rc;
      return CF_READY;
    }
    if (is_closed_for_send(c)) { /* closed after the grant */
      cf_semaphore_release(&c->slots, 1);
      f->rc = CF_ECLOSED;
      return CF_READY;
    }
  } else if (is_closed_for_send(c)) {
    f->rc = CF_ECLOSED;
    return CF_READY;
  }
  f->rc = push(c, s->item);
  if (f->rc < 0 && c->capacity)
    cf_semaphore_release(&c->slots, 1);
  return CF_READY;
}

static void send_drop(cf_future_t *f) {
  cf_mpsc_send_t *s = (cf_mpsc_send_t *)f;
  cf_future_drop(&s->slot.base); /* hands a granted slot on */
}

/* After READY the slot's permit went with the item (or back to the
 * semaphore on an error): the drop has nothing left to release. */
static const cf_future_vtable_t send_vt = {"mpsc_send", send_poll, send_drop,
                                           CF_VT_DONE_DROP_NOOP};

void cf_mpsc_send_init(cf_mpsc_send_t *s, const cf_mpsc_sender_t *tx,
                       const void *item) {
  cf_future_init(&s->base, &send_vt);
  s->tx = tx;
  s->item = item;
  if (tx->chan && tx->chan->capacity) {
    cf_semaphore_acquire_init(&s->slot, &tx->chan->slots, 1); /* all of it */
  } else {
    memset(&s->slot, 0, sizeof s->slot); /* dropping it is a no-op */
  }
}

/* ---- recv future ---- */

static cf_poll_t recv_poll(cf_future_t *f, cf_context_t *cx) {
  cf_mpsc_recv_t *r = (cf_mpsc_recv_t *)f;
  int rc;
  if (!r->rx->chan) {
    f->rc = CF_EINVAL;
    return CF_READY;
  }
  r->waiting = poll_recv(r->rx, cx, r->out, &rc) == CF_PENDING;
  if (r->waiting)
    return CF_PENDING;
  f->rc = rc;
  return CF_READY;
}

/* The receive side's waker belongs to the recv that is pending: an
 * abandoned one drops it (so its task's waker is not kept alive), but a
 * completed one must not, since a newer recv may have registered since. */
static void recv_drop(cf_future_t *f) {
  cf_mpsc_recv_t *r = (cf_mpsc_recv_t *)f;
  if (r->waiting && r->rx && r->rx->chan)
    cf_waker_drop(&r->rx->chan->rx_waker);
  r->waiting = 0;
}

static const cf_future_vtable_t recv_vt = {"mpsc_recv", recv_poll, recv_drop,
                                           CF_VT_DONE_DROP_NOOP};

void cf_mpsc_recv_init(cf_mpsc_recv_t *r, cf_mpsc_receiver_t *rx, void *out) {
  cf_future_init(&r->base, &recv_vt);
  r->rx = rx;
  r->out = out;
  r->waiting = 0;
}

/* ---- stream ---- */

static cf_poll_t stream_poll(cf_stream_t *st, cf_context_t *cx, void *item,
                             int *res) {
  cf_mpsc_stream_t *s = (cf_mpsc_stream_t *)st;
  int rc;
  if (!s->rx->chan) {
    *res = CF_STREAM_END;
    return CF_READY;
  }
  s->waiting = poll_recv(s->rx, cx, item, &rc) == CF_PENDING;
  if (s->waiting)
    return CF_PENDING;
  *res = rc == 0 ? CF_STREAM_ITEM : rc == CF_ECLOSED ? CF_STREAM_END : rc;
  return CF_READY;
}

static void stream_drop(cf_stream_t *st) {
  cf_mpsc_stream_t *s = (cf_mpsc_stream_t *)st;
  if (s->waiting && s->rx && s->rx->chan)
    cf_waker_drop(&s->rx->chan->rx_waker);
  s->waiting = 0;
}

static const cf_stream_vtable_t stream_vt = {"mpsc_stream", stream_poll,
                                             stream_drop};

void cf_mpsc_stream_init(cf_mpsc_stream_t *s, cf_mpsc_receiver_t *rx) {
  cf_stream_init(&s->base, &stream_vt, rx->chan ? rx->chan->ring.item_size : 0);
  s->rx = rx;
  s->waiting = 0;
}
