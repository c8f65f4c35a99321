/* t_thread_channel.c: the thread channel (cfuture/thread_channel.h) in the
 * threaded test module, for tests/node/threads.test.mjs:
 *   progress(steps, capacity, stop_after)
 *     a blocking job sends 1..steps into a channel of `capacity` (blocking
 *     sends: backpressure on the Worker) and returns steps; the task reads
 *     the channel as a stream and awaits the job's handle. stop_after > 0:
 *     the task frees the receiver after that many items, so the job's next
 *     send fails and it returns CF_ECLOSED. JSON {count, last, bad, job_rc}
 *     (bad: items out of order).
 * Test-only code. */
#include <stdio.h>

#include "../t_support.h"

typedef struct progress_job {
  cf_thread_sender_t tx;
  int steps;
} progress_job_t;

static int progress_fn(void *arg, const cf_blocking_ctx_t *ctx) {
  progress_job_t *j = arg;
  int rc = 0;
  for (int i = 1; i <= j->steps && !cf_blocking_cancelled(ctx); i++)
    if ((rc = cf_thread_send(&j->tx, &i)) < 0)
      break;
  cf_thread_sender_free(&j->tx); /* the stream ends */
  return rc < 0 ? rc : j->steps;
}

typedef struct progress {
  cf_future_t base;
  int started, spawned, stream_done, job_done, job_rc, item;
  int capacity, stop_after, count, last, bad;
  progress_job_t job;
  cf_thread_receiver_t rx;
  cf_thread_stream_t st;
  cf_blocking_handle_t h;
} progress_t;

static cf_poll_t progress_poll(cf_future_t *f, cf_context_t *cx) {
  progress_t *p = (progress_t *)f;
  if (!p->started) {
    int err = cf_thread_channel_new(cx->rt, sizeof(int), (size_t)p->capacity,
                                    &p->job.tx, &p->rx);
    p->started = 1; /* pinned from here: the stream points at rx */
    cf_thread_stream_init(&p->st, &p->rx);
    if (err < 0) {
      f->rc = err;
      return CF_READY;
    }
    err = cf_spawn_blocking(cx->rt, progress_fn, &p->job, NULL, &p->h);
    if (err < 0) {
      cf_thread_sender_free(&p->job.tx);
      f->rc = err;
      return CF_READY;
    }
    p->spawned = 1;
  }
  while (!p->stream_done) {
    int res;
    if (cf_stream_poll_next(&p->st.base, cx, &p->item, &res) == CF_PENDING)
      break;
    if (res != CF_STREAM_ITEM) {
      p->stream_done = 1;
      break;
    }
    if (p->item != p->last + 1)
      p->bad++;
    p->last = p->item;
    if (++p->count == p->stop_after) { /* drop the receiver mid-stream */
      cf_stream_drop(&p->st.base);
      cf_thread_receiver_free(&p->rx);
      p->stream_done = 1;
    }
  }
  if (!p->job_done && cf_future_poll(&p->h.base, cx) == CF_READY) {
    p->job_done = 1;
    p->job_rc = p->h.base.rc;
  }
  return p->stream_done && p->job_done ? CF_READY : CF_PENDING;
}

static void progress_drop(cf_future_t *f) {
  progress_t *p = (progress_t *)f;
  if (!p->started)
    return;
  cf_stream_drop(&p->st.base);
  if (p->spawned)
    cf_future_drop(&p->h.base);
  cf_thread_receiver_free(&p->rx);
}

static const cf_future_vtable_t progress_vt = {"progress", progress_poll,
                                               progress_drop, 0};

static int progress_init(cf_future_t *f, const cf_args_t *a) {
  progress_t *p = (progress_t *)f;
  cf_future_init(f, &progress_vt);
  p->started = p->spawned = p->stream_done = p->job_done = 0;
  p->job_rc = p->count = p->last = p->bad = 0;
  p->job.steps = (int)cf_args_number(a, 0);
  p->capacity = (int)cf_args_number(a, 1);
  p->stop_after = (int)cf_args_number(a, 2);
  p->rx.chan = NULL;
  p->job.tx.chan = NULL;
  return p->job.steps >= 0 && p->capacity >= 1 ? 0 : CF_EINVAL;
}

static char progress_json[128];
static void progress_result(const cf_future_t *f, cf_value_t *out) {
  const progress_t *p = (const progress_t *)f;
  snprintf(progress_json, sizeof progress_json,
           "{\"count\":%d,\"last\":%d,\"bad\":%d,\"job_rc\":%d}", p->count,
           p->last, p->bad, p->job_rc);
  *out = cf_value_json(progress_json);
}
CF_EXPORT_ASYNC(progress_export, "progress", progress_t, progress_init,
                progress_result)
