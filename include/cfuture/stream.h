/* cfuture/stream.h: streams (async iterators) and their adapters.
 *
 * A stream is a struct whose first member is a cf_stream_t; it yields a
 * sequence of fixed-size items (item_size bytes, copied into the caller's
 * buffer). The protocol, for anyone implementing a stream (a channel
 * receiver, a timer, a fetch body):
 *
 *   cf_poll_t poll_next(cf_stream_t *self, cf_context_t *cx,
 *                       void *item, int *res);
 *
 *   - CF_PENDING: no item yet. Exactly as for futures, the stream has
 *     arranged for cx->waker to be woken when polling again is worthwhile.
 *     *item and *res are untouched.
 *   - CF_READY with *res == CF_STREAM_ITEM (1): item_size bytes were
 *     written to `item`. Ownership of anything the item points to passes to
 *     the caller (say so in your stream's docs).
 *   - CF_READY with *res == CF_STREAM_END (0): the stream is finished.
 *     cf_stream_poll_next remembers this and answers END from then on
 *     without calling poll_next again (streams are fused).
 *   - CF_READY with *res < 0: an error item (a CF_E* code); `item` is
 *     untouched. Whether the stream continues after an error is the
 *     stream's choice and must be documented (broadcast: CF_ELAGGED and
 *     continue; a fetch body: the error, then END).
 *
 *   A stream that can produce items without waiting should call
 *   cf_coop_proceed(cx) before each one and return CF_PENDING when it says
 *   0 (the task has been woken), so a fast producer cannot starve others.
 *   Like futures, a stream must not move after its first poll, and
 *   cf_stream_drop (idempotent; a zeroed stream is fine) releases it and
 *   cancels its work; a stream owns nothing its caller must free except
 *   what its items hand over.
 *
 * To await items inside a coroutine use cf_stream_next_t:
 *
 *   cf_stream_next_init(&self->next, &self->rx_stream.base, &self->item);
 *   CF_AWAIT(self, &self->next);
 *   if (self->next.res == CF_STREAM_END) ... ; // else item or error
 *
 * Adapters hold a pointer to their inner stream (which must stay put) and
 * drop it when they are dropped: ownership flows outward, as with
 * combinators.
 */
#ifndef CFUTURE_STREAM_H
#define CFUTURE_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "future.h"
#include "time.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { CF_STREAM_END = 0, CF_STREAM_ITEM = 1 };

typedef struct cf_stream cf_stream_t;

typedef struct cf_stream_vtable {
  const char *name;
  cf_poll_t (*poll_next)(cf_stream_t *self, cf_context_t *cx, void *item,
                         int *res);
  void (*drop)(cf_stream_t *self); /* may be NULL */
} cf_stream_vtable_t;

struct cf_stream {
  const cf_stream_vtable_t *vt;
  size_t item_size;
  uint8_t ended;   /* END was delivered */
  uint8_t dropped; /* cf_stream_drop ran */
};

static inline void cf_stream_init(cf_stream_t *s, const cf_stream_vtable_t *vt,
                                  size_t item_size) {
  s->vt = vt;
  s->item_size = item_size;
  s->ended = 0;
  s->dropped = 0;
}

/* Poll for the next item (see the protocol above). */
static inline cf_poll_t cf_stream_poll_next(cf_stream_t *s, cf_context_t *cx,
                                            void *item, int *res) {
  cf_poll_t r;
  if (s->ended || s->dropped || !s->vt) {
    *res = CF_STREAM_END;
    return CF_READY;
  }
  r = s->vt->poll_next(s, cx, item, res);
  if (r == CF_READY && *res == CF_STREAM_END)
    s->ended = 1;
  return r;
}

/* Release the stream and cancel its work. Idempotent; NULL ok. */
void cf_stream_drop(cf_stream_t *s);

/* ---- awaiting items ---------------------------------------------------- */

/* A future for one item of `s`, written to `item` (item_size bytes). Ready
 * with res = CF_STREAM_ITEM / CF_STREAM_END (base.rc 0) or res = an error
 * (base.rc = res). Cancel-safe if the stream's poll_next is (every stream
 * here is: an item is only taken in the poll that returns it). Dropping it
 * does not drop the stream. */
typedef struct cf_stream_next {
  cf_future_t base;
  cf_stream_t *stream;
  void *item;
  int res;
} cf_stream_next_t;
void cf_stream_next_init(cf_stream_next_t *n, cf_stream_t *s, void *item);

/* ---- adapters ---------------------------------------------------------- */

