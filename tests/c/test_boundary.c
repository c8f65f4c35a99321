/* test_boundary.c: the C half of the JS boundary, natively: rt.call
 * arguments (src/wasm/args.c) as JS fills them, including hostile input
 * (indices and types out of range, absurd counts, slots set twice, NULs
 * inside strings), and fetch request validation (src/wasm/fetch_validate.c)
 * with its reasons and limits. Both files are free of Emscripten
 * dependencies and are compiled into this test directly. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"

#include "cfuture/export.h"
#include "cfuture/fetch.h"
#include "wasm/args.c"
#include "wasm/fetch_validate.c"

/* What JS does: a cf_malloc'd copy of the bytes plus a NUL. */
static char *js_block(const char *s, size_t len) {
  char *p = cf_malloc(len + 1);
  memcpy(p, s, len);
  p[len] = '\0';
  return p;
}

static void set_str(cf_args_t *a, size_t i, int type, const char *s,
                    size_t len) {
  CHECK_EQ(cfw_args_set(a, i, type, 0, js_block(s, len), len), 0);
}

static void test_args_cstr(void) {
  cf_args_t *a = cfw_args_new(6);
  const char *s = (const char *)1;
  size_t len = 99;
  set_str(a, 0, CF_JS_STRING, "http://h/ok", 11);
  set_str(a, 1, CF_JS_STRING, "http://h/ok\0/../x", 17);
  CHECK_EQ(cfw_args_set(a, 2, CF_JS_NUMBER, 5, NULL, 0), 0);
  set_str(a, 3, CF_JS_BYTES, "abc", 3);
  set_str(a, 4, CF_JS_JSON, "null", 4);
  set_str(a, 5, CF_JS_STRING, "", 0);

  CHECK_EQ(cf_args_cstr(a, 0, &s, &len), 0);
  CHECK_STR(s, "http://h/ok");
  CHECK_EQ(len, 11);
  CHECK(cf__args_error(a) == NULL);

  /* The NUL: refused, never cut at /ok. */
  CHECK_EQ(cf_args_cstr(a, 1, &s, &len), CF_EINVAL);
  CHECK(s == NULL);
  CHECK_EQ(len, 0);
  CHECK_STR(cf__args_error(a), "argument 1 contains a NUL character (U+0000)");
  /* The raw accessor still gives all 17 bytes. */
  CHECK(cf_args_string(a, 1, &len) != NULL);
  CHECK_EQ(len, 17);

  /* Type confusion: a number, bytes, JSON, a missing argument. The first
   * recorded reason is kept. */
  CHECK_EQ(cf_args_cstr(a, 2, &s, NULL), CF_EINVAL);
  CHECK_EQ(cf_args_cstr(a, 3, &s, NULL), CF_EINVAL);
  CHECK_EQ(cf_args_cstr(a, 4, &s, NULL), CF_EINVAL);
  CHECK_EQ(cf_args_cstr(a, 9, &s, NULL), CF_EINVAL);
  CHECK(s == NULL);
  CHECK_STR(cf__args_error(a), "argument 1 contains a NUL character (U+0000)");

  /* The empty string is a string. */
  CHECK_EQ(cf_args_cstr(a, 5, &s, &len), 0);
  CHECK_STR(s, "");
  CHECK_EQ(len, 0);

  /* Optional: missing is fine, a wrong type still is not. */
  CHECK_EQ(cf_args_cstr_opt(a, 9, &s, &len), 0);
  CHECK(s == NULL);
  CHECK_EQ(cf_args_cstr_opt(a, 0, &s, NULL), 0);
  CHECK_STR(s, "http://h/ok");
  CHECK_EQ(cf_args_cstr_opt(a, 2, &s, NULL), CF_EINVAL);
  CHECK_EQ(cf_args_cstr_opt(a, 1, &s, NULL), CF_EINVAL);

  CHECK(isnan(cf_args_number(a, 0)));
  CHECK_EQ(cf_args_number(a, 2), 5);
  CHECK(cf_args_string(a, 2, NULL) == NULL);
  CHECK_EQ(cf_args_count(a), 6);
  cfw_args_free(a);
}

