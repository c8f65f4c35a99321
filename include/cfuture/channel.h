/* cfuture/channel.h: oneshot, mpsc (bounded and unbounded), broadcast and
 * watch channels between tasks.
 *
 * Values. C has no generics, so every channel carries items of a fixed
 * size given at creation (item_size > 0 bytes), copied with memcpy: into
 * the channel when sent, out into the caller's buffer when received. An
 * item may be a plain struct or a pointer; ownership of what it points to
 * moves with the item:
 *   - a send that completes with rc 0 moved the item into the channel;
 *   - any other outcome (CF_ECLOSED, CF_EAGAIN, CF_ENOMEM, a dropped send
 *     future) leaves the item with the caller, untouched: that is how a
 *     value is "handed back" on a closed channel;
 *   - items still buffered when the channel is freed are discarded without
 *     a callback. If they own memory, drain the receiver after closing it
 *     (try_recv until CF_ECLOSED) before freeing it.
 *   - broadcast and watch copy one item to many receivers: their items
 *     should be plain data (or pointers to something that outlives them).
 *
 * Handles. Senders and receivers are small structs held by value that
 * point at a shared, library-allocated channel. cf_<chan>_new creates a
 * channel with one sender and one receiver (CF_ENOMEM possible);
 * cf_<chan>_sender_clone / receiver_clone add handles without allocating;
 * cf_<chan>_sender_free / receiver_free release a handle (idempotent: the
 * handle is cleared) and the channel is freed with its last handle.
 * Futures borrow a handle: drop them before freeing the handle.
 *
 * Closing. Dropping the last sender closes the channel for receivers:
 * they drain what is buffered, then see CF_ECLOSED (streams: END).
 * Dropping the last receiver (or mpsc receiver_close) closes it for
 * senders: pending and later sends complete with CF_ECLOSED and keep their
 * item. Either side's waiters are woken at once.
 *
 * Waiting never allocates: every pending send/recv future embeds its waiter
 * node. Receives spend one cf_coop_proceed unit per item, so a task with
 * many ready items yields to others within its budget.
 *
 * Cancel safety of each future is stated next to it.
 */
#ifndef CFUTURE_CHANNEL_H
#define CFUTURE_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "future.h"
#include "stream.h"
#include "sync.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ======================================================================
 * oneshot: one value, once, from one sender to one receiver.
 * ====================================================================== */

typedef struct cf_oneshot cf_oneshot_t;
typedef struct cf_oneshot_sender {
  cf_oneshot_t *chan;
} cf_oneshot_sender_t;
typedef struct cf_oneshot_receiver {
  cf_oneshot_t *chan;
} cf_oneshot_receiver_t;

/* Errors: CF_EINVAL (item_size 0), CF_ENOMEM. */
int cf_oneshot_new(size_t item_size, cf_oneshot_sender_t *tx,
                   cf_oneshot_receiver_t *rx);
/* Send and release the sender (whatever the outcome). 0, or CF_ECLOSED if
 * the receiver is gone (the item stays with the caller), CF_EINVAL if the
 * sender was already used. Wakes the receiver. */
int cf_oneshot_send(cf_oneshot_sender_t *tx, const void *item);
/* 1 once the receiver is gone (sending is pointless), else 0. */
int cf_oneshot_is_closed(const cf_oneshot_sender_t *tx);
/* Release without sending: the receiver gets CF_ECLOSED. */
void cf_oneshot_sender_free(cf_oneshot_sender_t *tx);
/* 0 (item written to out), CF_EAGAIN (not yet), CF_ECLOSED (sender gone
 * without sending, or the value was already taken). */
int cf_oneshot_try_recv(cf_oneshot_receiver_t *rx, void *out);
/* Release the receiver; a value sent but not received is discarded. */
void cf_oneshot_receiver_free(cf_oneshot_receiver_t *rx);

/* Ready with rc 0 (value in *out) or CF_ECLOSED. Cancel-safe: the value
 * is taken only by the poll that returns it, so dropping a pending recv
 * leaves it in the channel for try_recv or another recv. */
typedef struct cf_oneshot_recv {
  cf_future_t base;
  cf_oneshot_receiver_t *rx;
  void *out;
  uint8_t waiting; /* its waker is the receiver's registered one */
} cf_oneshot_recv_t;
void cf_oneshot_recv_init(cf_oneshot_recv_t *r, cf_oneshot_receiver_t *rx,
                          void *out);

/* ======================================================================
 * mpsc: many senders, one receiver, FIFO.
 *   bounded (capacity > 0): a ring of `capacity` items allocated at new;
 *     a send waits for space (backpressure), and waiting senders get space
 *     in the order they started waiting. Sending never allocates.
 *   unbounded (capacity 0): the ring grows (doubling) as needed; a send
 *     never waits but can fail with CF_ENOMEM.
 * Order: items are received in the order their sends completed; items of
 * one sender keep their order.
 * ====================================================================== */

