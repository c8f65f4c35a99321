/* combine.c: join, try_join and select over child futures.
 *
 * Each child is polled with its own waker {branch_vt, combinator, index}.
 * A wake marks the child ready and, for join, appends its index to a FIFO
 * ready ring, then wakes the parent; a poll of the combinator polls only
 * the children marked ready, so the cost per wake does not grow with the
 * number of children. select scans its (few) children from a rotating
 * start for fairness, or from 0 when biased.
 *
 * Layout, for the joins over very many children (a join over 1e6 timers,
 * W5): three arrays, one allocation. A wake touches only the child's flag
 * byte (flag[], 1 B per child, cache-resident where larger records are
 * not) and the ring's tail (ring[], slot k, not child k: it holds each
 * child at most once, so n slots suffice); the child's future pointer
 * (fut[], alone so that these random reads touch as few pages as can be)
 * is first read by the join's poll, which loads a whole batch of them and
 * touches their futures before polling the first, so those cache misses
 * overlap.
 *
 * Invariants: a child flagged DONE is never polled again (one that woke
 * itself as it completed stays in the ring and is skipped); a child is in
 * the ready ring (or the batch being polled) at most once (flag QUEUED,
 * cleared just before its poll); children woken while the combinator
 * polls are handled on its next poll, never in the same one; the parent
 * is woken at most once per poll of the combinator (K_WOKEN). */
#include "runtime_internal.h"

#include "cfuture/alloc.h"
#include "cfuture/combine.h"
#include "cfuture/error.h"

enum { B_DONE = 1, B_QUEUED = 2 };
enum {
  K_TRY = 1u << 8,
  K_JOIN = 1u << 9,
  K_SELECT = 1u << 10,
  K_STARTED = 1u << 11,
  K_NOMEM = 1u << 12, /* init could not copy the children; they were dropped */
  K_INVALID = 1u << 13, /* init got no array or too many children */
  K_WOKEN = 1u << 14    /* the parent was woken since its poll began */
};
/* Bytes per child of an allocated combinator: fut, ring slot, flag; the
 * block has 8 more, for the ring's alignment after fut[n]. */
#define PER_CHILD (sizeof(cf_future_t *) + sizeof(uint64_t) + 1)
static size_t block_bytes(uint32_t n) {
  size_t b = (size_t)n * PER_CHILD;
  return b / PER_CHILD == n && b + 8 > b ? b + 8 : 0;
}

/* A child's branch waker tag, which a wake appends to the join's ring:
 * its index, and where a pointer fits in 32 bits (wasm32) its future in
 * the upper half, so that the join's poll finds the futures of a batch
 * without reading fut[i] (a random read per child in a burst). */
#define PACKED (UINTPTR_MAX <= UINT32_MAX)
static uint64_t child_tag(uint32_t i, cf_future_t *f) {
  return PACKED ? (uint64_t)(uintptr_t)f << 32 | i : i;
}
/* Children a join's poll takes from the ring at a time (see the top). */
#define JOIN_BATCH 16u

static void branch_mark(cf_combine_t *c, uint64_t tag) {
  uint32_t at, i = (uint32_t)tag;
  if (c->flag[i] & (B_DONE | B_QUEUED))
    return;
  c->flag[i] |= B_QUEUED;
  if (c->flags & K_JOIN) {
    at = c->ready_head + c->ready_len++;
    c->ring[at < c->n ? at : at - c->n] = tag;
  }
}

static cf_waker_t branch_clone(const cf_waker_t *w) {
  return *w;
}
/* One wake of the parent per poll of it is enough: the poll takes every
 * child queued before it began (K_WOKEN is cleared there). A burst of
 * child wakes (W5: 16 timers per batch) then costs one task wake. */
static void branch_wake_by_ref(const cf_waker_t *w) {
  cf_combine_t *c = w->data;
  branch_mark(c, w->tag);
  if (!(c->flags & K_WOKEN)) {
    c->flags |= K_WOKEN;
    cf_waker_wake_by_ref(&c->parent);
  }
}
static void branch_drop(cf_waker_t *w) {
  (void)w;
}
static void branch_wake(cf_waker_t *w) {
  branch_wake_by_ref(w);
}
static const cf_waker_vtable_t branch_vt = {branch_clone, branch_wake,
                                            branch_wake_by_ref, branch_drop};

static void drop_pending_children(cf_combine_t *c) {
  uint32_t i;
  for (i = 0; i < c->n; i++)
    if (!(c->flag[i] & B_DONE)) {
      c->flag[i] |= B_DONE;
      cf_future_drop(c->fut[i]);
    }
}

