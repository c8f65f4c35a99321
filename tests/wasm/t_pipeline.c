/* t_pipeline.c: pipeline exports for tests/node/pipeline.test.mjs.
 *
 *   pipe_js(next_fn, gate_fn, n, cap) -> {"values":[...],"rc":..}
 *     A producer task awaits JS host function next_fn(i) (a Promise) for
 *     i = 0..n-1 and sends each number into a bounded mpsc of `cap`; the
 *     consumer (the call's own task) awaits gate_fn(k) before its k-th
 *     receive, so JS decides when room appears and can watch the producer
 *     wait (backpressure). gate_fn may be empty (no gate).
 *
 *   pipe_fetch(url, workers, cap, slice) -> {"bytes","chunks","sha",...}
 *     fetch (CF_FETCH_STREAM) -> body stream -> bounded mpsc of chunks
 *     (producer task) -> buffered(workers) of work futures that checksum
 *     each chunk `slice` bytes per poll, yielding in between -> outputs in
 *     body order -> SHA-256 of the whole body in the consumer.
 *
 * Ownership: chunks move producer -> channel -> work future -> consumer;
 * whoever holds one when the call is aborted frees it (the cleanups below),
 * which the leak test checks through live_bytes.
 */
#include <stdio.h>
#include <string.h>

#include <cfuture/fetch_stream.h>

#include "t_support.h"

/* ======================= (a) JS promises -> channel ==================== */

enum { PJ_MAX = 256 };

typedef struct pj_prod {
  cf_async_t co;
  cf_mpsc_sender_t tx; /* owned */
  cf_promise_t p;
  cf_mpsc_send_t send;
  const char *fn;
  int i, n, rc;
  double v;
  char args[32];
} pj_prod_t;

static cf_poll_t pj_prod_poll(cf_future_t *f, cf_context_t *cx) {
  pj_prod_t *self = (pj_prod_t *)f;
  CF_BEGIN(self);
  for (self->i = 0; self->i < self->n; self->i++) {
    snprintf(self->args, sizeof self->args, "[%d]", self->i);
    cf_js_call_init(&self->p, self->fn, self->args, CF_JS_NUMBER);
    CF_AWAIT(self, &self->p);
    self->v = self->p.number;
    self->rc = self->p.base.rc;
    cf_future_drop(&self->p.base);
    if (self->rc < 0)
      break;
    cf_mpsc_send_init(&self->send, &self->tx, &self->v);
    CF_AWAIT(self, &self->send); /* pends while the channel is full */
    self->rc = self->send.base.rc;
    cf_future_drop(&self->send.base);
    if (self->rc < 0)
      break;
  }
  cf_mpsc_sender_free(&self->tx); /* the consumer drains, then sees END */
  CF_END(self, self->rc);
}
static void pj_prod_cleanup(cf_future_t *f) {
  pj_prod_t *self = (pj_prod_t *)f;
  cf_future_drop(&self->p.base);
  cf_future_drop(&self->send.base);
  cf_mpsc_sender_free(&self->tx);
}
CF_ASYNC_VTABLE(pj_prod_vt, "pj_producer", pj_prod_poll, pj_prod_cleanup);

typedef struct pj_main {
  cf_async_t co;
  cf_mpsc_receiver_t rx;
  cf_join_handle_t producer;
  cf_promise_t gate;
  cf_mpsc_recv_t recv;
  const char *next_fn, *gate_fn;
  double n, cap;
  double v;
  int count, rc;
  double values[PJ_MAX];
  char out[PJ_MAX * 26 + 64];
} pj_main_t;

