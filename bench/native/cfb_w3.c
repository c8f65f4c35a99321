/* cfb_w3.c: W3 natively, channel ping-pong on cfuture (bench/run.mjs).
 *
 *   cfb_w3 pp|rr <n> <reps>
 *     pp  n round trips through two bounded(1) mpsc channels
 *     rr  n requests over a bounded(1) mpsc, replies through oneshots
 *
 * One warm-up run, then `reps` runs, each on a fresh runtime driven by
 * cf_block_on; one JSON line per run (ns_per_roundtrip). The workloads are
 * in bench/common/cfb_w3.h (shared with wasm). Built only once
 * include/cfuture/channel.h and its implementation exist; bench/run.mjs
 * reports W3 as missing when this target does not build.
 */
#define _GNU_SOURCE 1

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/cfb_w3.h"

static int run_one(const char *w, uint32_t n, int print) {
  cf_runtime_t *rt;
  int rc;
  double ns = 0;
  if (cf_runtime_new(&rt, NULL) < 0)
    return -1;
  if (!strcmp(w, "pp")) {
    cfb_w3pp_t f;
    cfb_w3pp_init(&f, n);
    rc = cf_block_on(rt, &f.co.base);
    ns = f.ns_per_roundtrip;
    cf_future_drop(&f.co.base);
  } else if (!strcmp(w, "rr")) {
    cfb_w3rr_t f;
    cfb_w3rr_init(&f, n);
    rc = cf_block_on(rt, &f.co.base);
    ns = f.ns_per_roundtrip;
    cf_future_drop(&f.co.base);
  } else {
    fprintf(stderr, "unknown workload %s\n", w);
    rc = -1;
  }
  cf_runtime_free(rt);
  if (rc != 0)
    fprintf(stderr, "w3 %s: rc=%d\n", w, rc);
  else if (print)
    printf("{\"workload\":\"w3%s\",\"n\":%lu,\"metric\":\"ns_per_roundtrip\","
           "\"value\":%.4f}\n",
           w, (unsigned long)n, ns);
  return rc;
}

int main(int argc, char **argv) {
  uint32_t n, reps, i;
  if (argc < 4) {
    fprintf(stderr, "usage: %s pp|rr n reps\n", argv[0]);
    return 2;
  }
  n = (uint32_t)strtoul(argv[2], NULL, 10);
  reps = (uint32_t)strtoul(argv[3], NULL, 10);
  if (run_one(argv[1], n, 0) != 0)
    return 1;
  for (i = 0; i < reps; i++)
    if (run_one(argv[1], n, 1) != 0)
      return 1;
  return 0;
}
