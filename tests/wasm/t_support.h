/* t_support.h: shared pieces of the test module's C functions: the
 * counting allocator (leak checks), SHA-256, and tiny JSON writing.
 * Test-only code; linked into build-wasm/cfuture_test.mjs. */
#ifndef T_SUPPORT_H
#define T_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include <cfuture.h>
#include <cfuture/wasm.h>

typedef struct t_sha256 {
  uint32_t h[8];
  uint64_t bytes;
  uint8_t buf[64];
  size_t fill;
} t_sha256_t;
void t_sha256_init(t_sha256_t *s);
void t_sha256_update(t_sha256_t *s, const void *data, size_t len);
/* Writes 64 hex digits and a NUL. */
void t_sha256_hex(t_sha256_t *s, char out[65]);

/* Live bytes through the cfuture allocator hook. */
size_t t_live_bytes(void);

/* Argument i as a C string (cf_args_cstr), where undefined and null are
 * NULL; CF_EINVAL for anything else or a string with a NUL inside. */
int t_args_cstr_or_null(const cf_args_t *a, size_t i, const char **out);

/* Append a JSON string literal of s[0..n) to out (bounded). */
void t_json_str(char *out, size_t cap, const char *s, size_t n);

/* Split "a\x01b\x01c\x01d" into up to max header pairs; returns count. The
 * string is modified in place. */
size_t t_split_headers(char *s, cf_fetch_header_t *out, size_t max);

#endif
