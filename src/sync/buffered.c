/* buffered.c: cf_stream_buffered_t, a stream of futures turned into a
 * stream of their outputs in input order, at most `limit` at a time.
 *
 * Owns: one block (allocated at init) holding `limit` future slots, one
 * inner item and a flag byte per slot; the futures in the slots; `inner`.
 * The slots form a ring [head, head + count) in input order: a future
 * keeps its slot after it finished until its output is delivered, exactly
 * as tokio's FuturesOrdered keeps finished outputs, so `limit` bounds the
 * futures alive, running or finished.
 * Invariants: a slot in the ring is BUSY (running), READY (finished,
 * output due) or ERR (an error item, its code in the zeroed slot's rc);
 * slots outside the ring are zero. Each slot is polled with its own waker
 * {slot_vt, self, index} that marks it WOKEN and wakes `parent`, and only
 * WOKEN slots are polled; WOKEN is cleared before the slot's poll, so a
 * slot woken during it is polled on the next poll of the stream, never
 * twice in one (a self-waking future cannot spin the stream).
 * Cost: O(limit) flag scan per poll, one poll per wake, O(fut_size) zeroing
 * per started future; no allocation after init. */
#include <stddef.h>
#include <string.h>

#include "cfuture/alloc.h"
#include "cfuture/error.h"
#include "cfuture/stream.h"

enum { BUSY = 1, READY = 2, ERR = 4, WOKEN = 8 };

static cf_future_t *slot_at(cf_stream_buffered_t *b, size_t i) {
  return (cf_future_t *)(b->slots + i * b->stride);
}

/* Slot wakers borrow the adapter: the futures are dropped before it is
 * freed, and a future drops or unregisters its wakers when dropped, so no
 * clone outlives the block. Clones therefore need no count. */
static cf_waker_t slot_clone(const cf_waker_t *w) {
  return *w;
}
static void slot_wake_by_ref(const cf_waker_t *w) {
  cf_stream_buffered_t *b = w->data;
  if (!b->flags || !(b->flags[w->tag] & BUSY))
    return; /* a late wake of a finished future: nothing to poll */
  b->flags[w->tag] |= WOKEN;
  cf_waker_wake_by_ref(&b->parent);
}
static void slot_wake(cf_waker_t *w) {
  slot_wake_by_ref(w);
}
static void slot_drop(cf_waker_t *w) {
  (void)w;
}
static const cf_waker_vtable_t slot_vt = {slot_clone, slot_wake,
                                          slot_wake_by_ref, slot_drop};

static void poll_slot(cf_stream_buffered_t *b, size_t i, cf_context_t *cx) {
  cf_waker_t w = cf_waker_from_raw(&slot_vt, b, i);
  cf_context_t sub = *cx;
  sub.waker = &w;
  b->flags[i] &= (unsigned char)~WOKEN;
  if (cf_future_poll(slot_at(b, i), &sub) == CF_READY)
    b->flags[i] = READY;
}

/* Start the future for the item just pulled (or record the error item) in
 * the first free slot of the ring. */
static void push(cf_stream_buffered_t *b, int res) {
  size_t i = (b->head + b->count) % b->limit;
  cf_future_t *slot = slot_at(b, i);
  memset(slot, 0, b->stride);
  if (res >= 0 && !b->start) {
    memcpy(slot, b->item, b->inner->item_size); /* a move, as spawn does */
    b->flags[i] = BUSY | WOKEN;
  } else if (res >= 0) {
    int err = b->start(b->ud, b->item, slot);
    if (err < 0) {
      cf_future_drop(slot); /* start may have half-built it */
      memset(slot, 0, b->stride);
      res = err;
    } else {
      b->flags[i] = BUSY | WOKEN;
    }
  }
  if (res < 0) {
    slot->rc = res;
    b->flags[i] = ERR;
  }
  b->count++;
}

static int deliver(cf_stream_buffered_t *b, void *out) {
  size_t i = b->head;
  cf_future_t *fut = slot_at(b, i);
  int res;
  if (b->flags[i] & ERR) {
    res = fut->rc;
  } else {
    if (b->output) {
      res = b->output(b->ud, fut, out);
      if (res >= 0)
        res = CF_STREAM_ITEM;
    } else if (fut->rc < 0) {
      res = fut->rc;
    } else {
      int v = fut->rc;
      memcpy(out, &v, sizeof v);
      res = CF_STREAM_ITEM;
    }
    cf_future_drop(fut);
  }
  memset(fut, 0, b->stride);
  b->flags[i] = 0;
  b->head = (b->head + 1) % b->limit;
  b->count--;
  return res;
}

