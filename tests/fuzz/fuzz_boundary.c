/* fuzz_boundary.c: libFuzzer target for the C half of the JS boundary
 * (src/wasm/args.c and src/wasm/fetch_validate.c, compiled in directly:
 * neither depends on Emscripten). The input is split into fields at 0xFE
 * bytes, and drives:
 *   - rt.call arguments as a hostile JS side would fill them (any index,
 *     type, data/len combination, slots set twice); every accessor must
 *     agree with what was stored, cf_args_cstr must accept exactly the
 *     strings without a NUL, and nothing may leak (checked by a counting
 *     allocator) or be read out of bounds (ASan);
 *   - cf_fetch_validate_msg on a request made of the fields: an accepted
 *     request satisfies the documented rules (checked here independently),
 *     a refused one has a reason.
 * Build: cmake -DCF_FUZZ=ON -DCMAKE_C_COMPILER=clang; run fuzz_boundary. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfuture.h"
#include "cfuture/export.h"
#include "cfuture/fetch.h"
#include "fuzz_alloc.h"
#include "wasm/args.c"
#include "wasm/fetch_validate.c"

#define ASSERT(c)                                                              \
  do {                                                                         \
    if (!(c)) {                                                                \
      fprintf(stderr, "fuzz_boundary: %s (line %d)\n", #c, __LINE__);          \
      abort();                                                                 \
    }                                                                          \
  } while (0)

enum { MAXF = 24 };

static int tchar(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z') || (c && strchr("!#$%&'*+-.^_`|~", c));
}
static int token(const char *s) {
  if (!*s)
    return 0;
  for (; *s; s++)
    if (!tchar((unsigned char)*s))
      return 0;
  return 1;
}

/* s starts with p (lower case), ignoring the case of s. */
static int lower_prefix(const char *s, const char *p) {
  for (; *p; s++, p++)
    if (!*s || (*s >= 'A' && *s <= 'Z' ? *s + 32 : *s) != *p)
      return 0;
  return 1;
}

static void fuzz_args(char *const *f, const size_t *len, size_t nf,
                      const uint8_t *data, size_t size) {
  size_t n = size ? data[0] % 8 : 0, i, k;
  cf_args_t *a = cfw_args_new(n);
  int stored[8] = {0};
  ASSERT(a != NULL);
  for (k = 0; k < nf; k++) {
    unsigned char op = len[k] ? (unsigned char)f[k][0] : 0;
    size_t idx = op % 10;         /* may be out of range */
    int type = (op >> 4) % 7 - 1; /* -1 .. 5: some invalid */
    char *block = NULL;
    int rc;
    if ((op & 8) && type != CF_JS_NUMBER) {
      block = cf_malloc(len[k] + 1);
      memcpy(block, f[k], len[k]);
      block[len[k]] = '\0';
    }
    rc = cfw_args_set(a, idx, type, (double)k, block, block ? len[k] : 0);
    if (rc == 0) {
      ASSERT(idx < n);
      stored[idx] = 1;
      ASSERT(cf_args_type(a, idx) == (cf_js_type_t)type);
    }
  }
  for (i = 0; i < 10; i++) {
    const char *s = NULL, *raw;
    size_t sl = 0, rl = 0;
    int rc = cf_args_cstr(a, i, &s, &sl);
    raw = cf_args_string(a, i, &rl);
    if (rc == 0) {
      ASSERT(i < n && stored[i]);
      ASSERT(cf_args_type(a, i) == CF_JS_STRING);
      ASSERT(s == raw && sl == rl && strlen(s) == sl);
    } else {
      ASSERT(rc == CF_EINVAL && s == NULL);
      ASSERT(cf__args_error(a) != NULL);
      ASSERT(cf_args_type(a, i) != CF_JS_STRING || memchr(raw, 0, rl));
    }
    if (cf_args_type(a, i) == CF_JS_NUMBER)
      ASSERT(raw == NULL);
  }
  cfw_args_free(a);
}

static void fuzz_fetch(char *const *f, size_t nf) {
  cf_fetch_header_t h[MAXF];
  cf_fetch_request_t r;
  const char *why = NULL;
  size_t i, nh = 0, total = 0;
  int rc;
  if (nf < 2)
    return;
  memset(&r, 0, sizeof r);
  r.url = f[0];
  r.method = f[1][0] == '-' ? NULL : f[1];
  if (nf > 2 && f[2][0] == 'B') {
    r.body = f[2] + 1;
    r.body_len = strlen(f[2] + 1);
  }
  for (i = 3; i + 1 < nf && nh < MAXF; i += 2, nh++) {
    h[nh].name = f[i];
    h[nh].value = f[i + 1];
  }
  r.headers = h;
  r.nheaders = nh;
  rc = cf_fetch_validate_msg(&r, &why);
  if (rc < 0) {
    ASSERT(rc == CF_EINVAL && why != NULL);
    return;
  }
  ASSERT(why == NULL);
  /* Independently: what an accepted request must satisfy. */
  ASSERT(strlen(r.url) <= CF_FETCH_MAX_URL && r.url[0]);
  for (i = 0; r.url[i]; i++)
    ASSERT((unsigned char)r.url[i] > 0x20 && r.url[i] != 0x7f &&
           r.url[i] != '\\');
  ASSERT(r.url[0] == '/' ? r.url[1] != '/'
                         : lower_prefix(r.url, "http://") ||
                               lower_prefix(r.url, "https://"));
  {
    const char *m = r.method ? r.method : "GET";
    ASSERT(token(m) && strlen(m) <= CF_FETCH_MAX_METHOD);
    if (r.body)
      ASSERT(!(lower_prefix(m, "get") && !m[3]) &&
             !(lower_prefix(m, "head") && !m[4]));
  }
  for (i = 0; i < nh; i++) {
    const unsigned char *v = (const unsigned char *)h[i].value;
    ASSERT(token(h[i].name));
    for (; *v; v++)
      ASSERT((*v >= 0x20 || *v == '\t') && *v != 0x7f);
    total += strlen(h[i].name) + strlen(h[i].value) + 2;
  }
  ASSERT(total <= CF_FETCH_MAX_HEADERS);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *f[MAXF];
  size_t len[MAXF], nf = 0, start = 0, i;
  char *copy;
  fz_alloc_install();
  copy = malloc(size + 1);
  memcpy(copy, data, size);
  copy[size] = '\0';
  for (i = 0; i <= size && nf < MAXF; i++) {
    if (i == size || (unsigned char)copy[i] == 0xFE) {
      copy[i] = '\0';
      f[nf] = copy + start;
      len[nf] = i - start; /* may contain NULs: the args see them */
      nf++;
      start = i + 1;
    }
  }
  fuzz_args(f, len, nf, data, size);
  fuzz_fetch(f, nf);
  free(copy);
  ASSERT(fz_live_bytes == 0);
  cf_set_allocator(NULL, NULL);
  return 0;
}
