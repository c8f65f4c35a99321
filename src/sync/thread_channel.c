/* thread_channel.c: the channel from any thread to a task
 * (cfuture/thread_channel.h).
 *
 * Owns: one block per channel (header + ring of capacity items), allocated
 * on the runtime's thread at new and freed once with the last handle.
 *
 * Threads and locks: `mu` guards the ring, the handle counts, `closed`,
 * `rx_waiting`, `pool` and the blocked-sender count; senders on any thread
 * take only it (plus the pool's lock, after it, to post a wake). Fields
 * marked "runtime thread" are touched only there: the receiver's waker,
 * the host hold and the remote's registration.
 *
 * Waking: a receiver about to return pending sets rx_waiting under mu. The
 * first send (or last sender free) that sees it clears it and posts the
 * channel to its runtime's pool (blocking_internal.h), which notifies the
 * driver; the pool's drain, on the runtime's thread, runs chan_run, which
 * wakes the receiver's waker. So at most one post is in flight per wait,
 * and a receiver that never waits costs senders no post at all.
 *
 * Lifetime: handles = senders + receiver. While the runtime lives
 * (`pool` non-NULL) the block is freed on the runtime's thread: by the
 * receiver's free if it is the last handle, else by chan_run after the
 * last sender posted it. Once the runtime is freed (chan_detach: closed,
 * pool NULL) the last handle frees it on whatever thread it is.
 *
 * While a receive waits, the runtime is held (cf_runtime_hold): a sender
 * on another thread may still wake it, so cf_block_on parks instead of
 * reporting a deadlock and Node stays alive. */
#include "cfuture/thread_channel.h"
#include "../blocking_internal.h"
#include "cfuture/alloc.h"
#include "cfuture/error.h"

#if CF_HAVE_THREADS
#include <pthread.h>
#include <stdalign.h>
#include <stddef.h>
#include <string.h>

struct cf_thread_channel {
  cf__remote_t remote; /* first: chan_run/chan_detach get it back */
  pthread_mutex_t mu;
  pthread_cond_t space_cv; /* blocked senders wait here */
  struct cf__pool *pool;   /* NULL once the runtime is freed */
  unsigned char *items;    /* ring storage, after the header */
  size_t item_size, capacity, head, len;
  size_t senders;
  uint32_t blocked; /* senders waiting in cf_thread_send */
  uint8_t rx_alive, closed, rx_waiting;
  /* runtime thread */
  cf_runtime_t *rt;
  pthread_t owner;
  cf_waker_t rx_waker;
  uint8_t held; /* cf_runtime_hold taken for a waiting receive */
};

static size_t header_size(void) {
  size_t a = alignof(max_align_t), h = sizeof(struct cf_thread_channel);
  return (h + a - 1) / a * a;
}

static size_t block_size(const cf_thread_channel_t *c) {
  return header_size() + c->item_size * c->capacity;
}

static void chan_destroy(cf_thread_channel_t *c) {
  pthread_cond_destroy(&c->space_cv);
  pthread_mutex_destroy(&c->mu);
  cf_free(c, block_size(c));
}

/* Runtime thread: the wait is over (woken, ready, dropped). */
static void unhold(cf_thread_channel_t *c) {
  if (c->held) {
    c->held = 0;
    cf_runtime_release(c->rt);
  }
}

/* Runtime thread, after a post. */
static void chan_run(cf__remote_t *r) {
  cf_thread_channel_t *c = (cf_thread_channel_t *)r;
  int dead;
  pthread_mutex_lock(&c->mu);
  dead = c->senders == 0 && !c->rx_alive;
  pthread_mutex_unlock(&c->mu);
  if (dead) { /* the last sender left after the receiver */
    cf__pool_unregister(c->rt, &c->remote);
    chan_destroy(c);
    return;
  }
  unhold(c);
  cf_waker_wake(&c->rx_waker);
}

/* Runtime thread, cf_runtime_free: close for good, forget the runtime. */
static void chan_detach(cf__remote_t *r) {
  cf_thread_channel_t *c = (cf_thread_channel_t *)r;
  int dead;
  pthread_mutex_lock(&c->mu);
  c->pool = NULL;
  c->closed = 1;
  c->rx_waiting = 0;
  dead = c->senders == 0 && !c->rx_alive;
  pthread_cond_broadcast(&c->space_cv);
  pthread_mutex_unlock(&c->mu);
  c->held = 0; /* the runtime's holds go with it */
  cf_waker_drop(&c->rx_waker);
  c->rt = NULL;
  if (dead)
    chan_destroy(c);
}