static int start(cf_combine_t *c) {
  uint32_t i;
  if (c->flags & K_NOMEM)
    return CF_ENOMEM;
  if (c->flags & K_INVALID)
    return CF_EINVAL;
  c->flags |= K_STARTED;
  if (c->n > CF_COMBINE_INLINE) {
    /* init parked the pointers in fut[n]: grow it into fut, ring, flag */
    size_t bytes = block_bytes(c->n);
    cf_future_t **b =
        bytes ? cf_realloc(c->fut, (size_t)c->n * sizeof *b, bytes) : NULL;
    if (!b) {
      for (i = 0; i < c->n; i++)
        cf_future_drop(c->fut[i]);
      cf_free(c->fut, (size_t)c->n * sizeof *c->fut);
      c->fut = NULL;
      c->n = 0;
      return CF_ENOMEM;
    }
    c->fut = b;
    c->ring = (uint64_t *)(((uintptr_t)(b + c->n) + 7) & ~(uintptr_t)7);
    c->flag = (uint8_t *)(c->ring + c->n);
  } else {
    c->fut = c->inline_fut;
    c->ring = c->inline_ring;
    c->flag = c->inline_flag;
  }
  for (i = 0; i < c->n; i++)
    c->flag[i] = 0;
  for (i = 0; i < c->n; i++)
    if (!c->fut[i])
      return CF_EINVAL;
  for (i = 0; i < c->n; i++)
    branch_mark(c, child_tag(i, c->fut[i]));
  return 0;
}

/* Poll child i (its future f) with `sub`, the parent's context whose
 * waker is a branch waker of c (set up once per poll of c; its tag is set
 * here); returns 1 if it just completed. A child that woke itself in the
 * poll where it completed is still in the join's ring: it is skipped
 * there, and its QUEUED bit is cleared (so select never sees it). */
static int poll_child(cf_combine_t *c, uint32_t i, cf_future_t *f,
                      cf_context_t *sub) {
  if (c->flag[i] & B_DONE)
    return 0;
  ((cf_waker_t *)sub->waker)->tag = child_tag(i, f);
  c->flag[i] &= ~B_QUEUED;
  if (cf_future_poll(f, sub) == CF_PENDING)
    return 0;
  c->flag[i] = B_DONE;
  c->remaining--;
  return 1;
}

/* Register the parent's waker and set up the children's context. */
static void poll_begin(cf_combine_t *c, cf_context_t *cx, cf_context_t *sub,
                       cf_waker_t *w) {
  cf_waker_register(&c->parent, cx->waker);
  c->flags &= ~K_WOKEN;
  *w = cf_waker_from_raw(&branch_vt, c, 0);
  *sub = *cx;
  sub->waker = w;
}

static cf_poll_t join_poll(cf_future_t *f, cf_context_t *cx) {
  cf_combine_t *c = (cf_combine_t *)f;
  cf_context_t sub;
  cf_waker_t bw;
  uint32_t left, m;
  if (!(c->flags & K_STARTED)) {
    int err = start(c);
    if (err < 0) {
      f->rc = err;
      return CF_READY;
    }
  }
  poll_begin(c, cx, &sub, &bw);
  /* Only the children queued before this poll: one woken meanwhile (by
   * itself or a sibling) is appended behind them and waits for the next
   * poll. A batch leaves the ring before its first poll; its children
   * keep QUEUED until their own poll, so none enters the ring twice. */
  for (left = c->ready_len; left; left -= m) {
    cf_future_t *fut[JOIN_BATCH];
    uint32_t idx[JOIN_BATCH], k;
    m = left < JOIN_BATCH ? left : JOIN_BATCH;
    for (k = 0; k < m; k++) {
      uint64_t e = c->ring[c->ready_head];
      idx[k] = (uint32_t)e;
      fut[k] = PACKED ? (cf_future_t *)(uintptr_t)(e >> 32) : c->fut[idx[k]];
      /* A load that is not used: the future's first line, fetched for
       * the whole batch before the first poll rather than by each. */
      (void)*(volatile uint8_t *)&fut[k]->state;
      if (++c->ready_head == c->n)
        c->ready_head = 0;
    }
    c->ready_len -= m;
    for (k = 0; k < m; k++) {
      if (!poll_child(c, idx[k], fut[k], &sub))
        continue;
      if ((c->flags & K_TRY) && fut[k]->rc < 0) {
        c->index = (int32_t)idx[k];
        f->rc = fut[k]->rc;
        drop_pending_children(c);
        cf_waker_drop(&c->parent);
        return CF_READY;
      }
    }
  }
  if (c->remaining == 0) {
    f->rc = 0;
    cf_waker_drop(&c->parent);
    return CF_READY;
  }
  return CF_PENDING;
}

