/* cfuture/thread_channel.h: a channel from any thread to a task (values and
 * wake-ups across threads: a blocking job streaming progress, a thread of
 * your own feeding results to the event loop).
 *
 * Many senders on any threads, one receiver on the runtime's thread, FIFO.
 * A send copies a fixed-size item (item_size bytes, like cfuture/channel.h)
 * into a ring of `capacity` items allocated when the channel is created:
 * sending never allocates, so it is safe on threads where the allocator
 * hook is not. When the receiver waits, the first send after that pushes
 * the channel into its runtime's cross-thread inbox and calls the driver's
 * notify (as a finished blocking job does): a parked cf_block_on returns,
 * the JS event loop runs a turn, and the receiving task is woken there.
 * Nothing polls. Wakers are only ever touched on the runtime's thread.
 *
 * Order and delivery: every item whose send returned 0 is received exactly
 * once (unless the receiver is freed first: buffered items are discarded
 * without a callback, as in channel.h); items of one sender arrive in the
 * order it sent them.
 *
 * Closing: the last sender freed closes the channel for the receiver (it
 * drains, then sees CF_ECLOSED). Freeing the receiver, or freeing the
 * runtime, closes it for senders: sends fail with CF_ECLOSED (the item
 * stays with the caller) and senders blocked in cf_thread_send return.
 *
 * Lifetime: the channel block lives until its last handle is freed. While
 * the runtime lives it is freed on the runtime's thread (a last sender
 * freed elsewhere hands it over through the inbox), so the allocator hook
 * need not be thread-safe. A sender that outlives cf_runtime_free and is
 * the last handle frees the block on its own thread through the hook (the
 * default hook, realloc/free, is thread-safe).
 *
 * Availability: native builds and wasm builds with -pthread; elsewhere
 * cf_thread_channel_new returns CF_ENOTSUP (so does a driver without
 * notify).
 *
 * Costs: a send is one mutex round trip and a memcpy; a wake (the receiver
 * was waiting) adds the runtime inbox's mutex and one driver notify, at
 * most one per channel until the runtime's thread has taken it. A receive
 * is one mutex round trip. Nothing changes for runtimes without channels
 * or blocking jobs.
 */
#ifndef CFUTURE_THREAD_CHANNEL_H
#define CFUTURE_THREAD_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "future.h"
#include "stream.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cf_thread_channel cf_thread_channel_t;
typedef struct cf_thread_sender {
  cf_thread_channel_t *chan;
} cf_thread_sender_t;
typedef struct cf_thread_receiver {
  cf_thread_channel_t *chan;
} cf_thread_receiver_t;

/* A channel whose receiver belongs to rt (call on rt's thread). capacity:
 * items buffered at most (> 0). Returns 0; CF_EINVAL (item_size or
 * capacity 0, or item_size * capacity overflows); CF_ENOMEM; CF_ENOTSUP
 * (no threads in this build, or a driver without notify); CF_ESHUTDOWN
 * (rt is being freed). On error both handles are cleared. */
int cf_thread_channel_new(cf_runtime_t *rt, size_t item_size, size_t capacity,
                          cf_thread_sender_t *tx, cf_thread_receiver_t *rx);

/* ---- senders: any thread ---- */

/* Another sender (any thread; never allocates). *out is cleared when tx
 * is. Hand each thread its own sender and let it free it. */
void cf_thread_sender_clone(const cf_thread_sender_t *tx,
                            cf_thread_sender_t *out);
/* Release a sender (any thread; idempotent: the handle is cleared). The
 * last one wakes the receiver, which drains and then sees CF_ECLOSED. */
void cf_thread_sender_free(cf_thread_sender_t *tx);
/* Send without waiting: 0 (copied in), CF_EAGAIN (full), CF_ECLOSED
 * (receiver or runtime gone), CF_EINVAL (released handle). Any thread,
 * including the runtime's. */
int cf_thread_try_send(const cf_thread_sender_t *tx, const void *item);
/* Send, blocking the calling thread while the channel is full (a blocking
 * job's way to apply backpressure). 0, CF_ECLOSED, CF_EINVAL, or
 * CF_EDEADLK when called on the receiver's runtime thread (it would wait
 * for itself: use cf_thread_try_send there). */
int cf_thread_send(const cf_thread_sender_t *tx, const void *item);
/* 1 once sends can only fail with CF_ECLOSED (receiver or runtime gone). */
int cf_thread_sender_is_closed(const cf_thread_sender_t *tx);

/* ---- the receiver: the runtime's thread ---- */

/* 0 (an item written to out), CF_EAGAIN (empty), CF_ECLOSED (empty and no
 * sender left, or closed), CF_EINVAL (released handle). */
int cf_thread_try_recv(cf_thread_receiver_t *rx, void *out);
/* Items buffered now. */
size_t cf_thread_channel_len(const cf_thread_receiver_t *rx);
/* Stop accepting items: later sends fail with CF_ECLOSED and blocked ones
 * return it; what is buffered can still be received. */
void cf_thread_receiver_close(cf_thread_receiver_t *rx);
/* Close and release the receiver; buffered items are discarded. */
void cf_thread_receiver_free(cf_thread_receiver_t *rx);

/* Receive the next item into *out: ready with rc 0 or CF_ECLOSED (closed
 * and drained). Cancel-safe: an item leaves the channel only in the poll
 * that returns it. Each received item spends one cf_coop_proceed unit. */
typedef struct cf_thread_recv {
  cf_future_t base;
  cf_thread_receiver_t *rx;
  void *out;
  uint8_t waiting; /* its waker is the receiver's registered one */
} cf_thread_recv_t;
void cf_thread_recv_init(cf_thread_recv_t *r, cf_thread_receiver_t *rx,
                         void *out);

/* The receiver as a stream of items; END once closed and drained.
 * Cancel-safe like recv. cf_stream_drop does not free the receiver. */
typedef struct cf_thread_stream {
  cf_stream_t base;
  cf_thread_receiver_t *rx;
  uint8_t waiting;
} cf_thread_stream_t;
void cf_thread_stream_init(cf_thread_stream_t *s, cf_thread_receiver_t *rx);

#ifdef __cplusplus
}
#endif
#endif