int cf_thread_channel_new(cf_runtime_t *rt, size_t item_size, size_t capacity,
                          cf_thread_sender_t *tx, cf_thread_receiver_t *rx) {
  cf_thread_channel_t *c;
  size_t bytes;
  int err;
  tx->chan = NULL;
  rx->chan = NULL;
  if (!rt || item_size == 0 || capacity == 0 ||
      capacity > (SIZE_MAX - header_size()) / item_size)
    return CF_EINVAL;
  bytes = header_size() + item_size * capacity;
  c = cf_malloc(bytes);
  if (!c)
    return CF_ENOMEM;
  memset(c, 0, sizeof *c);
  if (pthread_mutex_init(&c->mu, NULL) != 0) {
    cf_free(c, bytes);
    return CF_ENOMEM;
  }
  if (pthread_cond_init(&c->space_cv, NULL) != 0) {
    pthread_mutex_destroy(&c->mu);
    cf_free(c, bytes);
    return CF_ENOMEM;
  }
  c->item_size = item_size;
  c->capacity = capacity;
  c->items = (unsigned char *)c + header_size();
  c->remote.run = chan_run;
  c->remote.detach = chan_detach;
  err = cf__pool_register(rt, &c->remote);
  if (err < 0) {
    chan_destroy(c);
    return err;
  }
  c->pool = rt->pool;
  c->rt = rt;
  c->owner = pthread_self();
  c->rx_waker = CF_WAKER_NONE;
  c->senders = 1;
  c->rx_alive = 1;
  tx->chan = rx->chan = c;
  return 0;
}

/* ---- senders ---- */

void cf_thread_sender_clone(const cf_thread_sender_t *tx,
                            cf_thread_sender_t *out) {
  cf_thread_channel_t *c = tx->chan;
  out->chan = c;
  if (!c)
    return;
  pthread_mutex_lock(&c->mu);
  c->senders++;
  pthread_mutex_unlock(&c->mu);
}

/* Under mu: the receiver waits; bring it to its thread's attention. */
static void wake_rx_locked(cf_thread_channel_t *c) {
  if (c->rx_waiting && c->pool) {
    c->rx_waiting = 0;
    cf__pool_post(c->pool, &c->remote);
  }
}

void cf_thread_sender_free(cf_thread_sender_t *tx) {
  cf_thread_channel_t *c = tx->chan;
  int destroy = 0;
  if (!c)
    return;
  tx->chan = NULL;
  pthread_mutex_lock(&c->mu);
  if (--c->senders == 0) {
    if (c->rx_alive) {
      wake_rx_locked(c); /* it drains, then sees CF_ECLOSED */
    } else if (c->pool) {
      cf__pool_post(c->pool, &c->remote); /* chan_run frees it */
    } else {
      destroy = 1; /* the runtime is gone: free it here */
    }
  }
  pthread_mutex_unlock(&c->mu);
  if (destroy)
    chan_destroy(c);
}

/* Under mu, with room. */
static void push_locked(cf_thread_channel_t *c, const void *item) {
  size_t tail = c->head + c->len;
  if (tail >= c->capacity)
    tail -= c->capacity;
  memcpy(c->items + tail * c->item_size, item, c->item_size);
  c->len++;
  wake_rx_locked(c);
}

int cf_thread_try_send(const cf_thread_sender_t *tx, const void *item) {
  cf_thread_channel_t *c = tx->chan;
  int rc = 0;
  if (!c)
    return CF_EINVAL;
  pthread_mutex_lock(&c->mu);
  if (c->closed)
    rc = CF_ECLOSED;
  else if (c->len == c->capacity)
    rc = CF_EAGAIN;
  else
    push_locked(c, item);
  pthread_mutex_unlock(&c->mu);
  return rc;
}

int cf_thread_send(const cf_thread_sender_t *tx, const void *item) {
  cf_thread_channel_t *c = tx->chan;
  int rc = 0;
  if (!c)
    return CF_EINVAL;
  pthread_mutex_lock(&c->mu);
  while (!c->closed && c->len == c->capacity) {
    /* owner is written once at new, before any handle escapes. */
    if (c->pool && pthread_equal(pthread_self(), c->owner)) {
      pthread_mutex_unlock(&c->mu);
      return CF_EDEADLK;
    }
    c->blocked++;
    pthread_cond_wait(&c->space_cv, &c->mu);
    c->blocked--;
  }
  if (c->closed)
    rc = CF_ECLOSED;
  else
    push_locked(c, item);
  pthread_mutex_unlock(&c->mu);
  return rc;
}

