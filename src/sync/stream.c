/* stream.c: the stream protocol helpers (drop, the next future), the
 * simple adapters (map, filter, take, interval) and the sources over an
 * array and an int64 range (they own nothing and are never pending).
 * Invariants: an adapter owns its inner stream and drops it exactly once
 * (cf_stream_drop is idempotent); an item is taken from the inner stream
 * only in a poll that delivers a result (or, for filter, rejects it), so
 * every adapter is as cancel-safe as its inner stream.
 * Cost: O(item_size) per item; map allocates its scratch item once. */
#include <string.h>

#include "cfuture/alloc.h"
#include "cfuture/error.h"
#include "cfuture/stream.h"

void cf_stream_drop(cf_stream_t *s) {
  if (!s || !s->vt || s->dropped)
    return;
  s->dropped = 1;
  if (s->vt->drop)
    s->vt->drop(s);
}

/* ---- next ---- */

static cf_poll_t next_poll(cf_future_t *f, cf_context_t *cx) {
  cf_stream_next_t *n = (cf_stream_next_t *)f;
  if (!n->stream) {
    f->rc = CF_EINVAL;
    return CF_READY;
  }
  if (cf_stream_poll_next(n->stream, cx, n->item, &n->res) == CF_PENDING)
    return CF_PENDING;
  f->rc = n->res < 0 ? n->res : 0;
  return CF_READY;
}

static const cf_future_vtable_t next_vt = {"stream_next", next_poll, NULL,
                                           CF_VT_REARMABLE};

void cf_stream_next_init(cf_stream_next_t *n, cf_stream_t *s, void *item) {
  cf_future_init(&n->base, &next_vt);
  n->stream = s;
  n->item = item;
  n->res = CF_STREAM_END;
}

/* ---- map ---- */

static cf_poll_t map_poll(cf_stream_t *st, cf_context_t *cx, void *item,
                          int *res) {
  cf_stream_map_t *m = (cf_stream_map_t *)st;
  if (cf_stream_poll_next(m->inner, cx, m->scratch, res) == CF_PENDING)
    return CF_PENDING;
  if (*res == CF_STREAM_ITEM) {
    int err = m->fn(m->ud, m->scratch, item);
    if (err < 0)
      *res = err;
  }
  return CF_READY;
}

static void map_drop(cf_stream_t *st) {
  cf_stream_map_t *m = (cf_stream_map_t *)st;
  cf_stream_drop(m->inner);
  if (m->scratch)
    cf_free(m->scratch, m->inner->item_size);
  m->scratch = NULL;
}

static const cf_stream_vtable_t map_vt = {"map", map_poll, map_drop};

int cf_stream_map_init(cf_stream_map_t *m, cf_stream_t *inner, size_t out_size,
                       cf_stream_map_fn fn, void *ud) {
  memset(m, 0, sizeof *m);
  if (!inner || !fn || inner->item_size == 0)
    return CF_EINVAL;
  m->scratch = cf_malloc(inner->item_size);
  if (!m->scratch)
    return CF_ENOMEM;
  cf_stream_init(&m->base, &map_vt, out_size);
  m->inner = inner;
  m->fn = fn;
  m->ud = ud;
  return 0;
}

/* ---- filter ---- */

static cf_poll_t filter_poll(cf_stream_t *st, cf_context_t *cx, void *item,
                             int *res) {
  cf_stream_filter_t *f = (cf_stream_filter_t *)st;
  for (;;) {
    if (cf_stream_poll_next(f->inner, cx, item, res) == CF_PENDING)
      return CF_PENDING;
    if (*res != CF_STREAM_ITEM || f->pred(f->ud, item))
      return CF_READY;
    if (!cf_coop_proceed(cx))
      return CF_PENDING; /* a long run of rejects: let others run */
  }
}

static void filter_drop(cf_stream_t *st) {
  cf_stream_drop(((cf_stream_filter_t *)st)->inner);
}

static const cf_stream_vtable_t filter_vt = {"filter", filter_poll,
                                             filter_drop};

void cf_stream_filter_init(cf_stream_filter_t *f, cf_stream_t *inner,
                           cf_stream_pred_fn pred, void *ud) {
  cf_stream_init(&f->base, &filter_vt, inner ? inner->item_size : 0);
  f->inner = inner;
  f->pred = pred;
  f->ud = ud;
}

/* ---- take ---- */

