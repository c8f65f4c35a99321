/* cfuture/fetch.h: HTTP requests as futures, over the host's global fetch
 * (wasm builds only; Node >= 18 and browsers).
 *
 *   cf_fetch_header_t h[] = {{"accept", "application/json"}};
 *   cf_fetch_request_t req = {.url = "http://127.0.0.1:8080/x",
 *                             .headers = h, .nheaders = 1};
 *   cf_fetch_init(&self->fetch, &req);     // copies and validates req
 *   CF_AWAIT(self, &self->fetch);
 *   if (self->fetch.base.rc == 0) use(self->fetch.status, self->fetch.body);
 *   cf_future_drop(&self->fetch.base);     // frees the response
 *
 * Outcome (base.rc): 0 with an HTTP status (4xx and 5xx are statuses, not
 * errors); CF_EINVAL for an invalid request, detected in C at init before
 * any JS runs (no request is made), with the reason in cf_fetch_error();
 * CF_ECONNREFUSED or CF_ENETWORK when the host's fetch failed, with its
 * message in cf_fetch_error(); CF_EMSGSIZE when the body exceeds the limit
 * (the request is aborted; the message says so); CF_ENOMEM. Dropping a
 * pending fetch aborts the request (AbortController): the server sees the
 * connection close.
 *
 * Valid requests (cf_fetch_validate): the URL is an absolute http(s) URL
 * with a host and no credentials, or a path from "/" (resolved against the
 * page's base URL; Node has none, so the JS side refuses it there), at
 * most CF_FETCH_MAX_URL bytes, with no whitespace, control character or
 * backslash; the method (default GET) is an HTTP token of at most
 * CF_FETCH_MAX_METHOD bytes and not CONNECT, TRACE or TRACK; GET and HEAD
 * have no body (not even an empty one); header names are HTTP tokens and
 * values contain no control character other than HTAB (fetch strips
 * leading and trailing spaces and tabs); names and values together (each
 * + 2) take at most CF_FETCH_MAX_HEADERS bytes.
 *
 * Body size limit (max_body): a buffered body (no CF_FETCH_STREAM) is held
 * whole in the wasm heap, so it is limited by default: 0 means
 * CF_FETCH_DEFAULT_MAX_BODY (8 MiB), any other value is the limit in
 * bytes, and CF_FETCH_NO_LIMIT (SIZE_MAX) asks for none. A larger body
 * (by Content-Length, or counted as it arrives) fails with CF_EMSGSIZE and
 * the request is aborted. A streamed body is consumed chunk by chunk and
 * is unlimited by default (0 or CF_FETCH_NO_LIMIT); another value limits
 * the total streamed, the read that crosses it failing with CF_EMSGSIZE.
 *
 * Streaming (CF_FETCH_STREAM): the fetch is ready once the status and
 * headers arrived; the body is then read chunk by chunk with
 * cf_fetch_read_t. The host pulls the next chunk from the network only when
 * C asks for it (backpressure).
 *
 * Memory: response strings and buffers are allocated with cf_malloc and
 * owned by the future; cf_future_drop frees them.
 */
#ifndef CFUTURE_FETCH_H
#define CFUTURE_FETCH_H

#include <stddef.h>
#include <stdint.h>

#include "future.h"
#include "hostop.h"

#ifdef __cplusplus
extern "C" {
#endif

enum {
  CF_FETCH_STREAM = 1u << 0 /* ready after the headers; read the body */
};

/* Limits (see above). */
#define CF_FETCH_DEFAULT_MAX_BODY ((size_t)8 << 20) /* buffered bodies */
#define CF_FETCH_NO_LIMIT SIZE_MAX                  /* max_body: none */
#define CF_FETCH_MAX_URL ((size_t)64 << 10)         /* bytes */
#define CF_FETCH_MAX_METHOD ((size_t)32)            /* bytes */
#define CF_FETCH_MAX_HEADERS ((size_t)64 << 10) /* names + values + 2 each */

typedef struct cf_fetch_header {
  const char *name;  /* an HTTP token (RFC 9110) */
  const char *value; /* no control characters but HTAB */
} cf_fetch_header_t;

typedef struct cf_fetch_request {
  const char *method; /* NULL: "GET" */
  const char *url;    /* absolute http(s) URL, or a path from "/" (pages) */
  const cf_fetch_header_t *headers;
  size_t nheaders;
  const void *body; /* NULL: no body */
  size_t body_len;
  size_t max_body; /* 0: the default (buffered 8 MiB, streamed none);
                      CF_FETCH_NO_LIMIT: none; else the limit in bytes */
  unsigned flags;  /* CF_FETCH_* */
} cf_fetch_request_t;

typedef struct cf_fetch {
  cf_future_t base;
  cf_hostop_t op;
  /* The request, validated and copied at init (owned). */
  char *req;
  size_t req_size;
  size_t method_off, url_off, headers_off, body_off;
  size_t headers_len, body_len_req;
  size_t max_body; /* effective limit; CF_FETCH_NO_LIMIT for none */
  unsigned flags;
  int32_t init_rc;
  const char *init_error; /* static reason for an init_rc, or NULL */
  uint8_t has_body;
  /* The response. */
  int status;
  char *status_text; /* NUL-terminated */
  size_t status_text_size;
  char *headers; /* "name\0value\0" pairs, names lowercase */
  size_t headers_size, nheaders;
  uint8_t *body; /* whole body (non-streaming mode) */
  size_t body_len, body_size;
  char *error; /* the host's message when rc is a network error */
  size_t error_size;
  /* Streaming state. */
  uint32_t stream; /* JS handle of the body reader, 0 when none */
  size_t streamed; /* body bytes delivered so far */
  uint8_t reading; /* a cf_fetch_read_t is pending */
} cf_fetch_t;

/* Validate and copy `req` (nothing is sent until the first poll). An
 * invalid request makes the first poll ready with CF_EINVAL. */
void cf_fetch_init(cf_fetch_t *f, const cf_fetch_request_t *req);

/* Response header value by case-insensitive name, or NULL. */
const char *cf_fetch_header(const cf_fetch_t *f, const char *name);
/* The i-th response header; returns 0, or CF_ERANGE past the end. */
int cf_fetch_header_at(const cf_fetch_t *f, size_t i, const char **name,
                       const char **value);
/* Why the fetch failed: the validation reason (CF_EINVAL at init), the
 * host's message (network errors, CF_EMSGSIZE), or NULL when none. */
const char *cf_fetch_error(const cf_fetch_t *f);

/* One chunk of a streamed body. Ready with rc 0 and data/len (len 0: end of
 * body), or an error (CF_EMSGSIZE, CF_ENETWORK, CF_EBUSY if another read of
 * the same fetch is pending, CF_EINVAL if the fetch is not a completed
 * streaming fetch). The chunk is owned by this future (freed by its drop).
 * The fetch must outlive the read. */
typedef struct cf_fetch_read {
  cf_future_t base;
  cf_hostop_t op;
  cf_fetch_t *fetch;
  uint8_t *data;
  size_t len, size;
} cf_fetch_read_t;
void cf_fetch_read_init(cf_fetch_read_t *r, cf_fetch_t *f);

/* Exposed for tests and tools: 0 if the request is acceptable, else
 * CF_EINVAL (the checks cf_fetch_init makes). */
int cf_fetch_validate(const cf_fetch_request_t *req);
/* The same, with the reason for CF_EINVAL in *why (a static string; NULL
 * when valid). `why` may be NULL. */
int cf_fetch_validate_msg(const cf_fetch_request_t *req, const char **why);

#ifdef __cplusplus
}
#endif
#endif