static cf_poll_t pj_main_poll(cf_future_t *f, cf_context_t *cx) {
  pj_main_t *self = (pj_main_t *)f;
  CF_BEGIN(self);
  {
    pj_prod_t prod;
    CF_ASYNC_INIT(&prod, &pj_prod_vt);
    prod.fn = self->next_fn;
    prod.n = (int)self->n;
    if (cf_mpsc_new(sizeof(double), (size_t)self->cap, &prod.tx, &self->rx) < 0)
      CF_RETURN(self, CF_ENOMEM);
    if (CF_SPAWN(cx->rt, &prod, "producer", &self->producer) < 0) {
      cf_mpsc_sender_free(&prod.tx);
      CF_RETURN(self, CF_ENOMEM);
    }
  }
  for (;;) {
    if (self->gate_fn && *self->gate_fn) {
      char args[32];
      snprintf(args, sizeof args, "[%d]", self->count);
      cf_js_call_init(&self->gate, self->gate_fn, args, CF_JS_UNDEFINED);
      CF_AWAIT(self, &self->gate);
      cf_future_drop(&self->gate.base);
      if (self->gate.base.rc < 0) /* JS failed an assertion in the gate */
        CF_RETURN(self, self->gate.base.rc);
    }
    cf_mpsc_recv_init(&self->recv, &self->rx, &self->v);
    CF_AWAIT(self, &self->recv);
    cf_future_drop(&self->recv.base);
    if (self->recv.base.rc < 0)
      break; /* CF_ECLOSED: the producer is done and all was received */
    if (self->count < PJ_MAX)
      self->values[self->count] = self->v;
    self->count++;
  }
  CF_AWAIT(self, &self->producer);
  self->rc = self->producer.base.rc;
  {
    size_t len;
    int i;
    len = (size_t)snprintf(self->out, sizeof self->out,
                           "{\"rc\":%d,\"count\":%d,\"values\":[", self->rc,
                           self->count);
    for (i = 0; i < self->count && i < PJ_MAX; i++)
      len += (size_t)snprintf(self->out + len, sizeof self->out - len,
                              "%s%.17g", i ? "," : "", self->values[i]);
    snprintf(self->out + len, sizeof self->out - len, "]}");
  }
  CF_END(self, 0);
}
static void pj_main_cleanup(cf_future_t *f) {
  pj_main_t *self = (pj_main_t *)f;
  cf_task_abort(&self->producer); /* no-op once it finished */
  cf_future_drop(&self->producer.base);
  cf_future_drop(&self->gate.base);
  cf_future_drop(&self->recv.base);
  cf_mpsc_receiver_free(&self->rx);
}
CF_ASYNC_VTABLE(pj_main_vt, "pipe_js", pj_main_poll, pj_main_cleanup);

static int pj_init(cf_future_t *f, const cf_args_t *a) {
  pj_main_t *self = (pj_main_t *)f;
  cf_async_init(&self->co, &pj_main_vt);
  int rc;
  if ((rc = cf_args_cstr(a, 0, &self->next_fn, NULL)) < 0 ||
      (rc = t_args_cstr_or_null(a, 1, &self->gate_fn)) < 0)
    return rc;
  self->n = cf_args_number(a, 2);
  self->cap = cf_args_number(a, 3);
  if (!(self->n >= 0) || !(self->cap >= 1))
    return CF_EINVAL;
  return 0;
}
static void pj_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_json(((const pj_main_t *)f)->out);
}
CF_EXPORT_ASYNC(pipe_js_export, "pipe_js", pj_main_t, pj_init, pj_result)

/* =============== (b) fetch body -> channel -> workers ================== */

typedef struct pf_shared {
  int status, fetch_rc, body_rc;
  uint64_t sent;
} pf_shared_t;

typedef struct pf_prod {
  cf_async_t co;
  cf_fetch_t fetch;
  cf_fetch_body_stream_t body;
  cf_stream_next_t next;
  cf_mpsc_sender_t tx; /* owned */
  cf_mpsc_send_t send;
  cf_fetch_chunk_t chunk; /* owned while `holding` */
  uint8_t holding;
  const char *url;
  pf_shared_t *sh; /* in the consumer's frame, which outlives this task */
} pf_prod_t;

