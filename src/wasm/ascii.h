/* ascii.h (internal): ASCII case folding for HTTP header names and
 * methods, which are ASCII tokens: locale-independent on purpose. */
#ifndef CF_WASM_ASCII_H
#define CF_WASM_ASCII_H

static inline char cf__ascii_lower(char c) {
  if (c >= 'A' && c <= 'Z')
    return (char)(unsigned char)((unsigned char)c | 0x20u);
  return c;
}

#endif
