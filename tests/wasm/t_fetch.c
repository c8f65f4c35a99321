/* t_fetch.c: fetch exports for the Node tests: one request reported as
 * JSON (whole or streamed, with a SHA-256 of the body), many concurrent
 * requests, and requests dropped by a timeout. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "t_support.h"

/* fetch_info(url, method, headers "n\1v\1...", body, max_body, stream,
 *            read_delay_ms) -> JSON
 * url, method and headers are strings without NUL (method and headers may
 * be undefined or null); max_body: see finfo_poll. */
typedef struct finfo {
  cf_async_t co;
  cf_fetch_t fetch;
  cf_fetch_read_t rd;
  cf_sleep_t nap;
  const char *url, *method, *hdr_arg, *body;
  size_t body_len;
  double max, stream, delay;
  int read_rc;
  uint64_t chunks, bytes;
  t_sha256_t sha;
  char hbuf[512];
  char out[1536];
} finfo_t;

static void finfo_report(finfo_t *self) {
  cf_fetch_t *f = &self->fetch;
  char hex[65] = "", *o = self->out;
  const char *ct = cf_fetch_header(f, "content-type");
  const char *xt = cf_fetch_header(f, "X-Test");
  const char *err = cf_fetch_error(f);
  size_t cap = sizeof self->out;
  if (f->base.rc == 0)
    t_sha256_hex(&self->sha, hex);
  snprintf(o, cap,
           "{\"rc\":%d,\"code\":\"%s\",\"status\":%d,\"nheaders\":%zu,"
           "\"bodyLen\":%llu,\"chunks\":%llu,\"readRc\":%d,\"sha\":\"%s\","
           "\"statusText\":",
           (int)f->base.rc, cf_err_name(f->base.rc), f->status, f->nheaders,
           (unsigned long long)self->bytes, (unsigned long long)self->chunks,
           self->read_rc, hex);
  t_json_str(o, cap, f->status_text ? f->status_text : "",
             f->status_text ? strlen(f->status_text) : 0);
  strncat(o, ",\"contentType\":", cap - strlen(o) - 1);
  t_json_str(o, cap, ct ? ct : "", ct ? strlen(ct) : 0);
  strncat(o, ",\"xTest\":", cap - strlen(o) - 1);
  t_json_str(o, cap, xt ? xt : "", xt ? strlen(xt) : 0);
  strncat(o, ",\"error\":", cap - strlen(o) - 1);
  t_json_str(o, cap, err ? err : "", err ? strlen(err) : 0);
  strncat(o, ",\"text\":", cap - strlen(o) - 1);
  t_json_str(o, cap, f->body && f->body_len <= 256 ? (char *)f->body : "",
             f->body && f->body_len <= 256 ? f->body_len : 0);
  strncat(o, "}", cap - strlen(o) - 1);
}

static cf_poll_t finfo_poll(cf_future_t *fut, cf_context_t *cx) {
  finfo_t *self = (finfo_t *)fut;
  CF_BEGIN(self);
  {
    cf_fetch_header_t h[16];
    cf_fetch_request_t req;
    size_t n = 0;
    if (self->hdr_arg) {
      strncpy(self->hbuf, self->hdr_arg, sizeof self->hbuf - 1);
      n = t_split_headers(self->hbuf, h, 16);
    }
    memset(&req, 0, sizeof req);
    req.url = self->url;
    req.method = self->method && *self->method ? self->method : NULL;
    req.headers = h;
    req.nheaders = n;
    req.body = self->body;
    req.body_len = self->body_len;
    /* max_body: 0, NaN or Infinity is no limit (this export's own rule,
     * older than cf_fetch's default); a negative value asks for cf_fetch's
     * default (CF_FETCH_DEFAULT_MAX_BODY for a buffered body). */
    req.max_body = self->max < 0                        ? 0
                   : self->max >= 1 && self->max < 1e15 ? (size_t)self->max
                                                        : CF_FETCH_NO_LIMIT;
    req.flags = self->stream > 0 ? CF_FETCH_STREAM : 0;
    cf_fetch_init(&self->fetch, &req);
  }
  t_sha256_init(&self->sha);
  CF_AWAIT(self, &self->fetch);
  if (self->fetch.base.rc == 0 && self->stream > 0) {
    for (;;) {
      cf_fetch_read_init(&self->rd, &self->fetch);
      CF_AWAIT(self, &self->rd);
      self->read_rc = self->rd.base.rc;
      if (self->rd.base.rc < 0 || self->rd.len == 0) {
        cf_future_drop(&self->rd.base);
        break;
      }
      t_sha256_update(&self->sha, self->rd.data, self->rd.len);
      self->chunks++;
      self->bytes += self->rd.len;
      cf_future_drop(&self->rd.base);
      if (self->delay > 0) {
        cf_sleep_init(&self->nap, (int64_t)self->delay);
        CF_AWAIT(self, &self->nap);
      }
    }
  } else if (self->fetch.base.rc == 0) {
    t_sha256_update(&self->sha, self->fetch.body, self->fetch.body_len);
    self->bytes = self->fetch.body_len;
  }
  finfo_report(self);
  CF_END(self, 0);
}
static void finfo_cleanup(cf_future_t *f) {
  finfo_t *self = (finfo_t *)f;
  cf_future_drop(&self->rd.base);
  cf_future_drop(&self->nap.base);
  cf_future_drop(&self->fetch.base);
}
CF_ASYNC_VTABLE(finfo_vt, "fetch_info", finfo_poll, finfo_cleanup);