static cf_poll_t pf_prod_poll(cf_future_t *f, cf_context_t *cx) {
  pf_prod_t *self = (pf_prod_t *)f;
  CF_BEGIN(self);
  {
    cf_fetch_request_t req;
    memset(&req, 0, sizeof req);
    req.url = self->url;
    req.flags = CF_FETCH_STREAM;
    cf_fetch_init(&self->fetch, &req);
  }
  CF_AWAIT(self, &self->fetch);
  self->sh->status = self->fetch.status;
  self->sh->fetch_rc = self->fetch.base.rc;
  if (self->fetch.base.rc < 0)
    goto done;
  cf_fetch_body_stream_init(&self->body, &self->fetch);
  for (;;) {
    cf_stream_next_init(&self->next, &self->body.base, &self->chunk);
    CF_AWAIT(self, &self->next);
    if (self->next.res != CF_STREAM_ITEM) {
      if (self->next.res < 0)
        self->sh->body_rc = self->next.res;
      break;
    }
    self->holding = 1;
    cf_mpsc_send_init(&self->send, &self->tx, &self->chunk);
    CF_AWAIT(self, &self->send); /* a full channel stops the download */
    cf_future_drop(&self->send.base);
    if (self->send.base.rc < 0)
      break;           /* still holding: the cleanup frees it */
    self->holding = 0; /* moved into the channel */
    self->sh->sent++;
  }
done:
  cf_mpsc_sender_free(&self->tx);
  CF_END(self, 0);
}
static void pf_prod_cleanup(cf_future_t *f) {
  pf_prod_t *self = (pf_prod_t *)f;
  cf_future_drop(&self->send.base);
  if (self->holding)
    cf_fetch_chunk_free(&self->chunk);
  self->holding = 0;
  cf_stream_drop(&self->body.base);
  cf_future_drop(&self->fetch.base); /* aborts an unfinished download */
  cf_mpsc_sender_free(&self->tx);
}
CF_ASYNC_VTABLE(pf_prod_vt, "pf_producer", pf_prod_poll, pf_prod_cleanup);

/* One worker job: checksum a chunk `slice` bytes per poll. */
typedef struct pf_work {
  cf_async_t co;
  cf_fetch_chunk_t chunk; /* owned until the output takes it */
  size_t off, slice;
  uint32_t sum;
} pf_work_t;

static cf_poll_t pf_work_poll(cf_future_t *f, cf_context_t *cx) {
  pf_work_t *self = (pf_work_t *)f;
  CF_BEGIN(self);
  for (self->off = 0; self->off < self->chunk.len;) {
    { /* `end` lives only until the yield (cfuture-lint checks this) */
      size_t end = self->off + self->slice;
      if (end > self->chunk.len)
        end = self->chunk.len;
      for (; self->off < end; self->off++)
        self->sum += self->chunk.data[self->off];
    }
    if (self->off < self->chunk.len)
      CF_YIELD(self); /* let the other workers and the download run */
  }
  CF_END(self, 0);
}
static void pf_work_cleanup(cf_future_t *f) {
  cf_fetch_chunk_free(&((pf_work_t *)f)->chunk);
}
CF_ASYNC_VTABLE(pf_work_vt, "pf_work", pf_work_poll, pf_work_cleanup);

typedef struct pf_out {
  cf_fetch_chunk_t chunk;
  uint32_t sum;
} pf_out_t;

static int pf_start(void *ud, const void *item, cf_future_t *slot) {
  pf_work_t *w = (pf_work_t *)slot;
  CF_ASYNC_INIT(w, &pf_work_vt);
  memcpy(&w->chunk, item, sizeof w->chunk);
  w->slice = *(const size_t *)ud;
  return 0;
}
static int pf_output(void *ud, cf_future_t *fut, void *out) {
  pf_work_t *w = (pf_work_t *)fut;
  pf_out_t o;
  (void)ud;
  o.chunk = w->chunk;
  o.sum = w->sum;
  memset(&w->chunk, 0, sizeof w->chunk); /* taken: the drop keeps off */
  memcpy(out, &o, sizeof o);
  return 0;
}

typedef struct pf_main {
  cf_async_t co;
  pf_shared_t sh;
  cf_mpsc_receiver_t rx;
  cf_mpsc_stream_t rx_stream;
  cf_stream_buffered_t workers;
  cf_stream_next_t next;
  cf_join_handle_t producer;
  pf_out_t item;
  const char *url;
  double nworkers, cap;
  size_t slice, max_inflight;
  uint64_t bytes, chunks;
  uint32_t sum;
  int res;
  uint8_t started; /* workers initialised (it owns rx_stream) */
  t_sha256_t sha;
  char out[512];
} pf_main_t;

