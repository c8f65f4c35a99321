/* fetch.c: cf_fetch_t and cf_fetch_read_t (see cfuture/fetch.h).
 *
 * Owns the request copy (one block: method\0 url\0 name\0value\0... body)
 * and the response buffers, which JS allocates with cf_malloc and hands
 * over through the cfw_fetch_* exports right before completing the op.
 * Invariants: `stream` is a live JS body handle only between a streaming
 * head and the end of the body (EOF, error, or drop); at most one read of a
 * fetch is pending (`reading`). */
#include <emscripten.h>
#include <string.h>

#include "ascii.h"
#include "cfuture/alloc.h"
#include "cfuture/error.h"
#include "cfuture/fetch.h"
#include "exports.h"
#include "js_imports.h"

static void free_str(char **p, size_t *size) {
  cf_free(*p, *size);
  *p = NULL;
  *size = 0;
}

static void free_request(cf_fetch_t *f) {
  free_str(&f->req, &f->req_size);
}

static cf_poll_t fetch_poll(cf_future_t *base, cf_context_t *cx) {
  cf_fetch_t *f = (cf_fetch_t *)base;
  if (f->init_rc < 0) {
    free_request(f);
    base->rc = f->init_rc;
    return CF_READY;
  }
  if (f->op.state == CF_HOSTOP_IDLE) {
    /* The host's convention: 0 is no limit. */
    double max = f->max_body == CF_FETCH_NO_LIMIT ? 0.0 : (double)f->max_body;
    uint32_t h = cfjs_fetch_start(
        f, f->req + f->method_off, f->req + f->url_off, f->req + f->headers_off,
        f->headers_len, f->req + f->body_off, f->body_len_req, f->has_body, max,
        (f->flags & CF_FETCH_STREAM) != 0);
    cf_hostop_begin(&f->op, cx, h, CF_EHOST);
  }
  if (cf_hostop_poll(&f->op, cx) == CF_PENDING)
    return CF_PENDING;
  free_request(f);
  base->rc = f->op.rc;
  return CF_READY;
}

static void fetch_drop(cf_future_t *base) {
  cf_fetch_t *f = (cf_fetch_t *)base;
  cf_hostop_cancel(&f->op);
  if (f->stream) {
    cfjs_op_cancel(f->stream); /* aborts the body: the server sees it */
    f->stream = 0;
  }
  free_request(f);
  free_str(&f->status_text, &f->status_text_size);
  free_str(&f->headers, &f->headers_size);
  cf_free(f->body, f->body_size);
  f->body = NULL;
  f->body_len = f->body_size = 0;
  free_str(&f->error, &f->error_size);
}

static const cf_future_vtable_t fetch_vt = {"fetch", fetch_poll, fetch_drop, 0};

void cf_fetch_init(cf_fetch_t *f, const cf_fetch_request_t *req) {
  size_t i, mlen, ulen, hlen = 0, total;
  const char *method;
  char *p;
  memset(f, 0, sizeof *f);
  cf_future_init(&f->base, &fetch_vt);
  cf_hostop_init(&f->op);
  f->init_rc = cf_fetch_validate_msg(req, &f->init_error);
  if (f->init_rc < 0)
    return;
  method = req->method ? req->method : "GET";
  mlen = strlen(method) + 1;
  ulen = strlen(req->url) + 1;
  for (i = 0; i < req->nheaders; i++)
    hlen += strlen(req->headers[i].name) + strlen(req->headers[i].value) + 2;
  total = mlen + ulen + hlen + req->body_len + 1;
  f->req = cf_malloc(total);
  if (!f->req) {
    f->init_rc = CF_ENOMEM;
    f->init_error = "out of memory";
    return;
  }
  f->req_size = total;
  p = f->req;
  memcpy(p, method, mlen);
  f->method_off = 0;
  f->url_off = mlen;
  memcpy(p + f->url_off, req->url, ulen);
  f->headers_off = mlen + ulen;
  p += f->headers_off;
  for (i = 0; i < req->nheaders; i++) {
    size_t n = strlen(req->headers[i].name) + 1, v;
    memcpy(p, req->headers[i].name, n);
    p += n;
    v = strlen(req->headers[i].value) + 1;
    memcpy(p, req->headers[i].value, v);
    p += v;
  }
  f->headers_len = hlen;
  f->body_off = f->headers_off + hlen;
  if (req->body_len)
    memcpy(f->req + f->body_off, req->body, req->body_len);
  f->req[total - 1] = '\0';
  f->body_len_req = req->body_len;
  f->has_body = req->body != NULL;
  f->flags = req->flags;
  if (req->max_body)
    f->max_body = req->max_body;
  else
    f->max_body = (req->flags & CF_FETCH_STREAM) ? CF_FETCH_NO_LIMIT
                                                 : CF_FETCH_DEFAULT_MAX_BODY;
}

