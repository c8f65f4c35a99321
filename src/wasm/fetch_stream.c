/* fetch_stream.c: cf_fetch_body_stream_t, a streaming fetch's body as a
 * stream of cf_fetch_chunk_t (see cfuture/fetch_stream.h).
 *
 * Owns: at most one cf_fetch_read_t (`rd`, embedded, so the stream must not
 * move after its first poll) and, between the read's completion and the
 * poll that delivers it, that read's chunk. It borrows the fetch.
 * Invariants: `active` iff rd was initialised and not dropped; a chunk
 * leaves rd (its pointer cleared there) only in the poll that returns it,
 * so dropping the stream or a pending cf_stream_next loses nothing; after
 * an error item the next result is END (`failed`).
 * End of body: cf_fetch_read_t reports it as len 0, and the fetch's body
 * handle is gone then (fetch->stream == 0). A len-0 read while the handle
 * is still live is an empty network chunk, not the end: it is skipped.
 * Cost: one host op per chunk, no copy beyond the host's one into the
 * heap; one cf_coop_proceed unit per delivered chunk. */
#include <string.h>

#include "cfuture/alloc.h"
#include "cfuture/error.h"
#include "cfuture/fetch_stream.h"

void cf_fetch_chunk_free(cf_fetch_chunk_t *c) {
  if (!c)
    return;
  if (c->data)
    cf_free(c->data, c->size);
  c->data = NULL;
  c->len = c->size = 0;
}

static cf_poll_t body_poll(cf_stream_t *st, cf_context_t *cx, void *item,
                           int *res) {
  cf_fetch_body_stream_t *s = (cf_fetch_body_stream_t *)st;
  for (;;) {
    cf_fetch_read_t *rd = &s->rd;
    if (s->failed) {
      *res = CF_STREAM_END;
      return CF_READY;
    }
    if (!s->active) {
      cf_fetch_read_init(rd, s->fetch);
      s->active = 1;
    }
    /* A read that finished in an earlier poll (coop said no) is kept done
     * and not polled again: futures are never polled after ready. */
    if (!cf_future_is_done(&rd->base) &&
        cf_future_poll(&rd->base, cx) == CF_PENDING)
      return CF_PENDING;
    if (!cf_coop_proceed(cx))
      return CF_PENDING; /* the task was woken; rd keeps the result */
    if (rd->base.rc < 0) {
      *res = rd->base.rc;
      s->failed = 1;
    } else if (rd->len == 0) {
      if (s->fetch->stream != 0) { /* an empty chunk: read on */
        cf_future_drop(&rd->base);
        s->active = 0;
        continue;
      }
      *res = CF_STREAM_END;
    } else {
      cf_fetch_chunk_t c;
      c.data = rd->data;
      c.len = rd->len;
      c.size = rd->size;
      rd->data = NULL; /* ownership moves to the item: keep rd's drop off */
      rd->len = rd->size = 0;
      memcpy(item, &c, sizeof c);
      *res = CF_STREAM_ITEM;
    }
    cf_future_drop(&rd->base);
    s->active = 0;
    return CF_READY;
  }
}

static void body_drop(cf_stream_t *st) {
  cf_fetch_body_stream_t *s = (cf_fetch_body_stream_t *)st;
  /* A pending read's drop leaves the host's chunk for the next reader; a
   * finished one frees its undelivered chunk. */
  if (s->active)
    cf_future_drop(&s->rd.base);
  s->active = 0;
}

static const cf_stream_vtable_t body_vt = {"fetch_body", body_poll, body_drop};

void cf_fetch_body_stream_init(cf_fetch_body_stream_t *s, cf_fetch_t *fetch) {
  memset(s, 0, sizeof *s);
  cf_stream_init(&s->base, &body_vt, sizeof(cf_fetch_chunk_t));
  s->fetch = fetch; /* NULL: rd reports CF_EINVAL at the first poll */
}