static cf_poll_t take_poll(cf_stream_t *st, cf_context_t *cx, void *item,
                           int *res) {
  cf_stream_take_t *t = (cf_stream_take_t *)st;
  if (t->left == 0) {
    cf_stream_drop(t->inner);
    *res = CF_STREAM_END;
    return CF_READY;
  }
  if (cf_stream_poll_next(t->inner, cx, item, res) == CF_PENDING)
    return CF_PENDING;
  if (*res != CF_STREAM_END && --t->left == 0)
    cf_stream_drop(t->inner); /* release upstream as early as possible */
  return CF_READY;
}

static void take_drop(cf_stream_t *st) {
  cf_stream_drop(((cf_stream_take_t *)st)->inner);
}

static const cf_stream_vtable_t take_vt = {"take", take_poll, take_drop};

void cf_stream_take_init(cf_stream_take_t *t, cf_stream_t *inner, uint64_t n) {
  cf_stream_init(&t->base, &take_vt, inner ? inner->item_size : 0);
  t->inner = inner;
  t->left = n;
}

/* ---- interval ---- */

static cf_poll_t interval_poll(cf_stream_t *st, cf_context_t *cx, void *item,
                               int *res) {
  cf_interval_stream_t *s = (cf_interval_stream_t *)st;
  if (cf_future_is_done(&s->iv.base))
    cf_interval_next(&s->iv);
  if (cf_future_poll(&s->iv.base, cx) == CF_PENDING)
    return CF_PENDING;
  if (s->iv.base.rc < 0) {
    *res = s->iv.base.rc;
    s->base.ended = 1; /* a misconfigured interval: one error, then END */
    return CF_READY;
  }
  memcpy(item, &s->iv.tick_at, sizeof s->iv.tick_at);
  *res = CF_STREAM_ITEM;
  return CF_READY;
}

static void interval_drop(cf_stream_t *st) {
  cf_future_drop(&((cf_interval_stream_t *)st)->iv.base);
}

static const cf_stream_vtable_t interval_vt = {"interval_stream", interval_poll,
                                               interval_drop};

void cf_interval_stream_init(cf_interval_stream_t *s, int64_t period_ms,
                             cf_missed_tick_t missed) {
  cf_stream_init(&s->base, &interval_vt, sizeof(int64_t));
  cf_interval_init(&s->iv, period_ms, missed);
}

/* ---- sources: array, range ---- */

static cf_poll_t iter_poll(cf_stream_t *st, cf_context_t *cx, void *item,
                           int *res) {
  cf_stream_iter_t *s = (cf_stream_iter_t *)st;
  if (s->next >= s->n) {
    *res = CF_STREAM_END;
    return CF_READY;
  }
  if (!cf_coop_proceed(cx))
    return CF_PENDING; /* the budget is spent; the task has been woken */
  memcpy(item, s->array + s->next * st->item_size, st->item_size);
  s->next++;
  *res = CF_STREAM_ITEM;
  return CF_READY;
}

static const cf_stream_vtable_t iter_vt = {"iter", iter_poll, NULL};

void cf_stream_iter_init(cf_stream_iter_t *s, const void *array, size_t n,
                         size_t item_size) {
  cf_stream_init(&s->base, &iter_vt, item_size);
  s->array = array;
  s->n = array && item_size ? n : 0;
  s->next = 0;
}

static cf_poll_t range_poll(cf_stream_t *st, cf_context_t *cx, void *item,
                            int *res) {
  cf_stream_range_t *s = (cf_stream_range_t *)st;
  if (s->step == 0) {
    *res = CF_EINVAL;
    st->ended = 1; /* one error, then END */
    return CF_READY;
  }
  if (s->step > 0 ? s->next >= s->end : s->next <= s->end) {
    *res = CF_STREAM_END;
    return CF_READY;
  }
  if (!cf_coop_proceed(cx))
    return CF_PENDING;
  memcpy(item, &s->next, sizeof s->next);
  *res = CF_STREAM_ITEM;
  /* Advance, or end if the next value would overflow int64. */
  if (s->step > 0 ? s->next > INT64_MAX - s->step
                  : s->next < INT64_MIN - s->step)
    s->next = s->end;
  else
    s->next += s->step;
  return CF_READY;
}

static const cf_stream_vtable_t range_vt = {"range", range_poll, NULL};

void cf_stream_range_init(cf_stream_range_t *s, int64_t start, int64_t end,
                          int64_t step) {
  cf_stream_init(&s->base, &range_vt, sizeof(int64_t));
  s->next = start;
  s->end = end;
  s->step = step;
}
