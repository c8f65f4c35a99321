/* for_each.c: for_each_concurrent, a bounded pool of futures fed by a
 * stream.
 *
 * The futures live in one allocation of `limit` slots made at the first
 * poll, so they never move and starting one never allocates. Each slot is
 * polled with its own waker {vt, self, index} that marks the slot woken and
 * wakes the parent, so a poll touches only the slots that were woken (as
 * combine.c does for join). Items are pulled only while a slot is free:
 * that is the backpressure.
 * Invariants: running == number of BUSY slots; a slot woken during the
 * parent's poll is polled on the next poll, never in the same one (so a
 * self-waking child cannot spin the parent).
 * Cost: O(limit) per poll for the scan, O(1) per started future. */
#include <stddef.h>
#include <string.h>

#include "cfuture/alloc.h"
#include "cfuture/error.h"
#include "cfuture/stream.h"

enum { BUSY = 1, WOKEN = 2 };

static cf_future_t *slot_at(cf_for_each_concurrent_t *f, size_t i) {
  return (cf_future_t *)(f->slots + i * f->stride);
}

static cf_waker_t slot_clone(const cf_waker_t *w) {
  return *w;
}
static void slot_wake_by_ref(const cf_waker_t *w) {
  cf_for_each_concurrent_t *f = w->data;
  f->flags[w->tag] |= WOKEN;
  cf_waker_wake_by_ref(&f->parent);
}
static void slot_wake(cf_waker_t *w) {
  slot_wake_by_ref(w);
}
static void slot_drop(cf_waker_t *w) {
  (void)w;
}
static const cf_waker_vtable_t slot_vt = {slot_clone, slot_wake,
                                          slot_wake_by_ref, slot_drop};

/* Poll slot i once; 1 if it finished (and was released). */
static int poll_slot(cf_for_each_concurrent_t *f, size_t i, cf_context_t *cx) {
  cf_waker_t w = cf_waker_from_raw(&slot_vt, f, i);
  cf_context_t sub = *cx;
  cf_future_t *fut = slot_at(f, i);
  sub.waker = &w;
  f->flags[i] &= (unsigned char)~WOKEN;
  if (cf_future_poll(fut, &sub) == CF_PENDING)
    return 0;
  if (f->done)
    f->done(f->ud, fut);
  cf_future_drop(fut);
  f->flags[i] = 0;
  f->running--;
  return 1;
}

static void drop_running(cf_for_each_concurrent_t *f) {
  size_t i;
  for (i = 0; f->flags && i < f->limit; i++)
    if (f->flags[i] & BUSY) {
      cf_future_drop(slot_at(f, i));
      f->flags[i] = 0;
    }
  f->running = 0;
}

static int start_pool(cf_for_each_concurrent_t *f) {
  size_t align = _Alignof(max_align_t);
  if (!f->stream || !f->start || f->limit == 0 ||
      f->fut_size < sizeof(cf_future_t))
    return CF_EINVAL;
  f->stride = (f->fut_size + align - 1) / align * align;
  if (f->limit > SIZE_MAX / f->stride)
    return CF_ENOMEM;
  f->slots = cf_malloc(f->limit * f->stride);
  f->flags = cf_malloc(f->limit);
  f->item = f->stream->item_size ? cf_malloc(f->stream->item_size) : NULL;
  if (!f->slots || !f->flags || (f->stream->item_size && !f->item))
    return CF_ENOMEM;
  memset(f->flags, 0, f->limit);
  return 0;
}

static cf_poll_t fec_poll(cf_future_t *base, cf_context_t *cx) {
  cf_for_each_concurrent_t *f = (cf_for_each_concurrent_t *)base;
  size_t i, free_at = 0;
  if (!f->started) {
    int err;
    f->started = 1;
    err = start_pool(f);
    if (err < 0) {
      base->rc = err;
      return CF_READY;
    }
  }
  cf_waker_register(&f->parent, cx->waker);
  /* Only slots woken before this poll: WOKEN is cleared before each poll,
   * so a wake during it shows on the next one. */
  for (i = 0; i < f->limit; i++)
    if ((f->flags[i] & (BUSY | WOKEN)) == (BUSY | WOKEN))
      poll_slot(f, i, cx);
  while (!f->stream_done && f->running < f->limit) {
    int res, err;
    if (cf_stream_poll_next(f->stream, cx, f->item, &res) == CF_PENDING)
      break;
    if (res == CF_STREAM_END) {
      f->stream_done = 1;
      break;
    }
    if (res < 0) {
      drop_running(f);
      cf_waker_drop(&f->parent);
      base->rc = res;
      return CF_READY;
    }
    while (f->flags[free_at] & BUSY)
      free_at = (free_at + 1) % f->limit;
    memset(slot_at(f, free_at), 0, f->stride);
    err = f->start(f->ud, f->item, slot_at(f, free_at));
    if (err < 0) {
      cf_future_drop(slot_at(f, free_at));
      continue; /* the item is skipped */
    }
    f->flags[free_at] = BUSY;
    f->running++;
    poll_slot(f, free_at, cx);
  }
  if (f->stream_done && f->running == 0) {
    cf_waker_drop(&f->parent);
    base->rc = 0;
    return CF_READY;
  }
  return CF_PENDING;
}

static void fec_drop(cf_future_t *base) {
  cf_for_each_concurrent_t *f = (cf_for_each_concurrent_t *)base;
  drop_running(f);
  if (f->slots)
    cf_free(f->slots, f->limit * f->stride);
  if (f->flags)
    cf_free(f->flags, f->limit);
  if (f->item)
    cf_free(f->item, f->stream->item_size);
  f->slots = NULL;
  f->flags = NULL;
  f->item = NULL;
  cf_stream_drop(f->stream);
  cf_waker_drop(&f->parent);
}

static const cf_future_vtable_t fec_vt = {"for_each_concurrent", fec_poll,
                                          fec_drop, 0};

void cf_for_each_concurrent_init(cf_for_each_concurrent_t *f,
                                 cf_stream_t *stream, size_t limit,
                                 size_t fut_size, cf_each_start_fn start,
                                 cf_each_done_fn done, void *ud) {
  cf_future_init(&f->base, &fec_vt);
  f->stream = stream;
  f->limit = limit;
  f->fut_size = fut_size;
  f->stride = 0;
  f->start = start;
  f->done = done;
  f->ud = ud;
  f->slots = NULL;
  f->flags = NULL;
  f->item = NULL;
  f->running = 0;
  f->stream_done = 0;
  f->started = 0;
  f->parent = CF_WAKER_NONE;
}
