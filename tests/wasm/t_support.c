/* t_support.c: see t_support.h. The counting allocator is installed by a
 * constructor, before the JS side creates any runtime (cf_set_allocator
 * must only change while no cfuture object is alive). */
#include "t_support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t live;

static void *count_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  if (nsize == 0) {
    if (ptr)
      live -= osize;
    free(ptr);
    return NULL;
  }
  ptr = realloc(ptr, nsize);
  if (ptr)
    live += nsize - osize;
  return ptr;
}

__attribute__((constructor)) static void install_counter(void) {
  cf_set_allocator(count_alloc, NULL);
}

size_t t_live_bytes(void) {
  return live;
}

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void block(t_sha256_t *s, const uint8_t *p) {
  uint32_t w[64], a, b, c, d, e, f, g, h;
  int i;
  for (i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
           (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (; i < 64; i++) {
    uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
  e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
  for (i = 0; i < 64; i++) {
    uint32_t t1 = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) +
                  ((e & f) ^ (~e & g)) + K[i] + w[i];
    uint32_t t2 =
        (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    h = g, g = f, f = e, e = d + t1, d = c, c = b, b = a, a = t1 + t2;
  }
  s->h[0] += a, s->h[1] += b, s->h[2] += c, s->h[3] += d;
  s->h[4] += e, s->h[5] += f, s->h[6] += g, s->h[7] += h;
}

void t_sha256_init(t_sha256_t *s) {
  static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372,
                                 0xa54ff53a, 0x510e527f, 0x9b05688c,
                                 0x1f83d9ab, 0x5be0cd19};
  memcpy(s->h, iv, sizeof iv);
  s->bytes = 0;
  s->fill = 0;
}

void t_sha256_update(t_sha256_t *s, const void *data, size_t len) {
  const uint8_t *p = data;
  s->bytes += len;
  while (len) {
    size_t n = 64 - s->fill < len ? 64 - s->fill : len;
    if (s->fill == 0 && len >= 64) {
      block(s, p);
      p += 64;
      len -= 64;
      continue;
    }
    memcpy(s->buf + s->fill, p, n);
    s->fill += n;
    p += n;
    len -= n;
    if (s->fill == 64) {
      block(s, s->buf);
      s->fill = 0;
    }
  }
}

void t_sha256_hex(t_sha256_t *s, char out[65]) {
  uint64_t bits = s->bytes * 8;
  uint8_t pad = 0x80, len[8];
  int i;
  t_sha256_update(s, &pad, 1);
  pad = 0;
  while (s->fill != 56)
    t_sha256_update(s, &pad, 1);
  for (i = 0; i < 8; i++)
    len[i] = (uint8_t)(bits >> (56 - 8 * i));
  t_sha256_update(s, len, 8);
  for (i = 0; i < 8; i++)
    snprintf(out + 8 * i, 9, "%08x", (unsigned)s->h[i]);
}

void t_json_str(char *out, size_t cap, const char *s, size_t n) {
  size_t o = strlen(out), i;
  if (o + 2 >= cap)
    return;
  out[o++] = '"';
  for (i = 0; i < n && o + 8 < cap; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      out[o++] = '\\';
      out[o++] = (char)c;
    } else if (c < 0x20) {
      o += (size_t)snprintf(out + o, cap - o, "\\u%04x", c);
    } else {
      out[o++] = (char)c;
    }
  }
  out[o++] = '"';
  out[o] = '\0';
}

size_t t_split_headers(char *s, cf_fetch_header_t *out, size_t max) {
  size_t n = 0;
  while (s && *s && n < max) {
    char *v = strchr(s, '\x01'), *next;
    if (!v)
      break;
    *v++ = '\0';
    next = strchr(v, '\x01');
    if (next)
      *next++ = '\0';
    out[n].name = s;
    out[n].value = v;
    n++;
    s = next;
  }
  return n;
}

int t_args_cstr_or_null(const cf_args_t *a, size_t i, const char **out) {
  size_t n = 0;
  const char *s = cf_args_string(a, i, &n);
  if (cf_args_type(a, i) == CF_JS_JSON && n == 4 && memcmp(s, "null", 4) == 0) {
    *out = NULL;
    return 0;
  }
  return cf_args_cstr_opt(a, i, out, NULL);
}
