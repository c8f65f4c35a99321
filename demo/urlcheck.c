/* demo/urlcheck.c: the URL checker of issue 10 in stackless style (the
 * same program as a fiber: demo/fiber/urlcheck.c, same export, same
 * output; web/examples.mjs shows both with their line counts).
 *
 *   await rt.call('urlcheck', base, timeoutMs, retries)
 *
 * Awaits one JS Promise (the host function "urlcheck_paths" resolves to a
 * JSON array of paths), then checks base+path for each with at most 4
 * requests in flight (4 worker tasks), a timeout per request and retries
 * on timeouts, network errors and 5xx; a collector task receives the
 * outcomes over an mpsc channel. Prints "<path> <status|timeout|error>"
 * per path in path order and resolves with the same lines as one text.
 * Aborting the call drops the main task, whose cleanup drops the workers'
 * join handles (aborting them and their fetches) and the collector.
 * Invariants: the job (paths, outcomes, channel) lives in the main task's
 * frame, which outlives the workers and the collector: its cleanup drops
 * their handles before it frees the channel. */
#include <stdio.h>
#include <string.h>

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
} job_t;

/* ---- a worker: check paths until none are left ---- */

typedef struct worker {
  cf_async_t co;
  job_t *j;
  int index, attempt, rc, status;
  char url[512];
  cf_fetch_t req;
  cf_timeout_t limit;
  outcome_t out;
  cf_mpsc_send_t send;
} worker_t;

static cf_poll_t worker_poll(cf_future_t *f, cf_context_t *cx) {
  worker_t *self = (worker_t *)f;
  job_t *j = self->j;
  (void)cx;
  CF_BEGIN(self);
  while (j->next < j->npaths) {
    self->index = j->next++;
    for (self->attempt = 0; self->attempt <= j->retries; self->attempt++) {
      snprintf(self->url, sizeof self->url, "%s%s", j->base,
               j->paths[self->index]);
      cf_fetch_init(&self->req, &(cf_fetch_request_t){.url = self->url});
      cf_timeout_init(&self->limit, &self->req.base, j->timeout_ms);
      CF_AWAIT(self, &self->limit);
      self->rc = self->limit.base.rc;
      self->status = self->rc == 0 ? self->req.status : 0;
      cf_future_drop(&self->limit.base);
      cf_future_drop(&self->req.base);
      if (self->rc == 0 && self->status < 500)
        break;
    }
    self->out.index = self->index;
    if (self->rc == 0)
      snprintf(self->out.what, sizeof self->out.what, "%d", self->status);
    else
      snprintf(self->out.what, sizeof self->out.what, "%s",
               self->rc == CF_ETIMEDOUT ? "timeout" : "error");
    cf_mpsc_send_init(&self->send, &j->tx, &self->out);
    CF_AWAIT_TRY(self, &self->send);
    cf_future_drop(&self->send.base);
  }
  CF_END(self, 0);
}
static void worker_cleanup(cf_future_t *f) {
  worker_t *self = (worker_t *)f;
  cf_future_drop(&self->limit.base);
  cf_future_drop(&self->req.base);
  cf_future_drop(&self->send.base);
}
CF_ASYNC_VTABLE(worker_vt, "urlcheck worker", worker_poll, worker_cleanup);

/* ---- the collector: outcomes from the channel into the job ---- */

typedef struct collector {
  cf_async_t co;
  job_t *j;
  outcome_t in;
  cf_mpsc_recv_t recv;
} collector_t;

static cf_poll_t collector_poll(cf_future_t *f, cf_context_t *cx) {
  collector_t *self = (collector_t *)f;
  (void)cx;
  CF_BEGIN(self);
  for (;;) {
    cf_mpsc_recv_init(&self->recv, &self->j->rx, &self->in);
    CF_AWAIT(self, &self->recv);
    if (self->recv.base.rc == CF_ECLOSED)
      break;
    if (self->recv.base.rc < 0)
      CF_RETURN(self, self->recv.base.rc);
    memcpy(self->j->what[self->in.index], self->in.what, sizeof self->in.what);
  }
  CF_END(self, 0);
}
static void collector_cleanup(cf_future_t *f) {
  cf_future_drop(&((collector_t *)f)->recv.base);
}
CF_ASYNC_VTABLE(collector_vt, "urlcheck collector", collector_poll,
                collector_cleanup);

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

