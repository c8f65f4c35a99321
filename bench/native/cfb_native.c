/* cfb_native.c: the native cfuture benchmarks (one executable, one
 * workload per invocation), driven by bench/run.mjs.
 *
 *   cfb_native <workload> <n> <reps> [extra]
 *     w1      spawn+join n trivial tasks        ns/task, bytes/task
 *     w2      one task self-waking n times      ns per wake+poll
 *     timers  n sleeps inserted/cancelled       ns/insert, ns/cancel,
 *             (extra: churn ops at n pending)   ns per cancel+insert pair
 *     w6join  join of n gates, one opening per round trip (extra: rounds)
 *     w6sel   select over n branches (2..8), extra: repetitions
 *
 * Method: each invocation makes one warm-up run and then `reps` measured
 * runs, each on a fresh runtime (POSIX driver) driven by cf_block_on, and
 * prints one JSON object per measured run on stdout:
 *   {"workload":"w1","n":1000000,"metric":"ns_per_task","value":41.2}
 * The workloads themselves are in bench/common/cfb.h (shared with wasm);
 * they time only the part they measure, with CLOCK_MONOTONIC.
 */
#define _GNU_SOURCE 1

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cfb.h"

static void emit(const char *w, unsigned long n, const char *metric, double v) {
  printf("{\"workload\":\"%s\",\"n\":%lu,\"metric\":\"%s\",\"value\":%.4f}\n",
         w, n, metric, v);
}

static int run_one(const char *w, uint32_t n, uint32_t extra, int print) {
  cf_runtime_t *rt;
  int rc;
  if (cf_runtime_new(&rt, NULL) < 0)
    return -1;
  if (!strcmp(w, "w1")) {
    cfb_w1_t f;
    cfb_w1_init(&f, n);
    rc = cf_block_on(rt, &f.co.base);
    if (print && rc == 0) {
      emit(w, n, "ns_per_task", f.ns_per_task);
      emit(w, n, "bytes_per_task", f.bytes_per_task);
    }
    cf_future_drop(&f.co.base);
  } else if (!strcmp(w, "w2")) {
    cfb_w2_t f;
    cfb_w2_init(&f, n);
    rc = cf_block_on(rt, &f.co.base);
    if (print && rc == 0)
      emit(w, n, "ns_per_wake", f.ns_per_wake);
    cf_future_drop(&f.co.base);
  } else if (!strcmp(w, "timers")) {
    /* The timers workload does its work inside one task poll. */
    cfb_timers_t f;
    cf_join_handle_t h;
    cfb_timers_init(&f, n, extra, 1000);
    rc = CF_SPAWN(rt, &f, "timers", &h);
    if (rc == 0)
      rc = cf_block_on(rt, &h.base);
    if (print && rc == 0) {
      cfb_timers_t *out = (cfb_timers_t *)cf_join_handle_output(&h);
      emit(w, n, "ns_per_insert", out->insert_ns);
      emit(w, n, "ns_per_cancel", out->cancel_ns);
      emit(w, n, "ns_per_churn", out->churn_ns);
      emit(w, n, "bytes_per_timer", out->bytes_per_timer);
    }
    cf_future_drop(&h.base);
  } else if (!strcmp(w, "w6join")) {
    cfb_w6j_t f;
    cfb_w6j_init(&f, n, extra);
    rc = cf_block_on(rt, &f.co.base);
    if (print && rc == 0)
      emit(w, n, "ns_per_child", f.ns_per_child);
    cf_future_drop(&f.co.base);
  } else if (!strcmp(w, "w6sel")) {
    cfb_w6s_t f;
    cfb_w6s_init(&f, n, extra);
    rc = cf_block_on(rt, &f.co.base);
    if (print && rc == 0)
      emit(w, n, "ns_per_select", f.ns_per_select);
    cf_future_drop(&f.co.base);
  } else {
    fprintf(stderr, "unknown workload %s\n", w);
    rc = -1;
  }
  {
    cf_runtime_stats_t st;
    cf_runtime_stats(rt, &st);
    if (rc == 0 && (st.live_tasks || st.live_timers || st.live_wakers)) {
      fprintf(stderr, "%s: leaked tasks=%zu timers=%zu wakers=%zu\n", w,
              st.live_tasks, st.live_timers, st.live_wakers);
      rc = -1;
    }
  }
  cf_runtime_free(rt);
  if (rc != 0)
    fprintf(stderr, "%s: rc=%d (%s)\n", w, rc, cf_err_name(rc));
  return rc;
}

int main(int argc, char **argv) {
  uint32_t n, extra, reps, i;
  if (argc < 4) {
    fprintf(stderr, "usage: %s w1|w2|timers|w6join|w6sel n reps [extra]\n",
            argv[0]);
    return 2;
  }
  n = (uint32_t)strtoul(argv[2], NULL, 10);
  reps = (uint32_t)strtoul(argv[3], NULL, 10);
  extra = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 10) : 0;
  if (run_one(argv[1], n, extra, 0) != 0) /* warm-up */
    return 1;
  for (i = 0; i < reps; i++)
    if (run_one(argv[1], n, extra, 1) != 0)
      return 1;
  fflush(stdout);
  return 0;
}