static int finfo_init(cf_future_t *f, const cf_args_t *a) {
  finfo_t *self = (finfo_t *)f;
  int rc;
  cf_async_init(&self->co, &finfo_vt);
  if ((rc = cf_args_cstr(a, 0, &self->url, NULL)) < 0 ||
      (rc = t_args_cstr_or_null(a, 1, &self->method)) < 0 ||
      (rc = t_args_cstr_or_null(a, 2, &self->hdr_arg)) < 0)
    return rc;
  /* The body has an explicit length (NULs are data). */
  self->body = cf_args_string(a, 3, &self->body_len);
  self->max = cf_args_number(a, 4);
  self->stream = cf_args_number(a, 5);
  self->delay = cf_args_number(a, 6);
  return 0;
}
static void finfo_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_json(((const finfo_t *)f)->out);
}
CF_EXPORT_ASYNC(finfo_export, "fetch_info", finfo_t, finfo_init, finfo_result)

/* One plain GET (a join-set member); rc 0, status in the frame. */
typedef struct one {
  cf_async_t co;
  cf_fetch_t fetch;
  cf_timeout_t to;
  const char *url;
  double timeout_ms;
  int status;
} one_t;

static cf_poll_t one_poll(cf_future_t *f, cf_context_t *cx) {
  one_t *self = (one_t *)f;
  CF_BEGIN(self);
  {
    cf_fetch_request_t req;
    memset(&req, 0, sizeof req);
    req.url = self->url;
    cf_fetch_init(&self->fetch, &req);
  }
  if (self->timeout_ms > 0) {
    cf_timeout_init(&self->to, &self->fetch.base, (int64_t)self->timeout_ms);
    CF_AWAIT(self, &self->to);
    self->status = self->fetch.status;
    CF_RETURN(self, self->to.base.rc);
  }
  CF_AWAIT(self, &self->fetch);
  self->status = self->fetch.status;
  CF_END(self, self->fetch.base.rc);
}
static void one_cleanup(cf_future_t *f) {
  one_t *self = (one_t *)f;
  cf_future_drop(&self->to.base);
  cf_future_drop(&self->fetch.base);
}
CF_ASYNC_VTABLE(one_vt, "one_fetch", one_poll, one_cleanup);

static void one_init(one_t *o, const char *url, double timeout_ms) {
  memset(o, 0, sizeof *o);
  cf_async_init(&o->co, &one_vt);
  o->url = url;
  o->timeout_ms = timeout_ms;
}

/* fetch_many(url, n, timeout_ms) -> {"ok":k,"timedOut":t,"other":o} */
typedef struct many {
  cf_async_t co;
  cf_join_set_t set;
  cf_join_next_t next;
  const char *url;
  double n, timeout_ms;
  int ok, timed_out, other;
  char out[96];
} many_t;

static cf_poll_t many_poll(cf_future_t *f, cf_context_t *cx) {
  many_t *self = (many_t *)f;
  CF_BEGIN(self);
  {
    double i;
    cf_join_set_init(&self->set, cx->rt);
    for (i = 0; i < self->n; i++) {
      one_t o;
      one_init(&o, self->url, self->timeout_ms);
      if (CF_JOIN_SET_SPAWN(&self->set, &o, "one_fetch", NULL) < 0)
        CF_RETURN(self, CF_ENOMEM);
    }
  }
  for (;;) {
    cf_join_next_init(&self->next, &self->set);
    CF_AWAIT(self, &self->next);
    if (self->next.base.rc == CF_EEMPTY)
      break;
    {
      const one_t *o = (const one_t *)cf_join_handle_output(&self->next.handle);
      if (self->next.base.rc == CF_ETIMEDOUT)
        self->timed_out++;
      else if (self->next.base.rc == 0 && o && o->status == 200)
        self->ok++;
      else
        self->other++;
    }
    cf_future_drop(&self->next.handle.base);
    cf_future_drop(&self->next.base);
  }
  cf_future_drop(&self->next.base);
  snprintf(self->out, sizeof self->out,
           "{\"ok\":%d,\"timedOut\":%d,\"other\":%d}", self->ok,
           self->timed_out, self->other);
  CF_END(self, 0);
}
static void many_cleanup(cf_future_t *f) {
  many_t *self = (many_t *)f;
  cf_future_drop(&self->next.base);
  if (self->set.rt)
    cf_join_set_drop(&self->set);
}
CF_ASYNC_VTABLE(many_vt, "fetch_many", many_poll, many_cleanup);
static int many_init(cf_future_t *f, const cf_args_t *a) {
  many_t *self = (many_t *)f;
  cf_async_init(&self->co, &many_vt);
  int rc = cf_args_cstr(a, 0, &self->url, NULL);
  self->n = cf_args_number(a, 1);
  self->timeout_ms = cf_args_number(a, 2);
  if (rc < 0)
    return rc;
  return self->n >= 0 ? 0 : CF_EINVAL;
}
static void many_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_json(((const many_t *)f)->out);
}
CF_EXPORT_ASYNC(many_export, "fetch_many", many_t, many_init, many_result)