static cf_poll_t buffered_poll(cf_stream_t *st, cf_context_t *cx, void *out,
                               int *res) {
  cf_stream_buffered_t *b = (cf_stream_buffered_t *)st;
  size_t k;
  cf_waker_register(&b->parent, cx->waker);
  /* Pull only into free slots: a full ring leaves items upstream. */
  while (!b->inner_done && b->count < b->limit) {
    int r;
    if (cf_stream_poll_next(b->inner, cx, b->item, &r) == CF_PENDING)
      break;
    if (r == CF_STREAM_END) {
      b->inner_done = 1;
      break;
    }
    push(b, r);
  }
  /* In input order, so the future whose output is due next goes first. */
  for (k = 0; k < b->count; k++) {
    size_t i = (b->head + k) % b->limit;
    if ((b->flags[i] & (BUSY | WOKEN)) == (BUSY | WOKEN))
      poll_slot(b, i, cx);
  }
  if (b->count > 0) {
    if (!(b->flags[b->head] & (READY | ERR)))
      return CF_PENDING; /* the head's waker (or inner's) will wake us */
    if (!cf_coop_proceed(cx))
      return CF_PENDING; /* the task was woken; the output stays due */
    *res = deliver(b, out);
    return CF_READY;
  }
  if (b->inner_done) {
    cf_waker_drop(&b->parent);
    *res = CF_STREAM_END;
    return CF_READY;
  }
  return CF_PENDING;
}

static void buffered_drop(cf_stream_t *st) {
  cf_stream_buffered_t *b = (cf_stream_buffered_t *)st;
  /* Futures first: their drops unregister the slot wakers that point here. */
  while (b->count > 0) {
    size_t i = b->head;
    if (b->flags[i] & (BUSY | READY))
      cf_future_drop(slot_at(b, i));
    b->flags[i] = 0;
    b->head = (b->head + 1) % b->limit;
    b->count--;
  }
  if (b->block)
    cf_free(b->block, b->block_size);
  b->block = NULL;
  b->slots = b->flags = NULL;
  b->item = NULL;
  cf_stream_drop(b->inner);
  cf_waker_drop(&b->parent);
}

static const cf_stream_vtable_t buffered_vt = {"buffered", buffered_poll,
                                               buffered_drop};

static size_t round_up(size_t n, size_t a) {
  return (n + a - 1) / a * a;
}

int cf_stream_buffered_init(cf_stream_buffered_t *b, cf_stream_t *inner,
                            size_t limit, size_t fut_size, size_t out_size,
                            cf_buffered_start_fn start,
                            cf_buffered_output_fn output, void *ud) {
  const size_t align = _Alignof(max_align_t);
  size_t stride, item_off, flags_off, total;
  memset(b, 0, sizeof *b); /* inert until the end: drop is a no-op */
  if (!inner || limit == 0 || (!output && out_size != sizeof(int)))
    return CF_EINVAL;
  if (!start)
    fut_size = inner->item_size; /* the items are the futures */
  if (fut_size < sizeof(cf_future_t) || fut_size > SIZE_MAX - align)
    return CF_EINVAL;
  stride = round_up(fut_size, align);
  if (limit > (SIZE_MAX - 2 * align) / stride ||
      inner->item_size > SIZE_MAX - 2 * align - limit * stride)
    return CF_ENOMEM;
  item_off = limit * stride;
  flags_off = item_off + round_up(inner->item_size, align);
  if (limit > SIZE_MAX - flags_off)
    return CF_ENOMEM;
  total = flags_off + limit;
  b->block = cf_malloc(total);
  if (!b->block)
    return CF_ENOMEM;
  /* Zero slots are what push() and drop() expect outside the ring. */
  memset(b->block, 0, total);
  b->block_size = total;
  b->slots = b->block;
  b->item = b->block + item_off;
  b->flags = b->block + flags_off;
  b->inner = inner;
  b->limit = limit;
  b->fut_size = fut_size;
  b->stride = stride;
  b->start = start;
  b->output = output;
  b->ud = ud;
  b->parent = CF_WAKER_NONE;
  cf_stream_init(&b->base, &buffered_vt, out_size);
  return 0;
}
