/* harness.h: the native test harness: checks, a counting allocator with
 * failure injection, and a virtual-clock runtime that verifies on close
 * that no task, waker, timer, host hold or byte is left behind. */
#ifndef CF_TEST_HARNESS_H
#define CF_TEST_HARNESS_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cfuture.h"

extern int th_failures;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      th_failures++;                                                           \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

#define CHECK_EQ(a, b)                                                         \
  do {                                                                         \
    long long a_ = (long long)(a), b_ = (long long)(b);                        \
    if (a_ != b_) {                                                            \
      th_failures++;                                                           \
      fprintf(stderr, "%s:%d: CHECK_EQ failed: %s == %lld, %s == %lld\n",      \
              __FILE__, __LINE__, #a, a_, #b, b_);                             \
    }                                                                          \
  } while (0)

#define CHECK_STR(a, b)                                                        \
  do {                                                                         \
    const char *a_ = (a), *b_ = (b);                                           \
    if (strcmp(a_, b_) != 0) {                                                 \
      th_failures++;                                                           \
      fprintf(stderr,                                                          \
              "%s:%d: CHECK_STR failed:\n  got:  \"%s\"\n  want: \"%s\"\n",    \
              __FILE__, __LINE__, a_, b_);                                     \
    }                                                                          \
  } while (0)

typedef void (*th_test_fn)(void);
typedef struct th_case {
  const char *name;
  th_test_fn fn;
} th_case_t;

/* Run the cases (all, or those named in argv); print a summary; exit code. */
int th_run(const th_case_t *cases, size_t n, int argc, char **argv);
#define TH_MAIN(...)                                                           \
  int main(int argc, char **argv) {                                            \
    static const th_case_t cases_[] = {__VA_ARGS__};                           \
    return th_run(cases_, sizeof cases_ / sizeof cases_[0], argc, argv);       \
  }
#define TH_CASE(fn)                                                            \
  { #fn, fn }

/* Real time, for the tests that wait on other threads (the blocking pool,
 * the thread channel): sleep `ms` milliseconds. */
void th_sleep_ms(int ms);

/* Poll cond every ms for up to 10 s of real time; a failed check if it
 * never became true (every wait on another thread is bounded). */
#define TH_WAIT_UNTIL(cond)                                                    \
  do {                                                                         \
    int ok_ = 0;                                                               \
    for (int i_ = 0; i_ < 10000 && !ok_; i_++) {                               \
      if (cond)                                                                \
        ok_ = 1;                                                               \
      else                                                                     \
        th_sleep_ms(1);                                                        \
    }                                                                          \
    if (!ok_) {                                                                \
      th_failures++;                                                           \
      fprintf(stderr, "%s:%d: timed out waiting for %s\n", __FILE__, __LINE__, \
              #cond);                                                          \
    }                                                                          \
  } while (0)

/* Counting allocator (installed by th_run around every case). */
size_t th_live_bytes(void);
size_t th_live_blocks(void);
/* Make the allocation after `n` more successful ones fail (-1: never). */
void th_fail_after(long n);
unsigned long th_alloc_failures(void);

/* A runtime on the virtual clock, starting at t = 0. */
typedef struct th_env {
  cf_driver_t *drv;
  cf_runtime_t *rt;
} th_env_t;
void th_env_open(th_env_t *env);
void th_env_open_opts(th_env_t *env, cf_runtime_options_t opts);
/* Checks zero live tasks, wakers, timers and holds, then frees. */
void th_env_close(th_env_t *env);
int64_t th_now(const th_env_t *env);

/* Iteration count scaled down by the CF_TEST_SCALE divisor (valgrind runs
 * set it to keep the suite fast); never below 1. */
long th_scaled(long n);

/* A scriptable leaf future (a cf_poll_fn_t whose env is a th_probe_t that
 * outlives it): counts polls and drops, registers the waker it is given,
 * optionally wakes itself, becomes ready at a given poll, and calls a hook
 * from inside its poll (for reentrancy tests). A poll after ready is
 * recorded in `late_polls`, which must stay 0. */
typedef struct th_probe th_probe_t;
struct th_probe {
  int polls, drops, late_polls;
  int ready_at;  /* ready on this poll (1 = first); 0: never by itself */
  int rc;        /* outcome when ready */
  int self_wake; /* wake itself on every pending poll */
  int ready;     /* set to 1 to make the next poll ready */
  int done;
  cf_waker_t waker; /* clone of the last waker it was polled with */
  void (*on_poll)(th_probe_t *p, cf_context_t *cx);
  void *ud;
};
void th_probe_init(cf_poll_fn_t *f, th_probe_t *p);
/* Wake through the stored waker (no-op if none). */
void th_probe_wake(th_probe_t *p);

/* A log of lines, for ordering assertions. */
typedef struct th_log {
  char text[8192];
  size_t len;
} th_log_t;
void th_log_clear(th_log_t *log);
void th_logf(th_log_t *log, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
