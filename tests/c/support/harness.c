/* harness.c: implementation of the native test harness (see harness.h).
 * The counting allocator prefixes nothing: it trusts the sizes cfuture
 * passes back on free, so a size mismatch shows up as a byte-count error. */
#define _POSIX_C_SOURCE 200809L /* nanosleep */
#include "harness.h"

#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

int th_failures;

static size_t live_bytes, live_blocks;
static long fail_after = -1;
static unsigned long alloc_failures;

static void *counting_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  (void)ud;
  if (nsize == 0) {
    if (ptr) {
      live_bytes -= osize;
      live_blocks--;
      free(ptr);
    }
    return NULL;
  }
  if (fail_after == 0) {
    alloc_failures++;
    return NULL;
  }
  if (fail_after > 0)
    fail_after--;
  {
    void *p = realloc(ptr, nsize);
    if (!p)
      return NULL;
    if (ptr)
      live_bytes -= osize;
    else
      live_blocks++;
    live_bytes += nsize;
    return p;
  }
}

size_t th_live_bytes(void) {
  return live_bytes;
}
size_t th_live_blocks(void) {
  return live_blocks;
}
void th_fail_after(long n) {
  fail_after = n;
}
unsigned long th_alloc_failures(void) {
  return alloc_failures;
}

int th_run(const th_case_t *cases, size_t n, int argc, char **argv) {
  size_t i, ran = 0;
  int failed = 0;
  cf_set_allocator(counting_alloc, NULL);
  for (i = 0; i < n; i++) {
    int before = th_failures, k, selected = argc <= 1;
    for (k = 1; k < argc; k++)
      if (strcmp(argv[k], cases[i].name) == 0)
        selected = 1;
    if (!selected)
      continue;
    fail_after = -1;
    cases[i].fn();
    fail_after = -1;
    if (live_bytes != 0) {
      fprintf(stderr, "%s: %zu bytes in %zu blocks still allocated\n",
              cases[i].name, live_bytes, live_blocks);
      th_failures++;
      live_bytes = 0;
      live_blocks = 0;
    }
    ran++;
    if (th_failures != before) {
      failed++;
      fprintf(stderr, "FAIL %s\n", cases[i].name);
    } else {
      printf("ok   %s\n", cases[i].name);
    }
  }
  printf("%zu cases, %d failed\n", ran, failed);
  return failed ? 1 : 0;
}

void th_env_open_opts(th_env_t *env, cf_runtime_options_t opts) {
  int err = cf_virtual_driver_new(&env->drv, 0);
  CHECK_EQ(err, 0);
  opts.driver = env->drv;
  err = cf_runtime_new(&env->rt, &opts);
  CHECK_EQ(err, 0);
}

void th_env_open(th_env_t *env) {
  cf_runtime_options_t opts = {0};
  th_env_open_opts(env, opts);
}

void th_env_close(th_env_t *env) {
  cf_runtime_stats_t st;
  cf_runtime_stats(env->rt, &st);
  CHECK_EQ(st.live_tasks, 0);
  CHECK_EQ(st.live_wakers, 0);
  CHECK_EQ(st.live_timers, 0);
  CHECK_EQ(st.host_holds, 0);
  cf_runtime_free(env->rt);
  cf_virtual_driver_free(env->drv);
  env->rt = NULL;
  env->drv = NULL;
}

int64_t th_now(const th_env_t *env) {
  return cf_runtime_now(env->rt);
}

void th_log_clear(th_log_t *log) {
  log->len = 0;
  log->text[0] = 0;
}

void th_logf(th_log_t *log, const char *fmt, ...) {
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vsnprintf(log->text + log->len, sizeof log->text - log->len, fmt, ap);
  va_end(ap);
  if (n > 0)
    log->len += (size_t)n < sizeof log->text - log->len
                    ? (size_t)n
                    : sizeof log->text - log->len - 1;
}

long th_scaled(long n) {
  const char *env = getenv("CF_TEST_SCALE");
  long div = env ? strtol(env, NULL, 10) : 1;
  if (div > 1)
    n /= div;
  return n > 0 ? n : 1;
}

static cf_poll_t probe_poll(void *env, cf_context_t *cx, int *rc) {
  th_probe_t *p = env;
  if (p->done) { /* the protocol forbids this; count it */
    p->late_polls++;
    *rc = p->rc;
    return CF_READY;
  }
  p->polls++;
  if (p->on_poll)
    p->on_poll(p, cx);
  if (p->ready || (p->ready_at && p->polls >= p->ready_at)) {
    p->done = 1;
    cf_waker_drop(&p->waker);
    *rc = p->rc;
    return CF_READY;
  }
  cf_waker_register(&p->waker, cx->waker);
  if (p->self_wake)
    cf_waker_wake_by_ref(cx->waker);
  return CF_PENDING;
}

static void probe_drop(void *env) {
  th_probe_t *p = env;
  p->drops++;
  cf_waker_drop(&p->waker);
}

void th_probe_init(cf_poll_fn_t *f, th_probe_t *p) {
  cf_poll_fn_init(f, probe_poll, p, probe_drop);
}

void th_probe_wake(th_probe_t *p) {
  cf_waker_wake_by_ref(&p->waker);
}

void th_sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}