const char *cf_fetch_header(const cf_fetch_t *f, const char *name) {
  size_t i;
  const char *n, *v;
  for (i = 0; cf_fetch_header_at(f, i, &n, &v) == 0; i++) {
    const char *a = n, *b = name;
    for (; *a && *b; a++, b++) {
      if (*a != cf__ascii_lower(*b))
        break;
    }
    if (!*a && !*b)
      return v;
  }
  return NULL;
}

int cf_fetch_header_at(const cf_fetch_t *f, size_t i, const char **name,
                       const char **value) {
  const char *p = f->headers, *end;
  size_t k;
  if (!p || i >= f->nheaders)
    return CF_ERANGE;
  end = p + f->headers_size; /* not before the check: NULL + 0 is UB */
  for (k = 0; k < i; k++) {
    p += strlen(p) + 1;
    p += strlen(p) + 1;
  }
  if (p >= end)
    return CF_ERANGE;
  *name = p;
  *value = p + strlen(p) + 1;
  return 0;
}

const char *cf_fetch_error(const cf_fetch_t *f) {
  return f->error ? f->error : f->init_error;
}

/* ---- completions from JS (ownership of each buffer passes to C) ---- */

EMSCRIPTEN_KEEPALIVE void cfw_fetch_head(cf_fetch_t *f, int status,
                                         char *status_text, size_t st_size,
                                         char *headers, size_t h_size,
                                         size_t nheaders, uint32_t stream) {
  f->status = status;
  f->status_text = status_text;
  f->status_text_size = st_size;
  f->headers = headers;
  f->headers_size = h_size;
  f->nheaders = nheaders;
  f->stream = stream;
}

EMSCRIPTEN_KEEPALIVE void cfw_fetch_body(cf_fetch_t *f, uint8_t *body,
                                         size_t len, size_t size) {
  f->body = body;
  f->body_len = len;
  f->body_size = size;
}

EMSCRIPTEN_KEEPALIVE void cfw_fetch_done(cf_fetch_t *f, int rc, char *msg,
                                         size_t msg_size) {
  f->error = msg;
  f->error_size = msg_size;
  cf_hostop_complete(&f->op, rc);
}

EMSCRIPTEN_KEEPALIVE void cfw_fetch_chunk_done(cf_fetch_read_t *r, int rc,
                                               uint8_t *data, size_t len,
                                               size_t size, int ended) {
  r->data = data;
  r->len = len;
  r->size = size;
  if (ended && r->fetch)
    r->fetch->stream = 0; /* JS released the body handle */
  cf_hostop_complete(&r->op, rc);
}

/* ---- streamed body ---- */

static cf_poll_t read_poll(cf_future_t *base, cf_context_t *cx) {
  cf_fetch_read_t *r = (cf_fetch_read_t *)base;
  cf_fetch_t *f = r->fetch;
  if (r->op.state == CF_HOSTOP_IDLE) {
    if (!f || f->base.state != CF_FUTURE_DONE || f->base.rc < 0 ||
        !(f->flags & CF_FETCH_STREAM)) {
      base->rc = CF_EINVAL;
      return CF_READY;
    }
    if (f->reading) {
      base->rc = CF_EBUSY;
      return CF_READY;
    }
    if (!f->stream) { /* body already ended (or failed): end of stream */
      base->rc = 0;
      return CF_READY;
    }
    cf_hostop_begin(&r->op, cx, cfjs_fetch_read(r, f->stream, 0), CF_EHOST);
    f->reading = r->op.state == CF_HOSTOP_PENDING;
  }
  if (cf_hostop_poll(&r->op, cx) == CF_PENDING)
    return CF_PENDING;
  f->reading = 0;
  if (r->op.rc == 0)
    f->streamed += r->len;
  base->rc = r->op.rc;
  return CF_READY;
}

static void read_drop(cf_future_t *base) {
  cf_fetch_read_t *r = (cf_fetch_read_t *)base;
  if (r->op.state == CF_HOSTOP_PENDING && r->fetch)
    r->fetch->reading = 0; /* JS keeps the chunk for the next read */
  cf_hostop_cancel(&r->op);
  cf_free(r->data, r->size);
  r->data = NULL;
  r->len = r->size = 0;
}

static const cf_future_vtable_t read_vt = {"fetch_read", read_poll, read_drop,
                                           0};

void cf_fetch_read_init(cf_fetch_read_t *r, cf_fetch_t *f) {
  memset(r, 0, sizeof *r);
  cf_future_init(&r->base, &read_vt);
  cf_hostop_init(&r->op);
  r->fetch = f;
}