static void test_args_messages(void) {
  cf_args_t *a = cfw_args_new(1);
  const char *s;
  char longer[400];
  CHECK_EQ(cfw_args_set(a, 0, CF_JS_NUMBER, 1, NULL, 0), 0);
  CHECK_EQ(cf_args_cstr(a, 0, &s, NULL), CF_EINVAL);
  CHECK_STR(cf__args_error(a), "argument 0 must be a string, not a number");
  cfw_args_free(a);

  a = cfw_args_new(0);
  CHECK(cf__args_error(a) == NULL);
  memset(longer, 'x', sizeof longer - 1);
  longer[sizeof longer - 1] = '\0';
  CHECK_EQ(cf_args_fail(a, CF_ERANGE, "%s", longer), CF_ERANGE);
  CHECK_EQ(strlen(cf__args_error(a)), CF_CALL_ERROR_MAX - 1);
  CHECK_EQ(cf_args_fail(a, CF_EINVAL, "second"), CF_EINVAL);
  CHECK_EQ(cf__args_error(a)[0], 'x'); /* the first reason wins */
  CHECK_EQ(cf_args_fail(NULL, CF_EINVAL, "no args"), CF_EINVAL);
  cfw_args_free(a);
}

/* What a careless or hostile JS side could hand over: each is refused,
 * and whatever it passed is freed (the harness counts live bytes). */
static void test_args_hostile(void) {
  cf_args_t *a;
  CHECK(cfw_args_new(CF_ARGS_MAX + 1) == NULL);
  CHECK(cfw_args_new(SIZE_MAX / 2) == NULL); /* would overflow the size */
  CHECK(cfw_args_new(SIZE_MAX) == NULL);
  a = cfw_args_new(2);
  CHECK(a != NULL);
  /* index out of range (a write past the array before) */
  CHECK_EQ(cfw_args_set(a, 2, CF_JS_STRING, 0, js_block("x", 1), 1), CF_EINVAL);
  CHECK_EQ(cfw_args_set(a, SIZE_MAX, CF_JS_NUMBER, 1, NULL, 0), CF_EINVAL);
  /* unknown types, with and without data */
  CHECK_EQ(cfw_args_set(a, 0, 99, 0, js_block("x", 1), 1), CF_EINVAL);
  CHECK_EQ(cfw_args_set(a, 0, -1, 0, NULL, 0), CF_EINVAL);
  CHECK_EQ(cfw_args_set(a, 0, CF_JS_UNDEFINED, 0, NULL, 0), CF_EINVAL);
  /* a number with data, a string without */
  CHECK_EQ(cfw_args_set(a, 0, CF_JS_NUMBER, 1, js_block("x", 1), 1), CF_EINVAL);
  CHECK_EQ(cfw_args_set(a, 0, CF_JS_STRING, 0, NULL, 5), CF_EINVAL);
  CHECK_EQ(cf_args_type(a, 0), CF_JS_UNDEFINED);
  /* NULL args */
  CHECK_EQ(cfw_args_set(NULL, 0, CF_JS_STRING, 0, js_block("y", 1), 1),
           CF_EINVAL);
  /* a slot set twice: the first block is freed, the second kept */
  set_str(a, 1, CF_JS_STRING, "first", 5);
  set_str(a, 1, CF_JS_BYTES, "second!", 7);
  CHECK_EQ(cf_args_type(a, 1), CF_JS_BYTES);
  CHECK_EQ(cfw_args_set(a, 1, CF_JS_NUMBER, 3, NULL, 0), 0);
  CHECK_EQ(cf_args_number(a, 1), 3);
  CHECK(cf_args_string(a, 1, NULL) == NULL);
  cfw_args_free(a);
  cfw_args_free(NULL);
  CHECK_EQ(cf_args_count(NULL), 0);
  CHECK_EQ(cf_args_type(NULL, 0), CF_JS_UNDEFINED);
}

/* ---- fetch validation ---- */

static int check_req(const cf_fetch_request_t *r, const char *want) {
  const char *why = "unset";
  int rc = cf_fetch_validate_msg(r, &why);
  if (!want) {
    CHECK_EQ(rc, 0);
    CHECK(why == NULL);
  } else {
    CHECK_EQ(rc, CF_EINVAL);
    CHECK(why != NULL && strstr(why, want) != NULL);
    if (why && !strstr(why, want))
      fprintf(stderr, "  reason: %s (want %s)\n", why, want);
  }
  CHECK_EQ(cf_fetch_validate(r), rc);
  return rc;
}