static cf_poll_t select_poll(cf_future_t *f, cf_context_t *cx) {
  cf_combine_t *c = (cf_combine_t *)f;
  cf_context_t sub;
  cf_waker_t bw;
  uint32_t k, first;
  if (!(c->flags & K_STARTED)) {
    int err = start(c);
    if (err < 0) {
      f->rc = err;
      return CF_READY;
    }
    /* A select is usually built afresh on each loop iteration: starting
     * every one at branch 0 would make branch 0 win every tie. The
     * runtime's rotating seed spreads the first pick across rounds. */
    if (cx->rt)
      c->cursor = cx->rt->select_seed++;
  }
  if (c->remaining == 0) {
    c->index = -1;
    f->rc = CF_EEMPTY;
    cf_waker_drop(&c->parent);
    return CF_READY;
  }
  poll_begin(c, cx, &sub, &bw);
  first = (c->flags & CF_SELECT_BIASED) ? 0 : c->cursor++ % c->n;
  for (k = 0; k < c->n; k++) {
    uint32_t i = (first + k) % c->n;
    if (!(c->flag[i] & B_QUEUED))
      continue;
    if (!poll_child(c, i, c->fut[i], &sub))
      continue;
    c->index = (int32_t)i;
    f->rc = c->fut[i]->rc;
    if (!(c->flags & CF_SELECT_LOOP))
      drop_pending_children(c);
    if (!(c->flags & CF_SELECT_LOOP) || c->remaining == 0)
      cf_waker_drop(&c->parent);
    return CF_READY;
  }
  return CF_PENDING;
}

static void combine_drop(cf_future_t *f) {
  cf_combine_t *c = (cf_combine_t *)f;
  if (c->flags & (K_NOMEM | K_INVALID)) {
    /* nothing to own: children were dropped by init, or never given */
  } else if (c->flags & K_STARTED) {
    if (c->fut)
      drop_pending_children(c);
    if (c->fut && c->fut != c->inline_fut)
      cf_free(c->fut, block_bytes(c->n));
  } else {
    /* Never polled: the children are still ours to cancel. */
    uint32_t i;
    cf_future_t **futs = c->n > CF_COMBINE_INLINE ? c->fut : c->inline_fut;
    for (i = 0; i < c->n; i++)
      cf_future_drop(futs[i]);
    if (futs != c->inline_fut)
      cf_free(futs, (size_t)c->n * sizeof *futs);
  }
  c->fut = NULL;
  cf_waker_drop(&c->parent);
}

static const cf_future_vtable_t join_vt = {"join", join_poll, combine_drop, 0};
static const cf_future_vtable_t try_join_vt = {"try_join", join_poll,
                                               combine_drop, 0};
static const cf_future_vtable_t select_vt = {"select", select_poll,
                                             combine_drop, 0};
static const cf_future_vtable_t select_loop_vt = {
    "select", select_poll, combine_drop, CF_VT_REARMABLE};

/* Init copies the child pointers. For more than CF_COMBINE_INLINE children
 * they are parked in a plain pointer array until the first poll grows it
 * into fut, ring and flag; if either allocation fails, the first poll
 * reports CF_ENOMEM (init itself cannot fail). */
static void combine_init(cf_combine_t *c, const cf_future_vtable_t *vt,
                         cf_future_t *const *futs, size_t n, uint32_t flags) {
  size_t i;
  cf_future_init(&c->base, vt);
  c->n = (uint32_t)n;
  c->remaining = (uint32_t)n;
  c->ready_head = c->ready_len = 0;
  c->flags = flags;
  c->cursor = 0;
  c->index = -1;
  c->parent = CF_WAKER_NONE;
  c->fut = NULL;
  c->ring = NULL;
  c->flag = NULL;
  if ((!futs && n) || n >= UINT32_MAX) {
    c->n = c->remaining = 0;
    c->flags |= K_INVALID;
    return;
  }
  if (n > CF_COMBINE_INLINE) {
    cf_future_t **copy = cf_malloc(n * sizeof *copy);
    if (!copy) {
      for (i = 0; i < n; i++)
        cf_future_drop(futs[i]);
      c->n = c->remaining = 0;
      c->flags |= K_NOMEM;
      return;
    }
    for (i = 0; i < n; i++)
      copy[i] = futs[i];
    c->fut = copy;
  } else {
    for (i = 0; i < n; i++)
      c->inline_fut[i] = futs[i];
  }
}

void cf_join_init(cf_join_t *j, cf_future_t *const *futs, size_t n) {
  combine_init(j, &join_vt, futs, n, K_JOIN);
}

void cf_try_join_init(cf_join_t *j, cf_future_t *const *futs, size_t n) {
  combine_init(j, &try_join_vt, futs, n, K_JOIN | K_TRY);
}

void cf_select_init(cf_select_t *s, cf_future_t *const *futs, size_t n,
                    unsigned flags) {
  combine_init(s, (flags & CF_SELECT_LOOP) ? &select_loop_vt : &select_vt, futs,
               n, K_SELECT | (flags & 0xffu));
}
