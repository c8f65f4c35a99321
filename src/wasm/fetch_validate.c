/* fetch_validate.c: request validation for cf_fetch, done in C so that an
 * invalid request fails with CF_EINVAL before any JavaScript runs.
 *
 * Accepts what WHATWG fetch accepts for the common cases and rejects what
 * would make it throw or smuggle headers: method and header names are
 * RFC 9110 tokens (CONNECT/TRACE/TRACK are forbidden by fetch); values hold
 * no CR, LF or NUL; URLs are absolute http(s) with a host and no
 * credentials, or a path from "/" (resolved against a page's base URL), and
 * contain no whitespace or control characters. Cost: linear in the input. */
#include <stddef.h>
#include <string.h>

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
    char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a + 32) : *a;
    char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b + 32) : *b;
    if (x != y)
      return 0;
  }
  return *a == *b;
}

static int iprefix(const char *s, const char *p) {
  for (; *p; s++, p++) {
    char x = (*s >= 'A' && *s <= 'Z') ? (char)(*s + 32) : *s;
    if (x != *p)
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

static int valid_url(const char *u) {
  const char *p, *auth;
  size_t n;
  if (!u || !*u)
    return 0;
  for (p = u; *p; p++) {
    unsigned char c = (unsigned char)*p;
    if (c <= 0x20 || c == 0x7f || c == '\\')
      return 0;
  }
  if (u[0] == '/')
    return u[1] != '/'; /* "//host" would silently switch hosts */
  if (iprefix(u, "http://"))
    auth = u + 7;
  else if (iprefix(u, "https://"))
    auth = u + 8;
  else
    return 0;
  n = strcspn(auth, "/?#");
  if (memchr(auth, '@', n))
    return 0; /* fetch refuses credentials in URLs */
  return valid_host(auth, n);
}

int cf_fetch_validate(const cf_fetch_request_t *req) {
  size_t i;
  if (!req || !valid_url(req->url))
    return CF_EINVAL;
  if (req->method) {
    if (!is_token(req->method) || ieq(req->method, "CONNECT") ||
        ieq(req->method, "TRACE") || ieq(req->method, "TRACK"))
      return CF_EINVAL;
  }
  if (req->nheaders && !req->headers)
    return CF_EINVAL;
  for (i = 0; i < req->nheaders; i++) {
    const char *v = req->headers[i].value;
    if (!is_token(req->headers[i].name) || !v || strpbrk(v, "\r\n"))
      return CF_EINVAL;
  }
  if (req->body_len && !req->body)
    return CF_EINVAL;
  return 0;
}
