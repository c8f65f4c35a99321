/* demo/demo.h: shared pieces of the demo programs (the seed examples in
 * cfuture form).
 *
 * Owns: the duration scale (every duration in a demo is round(ms * scale),
 * so tests can run the examples fast), line output, the `request` async
 * function shared by the timeout and concurrent demos, and the native
 * entry point used by the demos that need no fetch.
 *
 * Invariants: demo output goes through demo_line only, one line per call,
 * flushed at once, so the page, the CLI and the native build see the same
 * lines in the same order. Nothing here allocates except the runtime.
 */
#ifndef CFUTURE_DEMO_H
#define CFUTURE_DEMO_H

#include <stdint.h>

#include <cfuture.h>
#ifdef __EMSCRIPTEN__
#include <cfuture/wasm.h>
#endif

/* round(ms * scale), never negative. */
int64_t demo_ms(double scale, int64_t ms);

/* Print one line (printf format, no trailing newline) and flush. */
void demo_line(const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Accept a scale argument: finite and > 0, else CF_EINVAL. */
int demo_check_scale(double scale);

#ifdef __EMSCRIPTEN__
/* Arguments of every HTTP demo: (base URL string, scale number). The base
 * is copied into `base` (cap bytes) without a trailing slash. Returns 0 or
 * CF_EINVAL. */
int demo_http_args(const cf_args_t *a, char *base, size_t cap, double *scale);

/* Format "<base><path>" into buf; CF_EINVAL if it does not fit. */
int demo_url(char *buf, size_t cap, const char *base, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* async fn request(base, sleep_ms, timeout_ms) -> Result<String, Timeout>:
 * GET <base>/200?sleep=<sleep_ms> raced (select) against a sleep of
 * timeout_ms. Ready with rc 0 and `result` = "<status> <reason>", or
 * CF_ETIMEDOUT (the request was dropped: its connection closed), or the
 * fetch's error. Initialise it where it will be awaited (it is pinned at
 * its first poll); drop it when done. */
typedef struct demo_request {
  cf_async_t co;
  char url[512];
  int64_t timeout_ms;
  cf_fetch_t fetch;
  cf_sleep_t timer;
  cf_future_t *branches[2];
  cf_select_t sel;
  char result[96];
} demo_request_t;
void demo_request_init(demo_request_t *r, const char *base, int64_t sleep_ms,
                       int64_t timeout_ms);

/* "<status> <reason>" of a finished fetch into buf. */
void demo_status_text(const cf_fetch_t *f, char *buf, size_t cap);
#else
/* Run `frame` (an unpolled future of `size` bytes) as a task named `name`
 * on a fresh native runtime until it finishes; returns its rc. */
int demo_native_run(cf_future_t *frame, size_t size, const char *name);
/* Scale from argv[1] (default 1); exits with status 2 if invalid. */
double demo_native_scale(int argc, char **argv);
#endif

#endif