int cf_thread_sender_is_closed(const cf_thread_sender_t *tx) {
  cf_thread_channel_t *c = tx->chan;
  int closed;
  if (!c)
    return 1;
  pthread_mutex_lock(&c->mu);
  closed = c->closed;
  pthread_mutex_unlock(&c->mu);
  return closed;
}

/* ---- the receiver ---- */

/* Under mu: take the oldest item, or the reason there is none. */
static int pop_locked(cf_thread_channel_t *c, void *out) {
  if (!c->len)
    return c->closed || c->senders == 0 ? CF_ECLOSED : CF_EAGAIN;
  memcpy(out, c->items + c->head * c->item_size, c->item_size);
  if (++c->head == c->capacity)
    c->head = 0;
  c->len--;
  if (c->blocked)
    pthread_cond_signal(&c->space_cv);
  return 0;
}

int cf_thread_try_recv(cf_thread_receiver_t *rx, void *out) {
  cf_thread_channel_t *c = rx->chan;
  int rc;
  if (!c)
    return CF_EINVAL;
  pthread_mutex_lock(&c->mu);
  rc = pop_locked(c, out);
  pthread_mutex_unlock(&c->mu);
  return rc;
}

size_t cf_thread_channel_len(const cf_thread_receiver_t *rx) {
  cf_thread_channel_t *c = rx->chan;
  size_t n;
  if (!c)
    return 0;
  pthread_mutex_lock(&c->mu);
  n = c->len;
  pthread_mutex_unlock(&c->mu);
  return n;
}

void cf_thread_receiver_close(cf_thread_receiver_t *rx) {
  cf_thread_channel_t *c = rx->chan;
  if (!c)
    return;
  pthread_mutex_lock(&c->mu);
  c->closed = 1;
  pthread_cond_broadcast(&c->space_cv);
  pthread_mutex_unlock(&c->mu);
  /* A recv pending elsewhere learns that nothing more will come. */
  unhold(c);
  cf_waker_wake(&c->rx_waker);
}

void cf_thread_receiver_free(cf_thread_receiver_t *rx) {
  cf_thread_channel_t *c = rx->chan;
  int last;
  if (!c)
    return;
  rx->chan = NULL;
  pthread_mutex_lock(&c->mu);
  c->closed = 1;
  c->rx_alive = 0;
  c->rx_waiting = 0;
  c->len = 0; /* buffered items are discarded (documented) */
  pthread_cond_broadcast(&c->space_cv);
  last = c->senders == 0;
  pthread_mutex_unlock(&c->mu);
  unhold(c);
  cf_waker_drop(&c->rx_waker);
  if (!last)
    return; /* the last sender frees it (through chan_run, or itself) */
  if (c->rt)
    cf__pool_unregister(c->rt, &c->remote);
  chan_destroy(c);
}

/* Shared by recv and the stream: CF_PENDING, or CF_READY with *rc. */
static cf_poll_t poll_recv(cf_thread_receiver_t *rx, cf_context_t *cx,
                           void *out, int *rc) {
  cf_thread_channel_t *c = rx->chan;
  pthread_mutex_lock(&c->mu);
  if (c->len) { /* only items spend budget */
    pthread_mutex_unlock(&c->mu);
    if (!cf_coop_proceed(cx))
      return CF_PENDING;
    pthread_mutex_lock(&c->mu);
  }
  *rc = pop_locked(c, out);
  if (*rc == CF_EAGAIN)
    c->rx_waiting = 1;
  pthread_mutex_unlock(&c->mu);
  if (*rc != CF_EAGAIN) {
    unhold(c);
    return CF_READY;
  }
  cf_waker_register(&c->rx_waker, cx->waker);
  if (!c->held && c->rt) {
    c->held = 1;
    cf_runtime_hold(c->rt);
  }
  return CF_PENDING;
}

/* The waker belongs to the pending receive: an abandoned one drops it (and
 * the hold), a completed one must not (a newer one may have registered). */