typedef struct cf_mpsc cf_mpsc_t;
typedef struct cf_mpsc_sender {
  cf_mpsc_t *chan;
} cf_mpsc_sender_t;
typedef struct cf_mpsc_receiver {
  cf_mpsc_t *chan;
} cf_mpsc_receiver_t;

/* capacity 0: unbounded. Errors: CF_EINVAL (item_size 0), CF_ENOMEM. */
int cf_mpsc_new(size_t item_size, size_t capacity, cf_mpsc_sender_t *tx,
                cf_mpsc_receiver_t *rx);
/* Another sender for the same channel (never fails, never allocates;
 * *out is cleared if `tx` is released). */
void cf_mpsc_sender_clone(const cf_mpsc_sender_t *tx, cf_mpsc_sender_t *out);
/* Release a sender; the last one wakes the receiver (it drains, then sees
 * CF_ECLOSED). */
void cf_mpsc_sender_free(cf_mpsc_sender_t *tx);
/* Send without waiting: 0, CF_EAGAIN (bounded and full, or senders are
 * already waiting: FIFO), CF_ECLOSED, CF_ENOMEM (unbounded growth). */
int cf_mpsc_try_send(const cf_mpsc_sender_t *tx, const void *item);
/* Items buffered now. */
size_t cf_mpsc_len(const cf_mpsc_receiver_t *rx);
/* Stop accepting items: waiting and later sends fail with CF_ECLOSED; what
 * is buffered can still be received, then recv sees CF_ECLOSED. */
void cf_mpsc_receiver_close(cf_mpsc_receiver_t *rx);
/* Close and release the receiver; buffered items are discarded. */
void cf_mpsc_receiver_free(cf_mpsc_receiver_t *rx);
/* Receive without waiting: 0, CF_EAGAIN (empty), CF_ECLOSED (empty and no
 * sender left, or closed). */
int cf_mpsc_try_recv(cf_mpsc_receiver_t *rx, void *out);

/* Send *item, waiting for space in a bounded channel. Ready with rc 0 (the
 * item was copied in), CF_ECLOSED or CF_ENOMEM (the item stays with the
 * caller). `item` must stay valid until the future is ready or dropped.
 * Cancel safety: dropping a pending send never sends the item (it stays
 * with the caller) and gives the slot it may have been granted to the next
 * waiting sender; it loses only its place in the queue. */
typedef struct cf_mpsc_send {
  cf_future_t base;
  const cf_mpsc_sender_t *tx;
  const void *item;
  cf_semaphore_acquire_t slot; /* bounded: one free slot */
} cf_mpsc_send_t;
void cf_mpsc_send_init(cf_mpsc_send_t *s, const cf_mpsc_sender_t *tx,
                       const void *item);

/* Receive the next item into *out. Ready with rc 0 or CF_ECLOSED (closed
 * and drained). Cancel-safe: an item leaves the channel only in the poll
 * that returns it, so dropping a pending recv loses nothing. */
typedef struct cf_mpsc_recv {
  cf_future_t base;
  cf_mpsc_receiver_t *rx;
  void *out;
  uint8_t waiting; /* its waker is the receiver's registered one */
} cf_mpsc_recv_t;
void cf_mpsc_recv_init(cf_mpsc_recv_t *r, cf_mpsc_receiver_t *rx, void *out);

/* The receiver as a stream of items; END once closed and drained.
 * Cancel-safe like recv. cf_stream_drop does not free the receiver. */
typedef struct cf_mpsc_stream {
  cf_stream_t base;
  cf_mpsc_receiver_t *rx;
  uint8_t waiting;
} cf_mpsc_stream_t;
void cf_mpsc_stream_init(cf_mpsc_stream_t *s, cf_mpsc_receiver_t *rx);

/* ======================================================================
 * broadcast: many senders, many receivers; every receiver sees every item
 * sent after it subscribed, unless it falls more than `capacity` items
 * behind: then its next receive fails with CF_ELAGGED, reports how many it
 * missed, and it continues from the oldest item still retained. Sending
 * never waits and never allocates (the oldest item is overwritten).
 * ====================================================================== */

typedef struct cf_broadcast cf_broadcast_t;
typedef struct cf_broadcast_sender {
  cf_broadcast_t *chan;
} cf_broadcast_sender_t;
typedef struct cf_broadcast_receiver {
  cf_broadcast_t *chan;
  uint64_t next; /* sequence number of the next item to receive */
} cf_broadcast_receiver_t;

/* Errors: CF_EINVAL (item_size or capacity 0), CF_ENOMEM. */
int cf_broadcast_new(size_t item_size, size_t capacity,
                     cf_broadcast_sender_t *tx, cf_broadcast_receiver_t *rx);
void cf_broadcast_sender_clone(const cf_broadcast_sender_t *tx,
                               cf_broadcast_sender_t *out);
