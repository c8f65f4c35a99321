/* fetch_validate.c: request validation for cf_fetch, done in C so that an
 * invalid request fails with CF_EINVAL (and a reason) before any
 * JavaScript runs.
 *
 * Accepts what WHATWG fetch accepts for the common cases and rejects what
 * would make it throw, fail later as a network error, or smuggle headers:
 * method and header names are RFC 9110 tokens (CONNECT/TRACE/TRACK are
 * forbidden by fetch); GET and HEAD carry no body; values hold no control
 * character but HTAB; URLs are absolute http(s) with a host and no
 * credentials, or a path from "/" (resolved against a page's base URL),
 * and contain no whitespace or control characters; method, URL and the
 * header block are bounded (CF_FETCH_MAX_*). Reasons are static strings.
 * Cost: linear in the input, and never reads past a bound. */
#include <stddef.h>
#include <string.h>

#include "ascii.h"
#include "cfuture/error.h"
#include "cfuture/fetch.h"

static int is_tchar(unsigned char c) {
  if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
      (c >= 'A' && c <= 'Z'))
    return 1;
  return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int is_token(const char *s) {
  if (!s || !*s)
    return 0;
  for (; *s; s++)
    if (!is_tchar((unsigned char)*s))
      return 0;
  return 1;
}

static int ieq(const char *a, const char *b) {
  for (; *a && *b; a++, b++) {
    if (cf__ascii_lower(*a) != cf__ascii_lower(*b))
      return 0;
  }
  return *a == *b;
}

static int iprefix(const char *s, const char *p) {
  for (; *p; s++, p++) {
    if (cf__ascii_lower(*s) != *p)
      return 0;
  }
  return 1;
}

static int valid_host(const char *h, size_t n) {
  size_t i = 0, port_digits = 0;
  unsigned long port = 0;
  if (n == 0)
    return 0;
  if (h[0] == '[') {
    for (i = 1; i < n && h[i] != ']'; i++) {
      char c = h[i];
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
            (c >= 'A' && c <= 'F') || c == ':' || c == '.'))
        return 0;
    }
    if (i >= n || i == 1)
      return 0;
    i++;
  } else {
    for (; i < n && h[i] != ':'; i++) {
      unsigned char c = (unsigned char)h[i];
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
            (c >= 'A' && c <= 'Z') || c == '-' || c == '.' || c == '_' ||
            c == '~' || c == '%' || c >= 0x80))
        return 0;
    }
    if (i == 0)
      return 0;
  }
  if (i == n)
    return 1;
  if (h[i] != ':')
    return 0;
  for (i++; i < n; i++, port_digits++) {
    if (h[i] < '0' || h[i] > '9' || port_digits >= 5)
      return 0;
    port = port * 10 + (unsigned long)(h[i] - '0');
  }
  return port <= 65535;
}

/* NULL if `u` is acceptable, else why not. */
static const char *url_problem(const char *u) {
  const char *p, *auth;
  size_t n;
  if (!u || !*u)
    return "URL is missing or empty";
  for (p = u; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c <= 0x20 || c == 0x7f || c == '\\')
      return "URL contains whitespace, a control character or a backslash";
    if ((size_t)(p - u) >= CF_FETCH_MAX_URL)
      return "URL is longer than CF_FETCH_MAX_URL bytes";
  }
  if (u[0] == '/') /* "//host" would silently switch hosts */
    return u[1] != '/' ? NULL : "URL starting with \"//\" is not allowed";
  if (iprefix(u, "http://"))
    auth = u + 7;
  else if (iprefix(u, "https://"))
    auth = u + 8;
  else
    return "URL must be absolute http(s) or a path starting with \"/\"";
  n = strcspn(auth, "/?#");
  if (memchr(auth, '@', n))
    return "URL must not contain credentials"; /* fetch refuses them */
  return valid_host(auth, n) ? NULL : "URL has an invalid host or port";
}

/* What fetch sends as a header value: bytes, with no NUL, CR or LF
 * (RFC 9110 field-value; fetch throws on those), and none of the other
 * control characters either (Node's HTTP client refuses them, which would
 * come back later as a network error). HTAB is allowed; leading and
 * trailing spaces and tabs are allowed (fetch strips them). */
static int valid_value(const char *v) {
  for (; *v; v++) {
    unsigned char c = (unsigned char)*v;
    if ((c < 0x20 && c != '\t') || c == 0x7f)
      return 0;
  }
  return 1;
}

static size_t bounded_len(const char *s, size_t max) {
  size_t n = 0;
  while (n <= max && s[n])
    n++;
  return n;
}

int cf_fetch_validate_msg(const cf_fetch_request_t *req, const char **why) {
  const char *w = NULL, *method;
  size_t i, total = 0;
  if (!req) {
    w = "no request";
    goto bad;
  }
  if ((w = url_problem(req->url)) != NULL)
    goto bad;
  method = req->method ? req->method : "GET";
  if (bounded_len(method, CF_FETCH_MAX_METHOD) > CF_FETCH_MAX_METHOD) {
    w = "method is longer than CF_FETCH_MAX_METHOD bytes";
    goto bad;
  }
  if (!is_token(method)) {
    w = "method is not an HTTP token";
    goto bad;
  }
  if (ieq(method, "CONNECT") || ieq(method, "TRACE") || ieq(method, "TRACK")) {
    w = "method is forbidden by fetch (CONNECT, TRACE, TRACK)";
    goto bad;
  }
  /* fetch normalises get/head to upper case and refuses any body, even an
   * empty one, on them. */
  if (req->body && (ieq(method, "GET") || ieq(method, "HEAD"))) {
    w = "a GET or HEAD request cannot have a body";
    goto bad;
  }
  if (req->body_len && !req->body) {
    w = "body_len without a body";
    goto bad;
  }
  if (req->nheaders && !req->headers) {
    w = "nheaders without headers";
    goto bad;
  }
  for (i = 0; i < req->nheaders; i++) {
    const char *name = req->headers[i].name, *v = req->headers[i].value;
    if (!is_token(name)) {
      w = "header name is not an HTTP token";
      goto bad;
    }
    if (!v || !valid_value(v)) {
      w = "header value is missing or contains a control character";
      goto bad;
    }
    total += bounded_len(name, CF_FETCH_MAX_HEADERS) +
             bounded_len(v, CF_FETCH_MAX_HEADERS) + 2;
    if (total > CF_FETCH_MAX_HEADERS) {
      w = "headers are larger than CF_FETCH_MAX_HEADERS bytes";
      goto bad;
    }
  }
  if (why)
    *why = NULL;
  return 0;
bad:
  if (why)
    *why = w;
  return CF_EINVAL;
}

int cf_fetch_validate(const cf_fetch_request_t *req) {
  return cf_fetch_validate_msg(req, NULL);
}