static void test_fetch_method_and_body(void) {
  cf_fetch_request_t r = {0};
  char m[40];
  r.url = "http://h/x";
  check_req(&r, NULL);
  r.method = "PoSt";
  check_req(&r, NULL);
  r.method = "GET\x01X";
  check_req(&r, "token");
  r.method = "";
  check_req(&r, "token");
  r.method = "trace";
  check_req(&r, "forbidden");
  memset(m, 'A', 32);
  m[32] = '\0';
  r.method = m;
  check_req(&r, NULL); /* exactly CF_FETCH_MAX_METHOD */
  m[32] = 'A';
  m[33] = '\0';
  check_req(&r, "longer than CF_FETCH_MAX_METHOD");

  /* A body on GET or HEAD (any case, even empty, and the default GET). */
  r.body = "x";
  r.body_len = 1;
  r.method = NULL;
  check_req(&r, "GET or HEAD");
  r.method = "get";
  check_req(&r, "GET or HEAD");
  r.method = "HEAD";
  check_req(&r, "GET or HEAD");
  r.body_len = 0;
  check_req(&r, "GET or HEAD");
  r.method = "POST";
  check_req(&r, NULL);
  r.body_len = 1;
  check_req(&r, NULL);
  r.body = NULL;
  check_req(&r, "body_len without a body");
  check_req(NULL, "no request");
}

static void test_fetch_headers(void) {
  cf_fetch_header_t h[2] = {{"accept", "text/plain"}, {"x-a", "b"}};
  cf_fetch_request_t r = {0};
  char *big;
  size_t i;
  static const char ok_values[][8] = {"a\tb", " pad ", "\t", "", "\x80\xff"};
  static const char bad_values[][8] = {"a\rb",  "a\nb", "a\x01", "\x1f",
                                       "a\x7f", "\x0b", "\x0c"};
  r.url = "/x";
  r.headers = h;
  r.nheaders = 2;
  check_req(&r, NULL);
  for (i = 0; i < sizeof ok_values / sizeof ok_values[0]; i++) {
    h[1].value = ok_values[i];
    check_req(&r, NULL);
  }
  for (i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++) {
    h[1].value = bad_values[i];
    check_req(&r, "control character");
  }
  h[1].value = NULL;
  check_req(&r, "control character");
  h[1].value = "v";
  h[1].name = "bad name";
  check_req(&r, "token");
  h[1].name = "";
  check_req(&r, "token");
  h[1].name = "x:y";
  check_req(&r, "token");
  h[1].name = "x-ok";
  r.headers = NULL;
  check_req(&r, "nheaders without headers");
  r.headers = h;

  /* The header block bound: names + values + 2 each. */
  big = malloc(CF_FETCH_MAX_HEADERS + 1);
  memset(big, 'v', CF_FETCH_MAX_HEADERS);
  /* "accept"+"text/plain"+2 = 18, "x-ok"+value+2 = 6 + len */
  big[CF_FETCH_MAX_HEADERS - 18 - 6] = '\0';
  h[1].value = big;
  check_req(&r, NULL);
  big[CF_FETCH_MAX_HEADERS - 18 - 6] = 'v';
  big[CF_FETCH_MAX_HEADERS - 18 - 5] = '\0';
  check_req(&r, "CF_FETCH_MAX_HEADERS");
  free(big);
}

static void test_fetch_urls(void) {
  cf_fetch_request_t r = {0};
  char *u;
  size_t i;
  static const char *const ok[] = {"http://h/", "HTTPS://h:443/a?b#c", "/p",
                                   "http://[::1]:8/", "http://h/\xc3\xa9"};
  static const char *const bad[][2] = {
      {"", "missing"},
      {"not a url", "whitespace"},
      {"ftp://h/", "absolute"},
      {"http://", "host"},
      {"//h/x", "\"//\""},
      {"http://u:p@h/", "credentials"},
      {"http://h:99999/", "host"},
      {"http://h/a\\b", "backslash"},
      {"http://h/\x7f", "control"},
      {"http://h/\t", "control"},
  };
  for (i = 0; i < sizeof ok / sizeof ok[0]; i++) {
    r.url = ok[i];
    check_req(&r, NULL);
  }
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    r.url = bad[i][0];
    check_req(&r, bad[i][1]);
  }
  r.url = NULL;
  check_req(&r, "missing");
  /* CF_FETCH_MAX_URL bytes are fine, one more is not. */
  u = malloc(CF_FETCH_MAX_URL + 2);
  memcpy(u, "http://h/", 9);
  memset(u + 9, 'a', CF_FETCH_MAX_URL - 9);
  u[CF_FETCH_MAX_URL] = '\0';
  r.url = u;
  check_req(&r, NULL);
  u[CF_FETCH_MAX_URL] = 'a';
  u[CF_FETCH_MAX_URL + 1] = '\0';
  check_req(&r, "CF_FETCH_MAX_URL");
  free(u);
}

TH_MAIN(TH_CASE(test_args_cstr), TH_CASE(test_args_messages),
        TH_CASE(test_args_hostile), TH_CASE(test_fetch_method_and_body),
        TH_CASE(test_fetch_headers), TH_CASE(test_fetch_urls))