static cf_poll_t pf_main_poll(cf_future_t *f, cf_context_t *cx) {
  pf_main_t *self = (pf_main_t *)f;
  CF_BEGIN(self);
  {
    pf_prod_t prod;
    CF_ASYNC_INIT(&prod, &pf_prod_vt);
    prod.url = self->url;
    prod.sh = &self->sh; /* the frame is pinned now: in its task */
    if (cf_mpsc_new(sizeof(cf_fetch_chunk_t), (size_t)self->cap, &prod.tx,
                    &self->rx) < 0)
      CF_RETURN(self, CF_ENOMEM);
    if (CF_SPAWN(cx->rt, &prod, "producer", &self->producer) < 0) {
      cf_mpsc_sender_free(&prod.tx);
      CF_RETURN(self, CF_ENOMEM);
    }
  }
  cf_mpsc_stream_init(&self->rx_stream, &self->rx);
  if (cf_stream_buffered_init(&self->workers, &self->rx_stream.base,
                              (size_t)self->nworkers, sizeof(pf_work_t),
                              sizeof(pf_out_t), pf_start, pf_output,
                              &self->slice) < 0)
    CF_RETURN(self, CF_ENOMEM);
  self->started = 1;
  t_sha256_init(&self->sha);
  for (;;) {
    cf_stream_next_init(&self->next, &self->workers.base, &self->item);
    CF_AWAIT(self, &self->next);
    self->res = self->next.res;
    if (self->res != CF_STREAM_ITEM)
      break;
    if (cf_stream_buffered_len(&self->workers) + 1 > self->max_inflight)
      self->max_inflight = cf_stream_buffered_len(&self->workers) + 1;
    t_sha256_update(&self->sha, self->item.chunk.data, self->item.chunk.len);
    self->bytes += self->item.chunk.len;
    self->sum += self->item.sum;
    self->chunks++;
    cf_fetch_chunk_free(&self->item.chunk);
  }
  CF_AWAIT(self, &self->producer);
  {
    char hex[65];
    t_sha256_hex(&self->sha, hex);
    snprintf(self->out, sizeof self->out,
             "{\"status\":%d,\"fetchRc\":%d,\"bodyRc\":%d,\"res\":%d,"
             "\"bytes\":%llu,\"chunks\":%llu,\"sent\":%llu,\"sum\":%u,"
             "\"maxInflight\":%zu,\"sha\":\"%s\"}",
             self->sh.status, self->sh.fetch_rc, self->sh.body_rc, self->res,
             (unsigned long long)self->bytes, (unsigned long long)self->chunks,
             (unsigned long long)self->sh.sent, (unsigned)self->sum,
             self->max_inflight, hex);
  }
  CF_END(self, 0);
}
static void pf_main_cleanup(cf_future_t *f) {
  pf_main_t *self = (pf_main_t *)f;
  cf_fetch_chunk_t c;
  /* The producer first: it may hold a chunk and it aborts the download. */
  cf_task_abort(&self->producer);
  cf_future_drop(&self->producer.base);
  if (self->started)
    cf_stream_drop(&self->workers.base); /* frees the chunks in work */
  else
    cf_stream_drop(&self->rx_stream.base);
  cf_fetch_chunk_free(&self->item.chunk);
  /* Chunks still in the channel own memory: drain before freeing. */
  if (self->rx.chan) {
    cf_mpsc_receiver_close(&self->rx);
    while (cf_mpsc_try_recv(&self->rx, &c) == 0)
      cf_fetch_chunk_free(&c);
  }
  cf_mpsc_receiver_free(&self->rx);
}
CF_ASYNC_VTABLE(pf_main_vt, "pipe_fetch", pf_main_poll, pf_main_cleanup);

static int pf_init(cf_future_t *f, const cf_args_t *a) {
  pf_main_t *self = (pf_main_t *)f;
  double slice;
  int rc;
  cf_async_init(&self->co, &pf_main_vt);
  if ((rc = cf_args_cstr(a, 0, &self->url, NULL)) < 0)
    return rc;
  self->nworkers = cf_args_number(a, 1);
  self->cap = cf_args_number(a, 2);
  slice = cf_args_number(a, 3);
  self->slice = slice >= 1 ? (size_t)slice : 4096;
  if (!(self->nworkers >= 1) || !(self->cap >= 1))
    return CF_EINVAL;
  return 0;
}
static void pf_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_json(((const pf_main_t *)f)->out);
}
CF_EXPORT_ASYNC(pipe_fetch_export, "pipe_fetch", pf_main_t, pf_init, pf_result)
