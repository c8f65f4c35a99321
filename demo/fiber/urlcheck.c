/* demo/fiber/urlcheck.c: the URL checker of issue 10 in fiber style (the
 * same program in stackless style: demo/urlcheck.c, same export, same
 * output; web/examples.mjs shows both with their line counts).
 *
 *   await rt.call('urlcheck', base, timeoutMs, retries)
 *
 * Awaits one JS Promise (the host function "urlcheck_paths" resolves to a
 * JSON array of paths), then checks base+path for each with at most 4
 * requests in flight (4 worker fibers), a timeout per request and retries
 * on timeouts, network errors and 5xx; a collector fiber receives the
 * outcomes over an mpsc channel. Prints "<path> <status|timeout|error>"
 * per path in path order and resolves with the same lines as one text.
 * Aborting the call (AbortSignal) unwinds every fiber: in-flight fetches
 * are dropped, which aborts them in JS.
 * Linked as a fiber module (fiber.cmake: cfuture_demo_fiber), outside the
 * demo/ glob so the stackless demo module stays Asyncify-free.
 * Invariants: one job lives on the export fiber's stack while its workers
 * and collector run (the export awaits them all, also when canceled). */
#include <stdio.h>
#include <string.h>

#include <cfuture/fiber_export.h>

#include "demo.h"

#define WORKERS 4
#define MAX_PATHS 64

typedef struct outcome {
  int index;
  char what[16];
} outcome_t;

typedef struct job {
  const char *base;
  char paths[MAX_PATHS][96];
  char what[MAX_PATHS][16];
  int npaths, next, timeout_ms, retries;
  cf_mpsc_sender_t tx;
  cf_mpsc_receiver_t rx;
  char out[MAX_PATHS * 128];
} job_t;

/* GET base+path with a timeout, retried; the outcome as text. */
static int check(job_t *j, const char *path, char *what, size_t cap) {
  int attempt, rc = 0, status = 0;
  for (attempt = 0; attempt <= j->retries; attempt++) {
    char url[512];
    cf_fetch_t req;
    snprintf(url, sizeof url, "%s%s", j->base, path);
    cf_fetch_init(&req, &(cf_fetch_request_t){.url = url});
    rc = cf_await_timeout(&req.base, j->timeout_ms);
    status = rc == 0 ? req.status : 0;
    cf_future_drop(&req.base);
    if (rc == CF_ECANCELED || (rc == 0 && status < 500))
      break;
  }
  if (rc == 0)
    snprintf(what, cap, "%d", status);
  else
    snprintf(what, cap, "%s", rc == CF_ETIMEDOUT ? "timeout" : "error");
  return rc == CF_ECANCELED ? rc : 0;
}

static int worker(void *arg) {
  job_t *j = arg;
  int rc = 0;
  while (rc == 0 && j->next < j->npaths) {
    outcome_t o = {.index = j->next++};
    cf_mpsc_send_t s;
    if ((rc = check(j, j->paths[o.index], o.what, sizeof o.what)) < 0)
      break;
    cf_mpsc_send_init(&s, &j->tx, &o);
    rc = cf_await(&s.base);
    cf_future_drop(&s.base);
  }
  return rc;
}

static int collector(void *arg) {
  job_t *j = arg;
  for (;;) {
    outcome_t o;
    cf_mpsc_recv_t r;
    int rc;
    cf_mpsc_recv_init(&r, &j->rx, &o);
    rc = cf_await(&r.base);
    cf_future_drop(&r.base);
    if (rc == CF_ECLOSED)
      return 0;
    if (rc < 0)
      return rc;
    memcpy(j->what[o.index], o.what, sizeof o.what);
  }
}

/* ["a","b"] -> paths; a small parser for a flat array of plain strings. */
static int parse_paths(job_t *j, const char *json) {
  const char *p = json ? strchr(json, '[') : NULL;
  if (!p)
    return CF_EINVAL;
  while ((p = strchr(p, '"')) != NULL && j->npaths < MAX_PATHS) {
    const char *e = strchr(p + 1, '"');
    size_t n;
    if (!e || (n = (size_t)(e - p - 1)) >= sizeof j->paths[0])
      return CF_EINVAL;
    memcpy(j->paths[j->npaths], p + 1, n);
    j->paths[j->npaths++][n] = 0;
    p = e + 1;
  }
  return 0;
}

static int urlcheck(cf_fiber_call_t *c) {
  static job_t job; /* one check at a time keeps the fiber stack small */
  job_t *j = &job;
  cf_runtime_t *rt = cf_fiber_runtime();
  cf_join_handle_t h[WORKERS + 1];
  cf_promise_t list; /* the JS Promise */
  int i, rc;
  memset(j, 0, sizeof *j);
  j->base = cf_args_string(c->args, 0, NULL);
  j->timeout_ms = (int)cf_args_number(c->args, 1);
  j->retries = (int)cf_args_number(c->args, 2);
  if (!j->base || j->timeout_ms <= 0 || j->retries < 0)
    return CF_EINVAL;
  cf_js_call_init(&list, "urlcheck_paths", NULL, CF_JS_JSON);
  rc = cf_await(&list.base);
  if (rc == 0)
    rc = parse_paths(j, list.data);
  cf_future_drop(&list.base);
  if (rc < 0)
    return rc;
  if ((rc = cf_mpsc_new(sizeof(outcome_t), 4, &j->tx, &j->rx)) < 0)
    return rc;
  for (i = 0; i < WORKERS + 1; i++)
    cf_fiber_spawn(rt, i < WORKERS ? worker : collector, j, NULL, &h[i]);
  for (i = 0; i < WORKERS; i++) /* canceled: drops abort the rest */
    cf_await(&h[i].base);
  cf_mpsc_sender_free(&j->tx); /* closes the channel: the collector ends */
  rc = cf_await(&h[WORKERS].base);
  for (i = 0; i < WORKERS + 1; i++)
    cf_future_drop(&h[i].base);
  cf_mpsc_receiver_free(&j->rx);
  if (rc < 0)
    return rc;
  for (i = 0; i < j->npaths; i++) {
    size_t len = strlen(j->out);
    snprintf(j->out + len, sizeof j->out - len, "%s %s\n", j->paths[i],
             j->what[i]);
    demo_line("%s %s", j->paths[i], j->what[i]);
  }
  return cf_fiber_call_return_text(c, j->out, strlen(j->out), 0);
}
CF_EXPORT_FIBER(urlcheck_export, "urlcheck", urlcheck, NULL)