/* map: apply fn to each item of `inner`. fn(ud, in, out) writes out_size
 * bytes to out and returns 0, or a negative code that becomes an error
 * item. Errors of `inner` pass through. Allocates one inner item of
 * scratch at init: returns 0 or CF_ENOMEM (then `inner` is untouched). */
typedef int (*cf_stream_map_fn)(void *ud, const void *in, void *out);
typedef struct cf_stream_map {
  cf_stream_t base;
  cf_stream_t *inner;
  cf_stream_map_fn fn;
  void *ud;
  void *scratch;
} cf_stream_map_t;
int cf_stream_map_init(cf_stream_map_t *m, cf_stream_t *inner, size_t out_size,
                       cf_stream_map_fn fn, void *ud);

/* filter: keep items for which pred(ud, item) is non-zero. Errors pass
 * through. Rejected items spend the coop budget, so a long run of rejects
 * yields. */
typedef int (*cf_stream_pred_fn)(void *ud, const void *item);
typedef struct cf_stream_filter {
  cf_stream_t base;
  cf_stream_t *inner;
  cf_stream_pred_fn pred;
  void *ud;
} cf_stream_filter_t;
void cf_stream_filter_init(cf_stream_filter_t *f, cf_stream_t *inner,
                           cf_stream_pred_fn pred, void *ud);

/* take: the first n results (items and errors) of `inner`, then END. The
 * inner stream is dropped as soon as the n-th result is delivered, so a
 * channel receiver under it closes then. */
typedef struct cf_stream_take {
  cf_stream_t base;
  cf_stream_t *inner;
  uint64_t left;
} cf_stream_take_t;
void cf_stream_take_init(cf_stream_take_t *t, cf_stream_t *inner, uint64_t n);

/* interval as a stream: items are int64_t, the scheduled time of each tick
 * (see cf_interval_t for the first tick and missed-tick behaviour). Never
 * ends. Needs a runtime (polled with cx->rt, else the error CF_EINVAL). */
typedef struct cf_interval_stream {
  cf_stream_t base;
  cf_interval_t iv;
} cf_interval_stream_t;
void cf_interval_stream_init(cf_interval_stream_t *s, int64_t period_ms,
                             cf_missed_tick_t missed);

/* ---- sources: an array, a range --------------------------------------- */

/* A stream over an array: `n` items of `item_size` bytes each, copied out
 * of `array` in order, then END. Never pending and never an error; it
 * spends one cf_coop_proceed unit per item (a long array yields to other
 * tasks). The array must stay valid and unchanged while the stream is
 * polled; the stream owns nothing (drop is optional). Feeds
 * for_each_concurrent / buffered from a list without a channel:
 *
 *   static const char *const urls[] = {"/a", "/b", "/c"};
 *   cf_stream_iter_init(&self->src, urls, 3, sizeof urls[0]);
 *   cf_for_each_concurrent_init(&self->all, &self->src.base, 2, ...);
 *
 * item_size 0 (or a NULL array with n > 0) is a stream that ends at once. */
typedef struct cf_stream_iter {
  cf_stream_t base;
  const unsigned char *array;
  size_t n, next;
} cf_stream_iter_t;
void cf_stream_iter_init(cf_stream_iter_t *s, const void *array, size_t n,
                         size_t item_size);

/* A stream of int64_t: start, start + step, ... while below `end` (step >
 * 0) or above it (step < 0), like Python's range; ends early rather than
 * overflow int64. step 0 yields one CF_EINVAL error item, then END. Never
 * pending; one cf_coop_proceed unit per item; owns nothing. */
typedef struct cf_stream_range {
  cf_stream_t base;
  int64_t next, end, step;
} cf_stream_range_t;
void cf_stream_range_init(cf_stream_range_t *s, int64_t start, int64_t end,
                          int64_t step);

/* ---- buffered ---------------------------------------------------------- */