static void abandon(cf_thread_receiver_t *rx, uint8_t *waiting) {
  cf_thread_channel_t *c = rx ? rx->chan : NULL;
  if (*waiting && c) {
    pthread_mutex_lock(&c->mu);
    c->rx_waiting = 0;
    pthread_mutex_unlock(&c->mu);
    unhold(c);
    cf_waker_drop(&c->rx_waker);
  }
  *waiting = 0;
}

static cf_poll_t recv_poll(cf_future_t *f, cf_context_t *cx) {
  cf_thread_recv_t *r = (cf_thread_recv_t *)f;
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

static void recv_drop(cf_future_t *f) {
  cf_thread_recv_t *r = (cf_thread_recv_t *)f;
  abandon(r->rx, &r->waiting);
}

static const cf_future_vtable_t recv_vt = {"thread_recv", recv_poll, recv_drop,
                                           0};

void cf_thread_recv_init(cf_thread_recv_t *r, cf_thread_receiver_t *rx,
                         void *out) {
  cf_future_init(&r->base, &recv_vt);
  r->rx = rx;
  r->out = out;
  r->waiting = 0;
}

static cf_poll_t stream_poll(cf_stream_t *st, cf_context_t *cx, void *item,
                             int *res) {
  cf_thread_stream_t *s = (cf_thread_stream_t *)st;
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
  cf_thread_stream_t *s = (cf_thread_stream_t *)st;
  abandon(s->rx, &s->waiting);
}

static const cf_stream_vtable_t stream_vt = {"thread_stream", stream_poll,
                                             stream_drop};

void cf_thread_stream_init(cf_thread_stream_t *s, cf_thread_receiver_t *rx) {
  cf_stream_init(&s->base, &stream_vt, rx->chan ? rx->chan->item_size : 0);
  s->rx = rx;
  s->waiting = 0;
}

#else /* no threads in this build (wasm without -pthread): never created */

struct cf_thread_channel {
  size_t item_size;
};

int cf_thread_channel_new(cf_runtime_t *rt, size_t item_size, size_t capacity,
                          cf_thread_sender_t *tx, cf_thread_receiver_t *rx) {
  (void)rt;
  (void)item_size;
  (void)capacity;
  tx->chan = NULL;
  rx->chan = NULL;
  return CF_ENOTSUP;
}

void cf_thread_sender_clone(const cf_thread_sender_t *tx,
                            cf_thread_sender_t *out) {
  (void)tx;
  out->chan = NULL;
}

void cf_thread_sender_free(cf_thread_sender_t *tx) {
  tx->chan = NULL;
}

int cf_thread_try_send(const cf_thread_sender_t *tx, const void *item) {
  (void)tx;
  (void)item;
  return CF_EINVAL;
}

int cf_thread_send(const cf_thread_sender_t *tx, const void *item) {
  (void)tx;
  (void)item;
  return CF_EINVAL;
}

int cf_thread_sender_is_closed(const cf_thread_sender_t *tx) {
  (void)tx;
  return 1;
}

int cf_thread_try_recv(cf_thread_receiver_t *rx, void *out) {
  (void)rx;
  (void)out;
  return CF_EINVAL;
}

size_t cf_thread_channel_len(const cf_thread_receiver_t *rx) {
  (void)rx;
  return 0;
}

void cf_thread_receiver_close(cf_thread_receiver_t *rx) {
  (void)rx;
}

void cf_thread_receiver_free(cf_thread_receiver_t *rx) {
  rx->chan = NULL;
}

static cf_poll_t recv_poll(cf_future_t *f, cf_context_t *cx) {
  (void)cx;
  f->rc = CF_EINVAL;
  return CF_READY;
}

static const cf_future_vtable_t recv_vt = {"thread_recv", recv_poll, NULL, 0};

void cf_thread_recv_init(cf_thread_recv_t *r, cf_thread_receiver_t *rx,
                         void *out) {
  cf_future_init(&r->base, &recv_vt);
  r->rx = rx;
  r->out = out;
  r->waiting = 0;
}

static cf_poll_t stream_poll(cf_stream_t *st, cf_context_t *cx, void *item,
                             int *res) {
  (void)st;
  (void)cx;
  (void)item;
  *res = CF_STREAM_END;
  return CF_READY;
}

static const cf_stream_vtable_t stream_vt = {"thread_stream", stream_poll,
                                             NULL};

void cf_thread_stream_init(cf_thread_stream_t *s, cf_thread_receiver_t *rx) {
  cf_stream_init(&s->base, &stream_vt, 0);
  s->rx = rx;
  s->waiting = 0;
}

#endif