void cf_broadcast_sender_free(cf_broadcast_sender_t *tx);
/* A new receiver that sees items sent from now on. */
void cf_broadcast_subscribe(const cf_broadcast_sender_t *tx,
                            cf_broadcast_receiver_t *out);
/* A new receiver at the same position as `rx`. */
void cf_broadcast_receiver_clone(const cf_broadcast_receiver_t *rx,
                                 cf_broadcast_receiver_t *out);
void cf_broadcast_receiver_free(cf_broadcast_receiver_t *rx);
/* 0 (copied to every receiver's view and woke them all), CF_ECLOSED (no
 * receiver: the item stays with the caller). O(waiting receivers). */
int cf_broadcast_send(const cf_broadcast_sender_t *tx, const void *item);
/* 0, CF_EAGAIN, CF_ELAGGED (*missed set, when missed is not NULL),
 * CF_ECLOSED (no sender left and nothing more to read). */
int cf_broadcast_try_recv(cf_broadcast_receiver_t *rx, void *out,
                          uint64_t *missed);

/* Ready with rc 0, CF_ELAGGED (`missed` says how many were skipped; the
 * receiver now points at the oldest retained item) or CF_ECLOSED.
 * Cancel-safe: nothing is consumed until the poll that returns it. */
typedef struct cf_broadcast_recv {
  cf_future_t base;
  cf_broadcast_receiver_t *rx;
  void *out;
  uint64_t missed;
  cf_wait_node_t node;
} cf_broadcast_recv_t;
void cf_broadcast_recv_init(cf_broadcast_recv_t *r, cf_broadcast_receiver_t *rx,
                            void *out);

/* The receiver as a stream: items, CF_ELAGGED error items (the stream
 * continues; `missed` holds the last count), END when closed. */
typedef struct cf_broadcast_stream {
  cf_stream_t base;
  cf_broadcast_receiver_t *rx;
  uint64_t missed;
  cf_wait_node_t node;
} cf_broadcast_stream_t;
void cf_broadcast_stream_init(cf_broadcast_stream_t *s,
                              cf_broadcast_receiver_t *rx);

/* ======================================================================
 * watch: one sender, many receivers, a single latest value. Receivers are
 * told that the value changed, not how often: several sends between two
 * looks coalesce into one change (they see the latest value only).
 * ====================================================================== */

typedef struct cf_watch cf_watch_t;
typedef struct cf_watch_sender {
  cf_watch_t *chan;
} cf_watch_sender_t;
typedef struct cf_watch_receiver {
  cf_watch_t *chan;
  uint64_t seen; /* version last marked seen */
} cf_watch_receiver_t;

/* `initial` is copied; it counts as seen by the first receiver. Errors:
 * CF_EINVAL, CF_ENOMEM. */
int cf_watch_new(size_t item_size, const void *initial, cf_watch_sender_t *tx,
                 cf_watch_receiver_t *rx);
/* Replace the value and wake every waiting receiver. 0, or CF_ECLOSED when
 * no receiver is left (the value is not stored). */
int cf_watch_send(const cf_watch_sender_t *tx, const void *value);
/* Release the sender: receivers see CF_ECLOSED once they saw the last
 * value. */
void cf_watch_sender_free(cf_watch_sender_t *tx);
void cf_watch_subscribe(const cf_watch_sender_t *tx, cf_watch_receiver_t *out);
void cf_watch_receiver_clone(const cf_watch_receiver_t *rx,
                             cf_watch_receiver_t *out);
void cf_watch_receiver_free(cf_watch_receiver_t *rx);
/* Copy the current value to out and mark it seen. Returns 0 (or CF_EINVAL
 * for a released handle). */
int cf_watch_borrow(cf_watch_receiver_t *rx, void *out);
/* 1 if a value not yet seen is there, 0 if not, CF_ECLOSED if not and the
 * sender is gone. */
int cf_watch_has_changed(const cf_watch_receiver_t *rx);
/* Number of values sent so far (the initial one is version 0). */
uint64_t cf_watch_version(const cf_watch_receiver_t *rx);

/* Ready with rc 0 when the value changed since last seen (it is marked
 * seen: read it with cf_watch_borrow), or CF_ECLOSED when the sender is
 * gone and nothing new is there. Cancel-safe: dropping it marks nothing. */
typedef struct cf_watch_changed {
  cf_future_t base;
  cf_watch_receiver_t *rx;
  cf_wait_node_t node;
} cf_watch_changed_t;
void cf_watch_changed_init(cf_watch_changed_t *c, cf_watch_receiver_t *rx);

/* The receiver as a stream of values: the first item is the current value
 * if not yet seen, then one item per (coalesced) change; END when the
 * sender is gone. */
typedef struct cf_watch_stream {
  cf_stream_t base;
  cf_watch_receiver_t *rx;
  cf_wait_node_t node;
} cf_watch_stream_t;
void cf_watch_stream_init(cf_watch_stream_t *s, cf_watch_receiver_t *rx);

#ifdef __cplusplus
}
#endif
#endif