/* ---- the call: paths from JS, workers + collector, the report ---- */

typedef struct urlcheck {
  cf_async_t co;
  job_t job;
  cf_promise_t list; /* the JS Promise */
  worker_t worker;   /* unpolled prototypes, moved into tasks by spawn */
  collector_t collector;
  cf_join_handle_t h[WORKERS + 1];
  cf_future_t *workers[WORKERS];
  cf_join_t all;
  int i, spawned, channel; /* channel: 1 open, 2 sender freed */
  char out[MAX_PATHS * 128];
} urlcheck_t;

static cf_poll_t urlcheck_poll(cf_future_t *f, cf_context_t *cx) {
  urlcheck_t *self = (urlcheck_t *)f;
  job_t *j = &self->job;
  int rc;
  CF_BEGIN(self);
  cf_js_call_init(&self->list, "urlcheck_paths", NULL, CF_JS_JSON);
  CF_AWAIT_TRY(self, &self->list);
  if (parse_paths(j, self->list.data) < 0)
    CF_RETURN(self, CF_EINVAL);
  if ((rc = cf_mpsc_new(sizeof(outcome_t), 4, &j->tx, &j->rx)) < 0)
    CF_RETURN(self, rc);
  self->channel = 1;
  for (self->i = 0; self->i <= WORKERS; self->i++) {
    if (self->i < WORKERS) {
      CF_ASYNC_INIT(&self->worker, &worker_vt);
      self->worker.j = j;
      rc =
          CF_SPAWN(cx->rt, &self->worker, "urlcheck worker", &self->h[self->i]);
    } else {
      CF_ASYNC_INIT(&self->collector, &collector_vt);
      self->collector.j = j;
      rc = CF_SPAWN(cx->rt, &self->collector, "urlcheck collector",
                    &self->h[self->i]);
    }
    if (rc < 0)
      CF_RETURN(self, rc); /* the cleanup aborts what was spawned */
    self->spawned++;
  }
  for (self->i = 0; self->i < WORKERS; self->i++)
    self->workers[self->i] = &self->h[self->i].base;
  cf_join_init(&self->all, self->workers, WORKERS);
  CF_AWAIT(self, &self->all);
  cf_mpsc_sender_free(&j->tx); /* closes the channel: the collector ends */
  self->channel = 2;
  CF_AWAIT_TRY(self, &self->h[WORKERS]);
  for (self->i = 0; self->i < j->npaths; self->i++) {
    size_t len = strlen(self->out);
    snprintf(self->out + len, sizeof self->out - len, "%s %s\n",
             j->paths[self->i], j->what[self->i]);
    demo_line("%s %s", j->paths[self->i], j->what[self->i]);
  }
  CF_END(self, 0);
}
static void urlcheck_cleanup(cf_future_t *f) {
  urlcheck_t *self = (urlcheck_t *)f;
  cf_future_drop(&self->all.base);
  for (int i = 0; i < self->spawned; i++)
    cf_future_drop(&self->h[i].base); /* aborts a task still running */
  if (self->channel == 1)
    cf_mpsc_sender_free(&self->job.tx);
  if (self->channel)
    cf_mpsc_receiver_free(&self->job.rx);
  cf_future_drop(&self->list.base);
}
CF_ASYNC_VTABLE(urlcheck_vt, "urlcheck", urlcheck_poll, urlcheck_cleanup);

static int urlcheck_init(cf_future_t *f, const cf_args_t *a) {
  urlcheck_t *self = (urlcheck_t *)f;
  CF_ASYNC_INIT(self, &urlcheck_vt);
  self->job.base = cf_args_string(a, 0, NULL);
  self->job.timeout_ms = (int)cf_args_number(a, 1);
  self->job.retries = (int)cf_args_number(a, 2);
  if (!self->job.base || self->job.timeout_ms <= 0 || self->job.retries < 0)
    return CF_EINVAL;
  return 0;
}
static void urlcheck_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_string(((const urlcheck_t *)f)->out);
}
CF_EXPORT_ASYNC(urlcheck_export, "urlcheck", urlcheck_t, urlcheck_init,
                urlcheck_result)