/* buffered(n): a stream of futures in, a stream of their outputs out, in
 * input order, with at most `limit` futures in flight (tokio/futures
 * StreamExt::buffered). Finished futures whose output is not yet due (an
 * earlier one is still running) keep their slot, so `limit` bounds memory
 * as well as concurrency, and no new item is pulled from `inner` while
 * all slots are taken: that is the backpressure.
 *
 * Where the futures come from:
 *   - start == NULL: the items of `inner` ARE unpolled futures (item_size
 *     bytes, at least a cf_future_t); each is moved (memcpy) into its slot
 *     as spawn does, and fut_size is ignored.
 *   - otherwise start(ud, item, slot) initialises a future of up to
 *     fut_size bytes in a zeroed slot (polled in place, never moved) and
 *     returns 0, or a negative code that becomes an error item in the
 *     item's position (the slot is dropped).
 * What comes out, for each future in order:
 *   - output(ud, fut, out) writes out_size bytes to `out` and returns 0
 *     (an item), or a negative code (an error item). It is called once,
 *     just before the future is dropped, so it may take ownership of the
 *     future's outputs (clear them in the future so its drop keeps off).
 *   - output == NULL: fut->rc < 0 is an error item, otherwise the item is
 *     fut->rc as an `int` (out_size must be sizeof(int)).
 * Error items of `inner` pass through in their position; the stream
 * continues after every error item. END once `inner` ended and every
 * future's output was delivered.
 *
 * Polling: each future has its own waker, and a poll polls only futures
 * woken since they were last polled (a newly started one counts as woken);
 * a future woken during the poll runs on the next one. Delivering an output
 * that is already there spends one cf_coop_proceed unit.
 *
 * Cancel safety: cf_stream_next / poll_next on it is cancel-safe (the
 * futures live in the stream, an output leaves only in the poll that
 * returns it). Dropping the stream drops every future in flight (cancelling
 * their work), the outputs not yet delivered (through the futures' drop;
 * `output` is not called), and `inner`.
 *
 * Init allocates the slots (limit * fut_size, rounded for alignment) and
 * one inner item in one block: 0, CF_EINVAL (limit 0, no inner, a future
 * size below sizeof(cf_future_t), out_size != sizeof(int) without output),
 * or CF_ENOMEM. On error the adapter is inert (dropping it is a no-op) and
 * `inner` is untouched. Cost per item: one start, O(fut_size) zeroing,
 * polls only when woken; the per-poll scan is O(limit). */
typedef int (*cf_buffered_start_fn)(void *ud, const void *item,
                                    cf_future_t *slot);
typedef int (*cf_buffered_output_fn)(void *ud, cf_future_t *fut, void *out);
typedef struct cf_stream_buffered {
  cf_stream_t base;
  cf_stream_t *inner;
  size_t limit, fut_size, stride;
  cf_buffered_start_fn start;
  cf_buffered_output_fn output;
  void *ud;
  unsigned char *block; /* slots, then the inner item, then the flags */
  size_t block_size;
  unsigned char *slots, *flags;
  void *item;
  size_t head, count; /* ring of slots in input order */
  uint8_t inner_done;
  cf_waker_t parent; /* what a future's wake wakes */
} cf_stream_buffered_t;
int cf_stream_buffered_init(cf_stream_buffered_t *b, cf_stream_t *inner,
                            size_t limit, size_t fut_size, size_t out_size,
                            cf_buffered_start_fn start,
                            cf_buffered_output_fn output, void *ud);
/* Futures in flight or holding an undelivered output (<= limit). */
static inline size_t cf_stream_buffered_len(const cf_stream_buffered_t *b) {
  return b->count;
}

/* ---- for_each_concurrent ---------------------------------------------- */

/* Run one future per item of `stream`, at most `limit` at a time, and
 * finish when the stream ended and every future finished. For each item,
 * start(ud, item, slot) initialises a future of up to `fut_size` bytes in
 * `slot` (it is polled in place and never moves) and returns 0 (or a
 * negative code: the item is skipped). When a future finishes, done(ud,
 * slot) (may be NULL) reads its output; then the slot is dropped and reused.
 * No new item is pulled while `limit` futures run: that is the
 * backpressure a bounded channel upstream feels.
 *
 * Ready with rc 0, CF_ENOMEM (the slots could not be allocated at the
 * first poll), or the first error item of the stream (futures still running
 * are then dropped). Dropping it drops the running futures and the stream.
 * Each future has its own waker: a wake polls only that future. */
typedef int (*cf_each_start_fn)(void *ud, const void *item, cf_future_t *slot);
typedef void (*cf_each_done_fn)(void *ud, cf_future_t *slot);
typedef struct cf_for_each_concurrent {
  cf_future_t base;
  cf_stream_t *stream;
  size_t limit, fut_size, stride;
  cf_each_start_fn start;
  cf_each_done_fn done;
  void *ud;
  unsigned char *slots; /* limit * stride bytes, allocated at first poll */
  unsigned char *flags; /* per slot: busy, woken */
  void *item;           /* one stream item */
  size_t running;
  uint8_t stream_done, started;
  cf_waker_t parent;
} cf_for_each_concurrent_t;
void cf_for_each_concurrent_init(cf_for_each_concurrent_t *f,
                                 cf_stream_t *stream, size_t limit,
                                 size_t fut_size, cf_each_start_fn start,
                                 cf_each_done_fn done, void *ud);

#ifdef __cplusplus
}
#endif
#endif
