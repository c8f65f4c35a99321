/* test_thread_channel.c: the channel from any thread to a task
 * (cfuture/thread_channel.h). Many producer threads (blocking sends on a
 * small ring, and try_send spinning): every value delivered exactly once
 * and in each producer's order, the receiver woken through the driver's
 * notify (virtual-clock and POSIX drivers, cf_block_on parks meanwhile);
 * a blocking job streaming progress to a task beside its join handle;
 * the receiver dropped while producers send (they see CF_ECLOSED, nothing
 * leaks); the runtime freed with senders alive on other threads (sends
 * fail, blocked senders return, the last sender frees the block); the
 * runtime's own thread sending; argument errors, CF_EDEADLK and
 * CF_ENOTSUP. Runs under ThreadSanitizer, ASan and valgrind
 * (scripts/test-native.sh). Every wait on another thread is bounded. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>

#include "harness.h"

typedef struct item {
  uint32_t producer, seq;
} item_t;

#define MAX_PRODUCERS 8

/* ---- a producer thread ---- */

typedef struct producer {
  pthread_t tid;
  cf_thread_sender_t tx; /* its own: freed by the thread when done */
  uint32_t id, n;
  int use_try;     /* try_send in a loop instead of the blocking send */
  int keep_sender; /* do not free tx at the end (the test does) */
  atomic_int sent; /* sends that returned 0 */
  atomic_int rc;   /* the send error that stopped it, or 0 */
  atomic_int done;
} producer_t;

static void *producer_main(void *arg) {
  producer_t *p = arg;
  int rc = 0;
  for (uint32_t i = 0; i < p->n; i++) {
    item_t it = {p->id, i};
    if (p->use_try) {
      while ((rc = cf_thread_try_send(&p->tx, &it)) == CF_EAGAIN)
        sched_yield();
    } else {
      rc = cf_thread_send(&p->tx, &it);
    }
    if (rc < 0)
      break;
    atomic_fetch_add(&p->sent, 1);
  }
  atomic_store(&p->rc, rc);
  if (!p->keep_sender)
    cf_thread_sender_free(&p->tx);
  atomic_store(&p->done, 1);
  return NULL;
}

static void start_producers(producer_t *p, int n, const cf_thread_sender_t *tx,
                            uint32_t items, int use_try) {
  for (int i = 0; i < n; i++) {
    p[i].id = (uint32_t)i;
    p[i].n = items;
    p[i].use_try = use_try;
    p[i].keep_sender = 0;
    atomic_init(&p[i].sent, 0);
    atomic_init(&p[i].rc, 0);
    atomic_init(&p[i].done, 0);
    cf_thread_sender_clone(tx, &p[i].tx);
  }
  for (int i = 0; i < n; i++)
    CHECK_EQ(pthread_create(&p[i].tid, NULL, producer_main, &p[i]), 0);
}

static void join_producers(producer_t *p, int n) {
  for (int i = 0; i < n; i++)
    pthread_join(p[i].tid, NULL);
}

/* ---- the consumer: a future receiving until CF_ECLOSED ---- */

typedef struct consumer {
  cf_future_t base;
  cf_thread_receiver_t *rx;
  cf_thread_recv_t recv;
  int active;
  item_t it;
  uint32_t stop_after; /* 0: until closed; else ready after this many */
  uint32_t got, next[MAX_PRODUCERS];
  int out_of_order, unknown;
  uint32_t *tally; /* also counted here (a spawned copy is not c) */
} consumer_t;

static cf_poll_t consumer_poll(cf_future_t *f, cf_context_t *cx) {
  consumer_t *c = (consumer_t *)f;
  for (;;) {
    if (!c->active) {
      cf_thread_recv_init(&c->recv, c->rx, &c->it);
      c->active = 1;
    }
    if (cf_future_poll(&c->recv.base, cx) == CF_PENDING)
      return CF_PENDING;
    c->active = 0;
    cf_future_drop(&c->recv.base);
    if (c->recv.base.rc < 0) {
      f->rc = c->recv.base.rc;
      return CF_READY;
    }
    if (c->it.producer >= MAX_PRODUCERS)
      c->unknown++;
    else if (c->it.seq != c->next[c->it.producer]++)
      c->out_of_order++;
    if (c->tally)
      ++*c->tally;
    if (++c->got == c->stop_after) {
      f->rc = 0;
      return CF_READY;
    }
  }
}

static void consumer_drop(cf_future_t *f) {
  consumer_t *c = (consumer_t *)f;
  if (c->active)
    cf_future_drop(&c->recv.base);
  c->active = 0;
}

static const cf_future_vtable_t consumer_vt = {"consumer", consumer_poll,
                                               consumer_drop, 0};

static void consumer_init(consumer_t *c, cf_thread_receiver_t *rx) {
  memset(c, 0, sizeof *c);
  cf_future_init(&c->base, &consumer_vt);
  c->rx = rx;
}

/* ---- cases ---- */

static void run_producers(cf_runtime_t *rt, int n, uint32_t items,
                          size_t capacity, int use_try) {
  cf_thread_sender_t tx;
  cf_thread_receiver_t rx;
  producer_t p[MAX_PRODUCERS];
  consumer_t c;
  CHECK_EQ(cf_thread_channel_new(rt, sizeof(item_t), capacity, &tx, &rx), 0);
  start_producers(p, n, &tx, items, use_try);
  cf_thread_sender_free(&tx); /* the producers hold the only senders */
  consumer_init(&c, &rx);
  CHECK_EQ(cf_block_on(rt, &c.base), CF_ECLOSED); /* every sender gone */
  cf_future_drop(&c.base);
  join_producers(p, n);
  CHECK_EQ(c.got, (uint32_t)n * items);
  CHECK_EQ(c.out_of_order, 0);
  CHECK_EQ(c.unknown, 0);
  for (int i = 0; i < n; i++) {
    CHECK_EQ(c.next[i], items);
    CHECK_EQ(atomic_load(&p[i].rc), 0);
    CHECK_EQ(atomic_load(&p[i].sent), (int)items);
  }
  CHECK_EQ(cf_thread_channel_len(&rx), 0);
  cf_thread_receiver_free(&rx);
}

/* 4 producers, blocking sends into a ring of 8: backpressure on both
 * sides, the consumer parked on the virtual driver between wakes. */
static void many_producers_blocking_send(void) {
  th_env_t env;
  th_env_open(&env);
  run_producers(env.rt, 4, (uint32_t)th_scaled(20000), 8, 0);
  th_env_close(&env);
}

/* The same with try_send spinning (no sender ever blocks), on the POSIX
 * driver (park on a condition variable, notify signals it). */
static void many_producers_try_send_posix(void) {
  cf_runtime_t *rt;
  CHECK_EQ(cf_runtime_new(&rt, NULL), 0);
  run_producers(rt, MAX_PRODUCERS, (uint32_t)th_scaled(5000), 64, 1);
  cf_runtime_free(rt);
}

/* ---- a blocking job streaming progress ---- */

typedef struct progress_job {
  cf_thread_sender_t tx;
  int steps;
} progress_job_t;

static int progress_fn(void *arg, const cf_blocking_ctx_t *ctx) {
  progress_job_t *j = arg;
  int rc = 0;
  for (int i = 1; i <= j->steps && !cf_blocking_cancelled(ctx); i++) {
    item_t it = {0, (uint32_t)i};
    if ((rc = cf_thread_send(&j->tx, &it)) < 0)
      break;
  }
  cf_thread_sender_free(&j->tx); /* closes the stream: the task sees END */
  return rc < 0 ? rc : j->steps;
}

typedef struct watcher {
  cf_future_t base;
  cf_thread_stream_t st;
  cf_blocking_handle_t h;
  int stream_done, job_done, job_rc;
  uint32_t last, count, bad;
  item_t it;
} watcher_t;

static cf_poll_t watcher_poll(cf_future_t *f, cf_context_t *cx) {
  watcher_t *w = (watcher_t *)f;
  while (!w->stream_done) {
    int res;
    if (cf_stream_poll_next(&w->st.base, cx, &w->it, &res) == CF_PENDING)
      break;
    if (res != CF_STREAM_ITEM) {
      w->stream_done = 1;
      break;
    }
    if (w->it.seq != w->last + 1)
      w->bad++;
    w->last = w->it.seq;
    w->count++;
  }
  if (!w->job_done && cf_future_poll(&w->h.base, cx) == CF_READY) {
    w->job_done = 1;
    w->job_rc = w->h.base.rc;
  }
  return w->stream_done && w->job_done ? CF_READY : CF_PENDING;
}

static void watcher_drop(cf_future_t *f) {
  watcher_t *w = (watcher_t *)f;
  cf_stream_drop(&w->st.base);
  cf_future_drop(&w->h.base);
}

static const cf_future_vtable_t watcher_vt = {"watcher", watcher_poll,
                                              watcher_drop, 0};

static void blocking_job_streams_progress(void) {
  th_env_t env;
  cf_thread_sender_t tx;
  cf_thread_receiver_t rx;
  progress_job_t job;
  watcher_t w;
  int steps = (int)th_scaled(5000);
  th_env_open(&env);
  CHECK_EQ(cf_thread_channel_new(env.rt, sizeof(item_t), 4, &tx, &rx), 0);
  job.tx = tx; /* the job owns the one sender */
  job.steps = steps;
  memset(&w, 0, sizeof w);
  cf_future_init(&w.base, &watcher_vt);
  cf_thread_stream_init(&w.st, &rx);
  CHECK_EQ(cf_spawn_blocking(env.rt, progress_fn, &job, NULL, &w.h), 0);
  CHECK_EQ(cf_block_on(env.rt, &w.base), 0);
  CHECK_EQ(w.job_rc, steps);
  CHECK_EQ(w.count, (uint32_t)steps);
  CHECK_EQ(w.last, (uint32_t)steps);
  CHECK_EQ(w.bad, 0);
  cf_future_drop(&w.base);
  cf_thread_receiver_free(&rx);
  th_env_close(&env);
}

/* The receiver takes 100 items, then is freed while 4 producers keep
 * sending (some blocked on the full ring): all of them stop with
 * CF_ECLOSED, the last sender out frees the block through the runtime. */
static void receiver_dropped_while_sending(void) {
  th_env_t env;
  cf_thread_sender_t tx;
  cf_thread_receiver_t rx;
  producer_t p[4];
  consumer_t c;
  th_env_open(&env);
  CHECK_EQ(cf_thread_channel_new(env.rt, sizeof(item_t), 4, &tx, &rx), 0);
  start_producers(p, 4, &tx, 1u << 30, 0);
  cf_thread_sender_free(&tx);
  consumer_init(&c, &rx);
  c.stop_after = 100;
  CHECK_EQ(cf_block_on(env.rt, &c.base), 0);
  cf_future_drop(&c.base);
  CHECK_EQ(c.out_of_order, 0);
  cf_thread_receiver_free(&rx);
  join_producers(p, 4);
  for (int i = 0; i < 4; i++)
    CHECK_EQ(atomic_load(&p[i].rc), CF_ECLOSED);
  /* The last sender posted the block to the runtime, which frees it. */
  CHECK_EQ(cf_runtime_run_until_stalled(env.rt) >= 0, 1);
  th_env_close(&env);
}

/* cf_runtime_free while producers hold senders (two blocked on a full
 * ring, two keeping theirs after finishing): sends fail, blocked ones
 * return, the receiver freed after the runtime still works, and the last
 * sender (freed on its own thread) frees the block. No byte left. */
static void runtime_freed_with_senders_alive(void) {
  cf_driver_t *drv;
  cf_runtime_t *rt;
  cf_runtime_options_t o = {0};
  cf_thread_sender_t tx;
  cf_thread_receiver_t rx;
  producer_t p[4];
  item_t it = {9, 9};
  CHECK_EQ(cf_virtual_driver_new(&drv, 0), 0);
  o.driver = drv;
  CHECK_EQ(cf_runtime_new(&rt, &o), 0);
  CHECK_EQ(cf_thread_channel_new(rt, sizeof(item_t), 2, &tx, &rx), 0);
  start_producers(p, 2, &tx, 1u << 30, 0); /* fill the ring, then block */
  TH_WAIT_UNTIL(cf_thread_channel_len(&rx) == 2 &&
                atomic_load(&p[0].sent) + atomic_load(&p[1].sent) == 2);
  th_sleep_ms(5); /* let both reach the wait */
  cf_runtime_free(rt);
  join_producers(p, 2);
  CHECK_EQ(atomic_load(&p[0].rc), CF_ECLOSED);
  CHECK_EQ(atomic_load(&p[1].rc), CF_ECLOSED);
  CHECK_EQ(cf_thread_sender_is_closed(&tx), 1);
  CHECK_EQ(cf_thread_try_send(&tx, &it), CF_ECLOSED);
  CHECK_EQ(cf_thread_send(&tx, &it), CF_ECLOSED); /* closed: no wait */
  {
    item_t got;
    CHECK_EQ(cf_thread_try_recv(&rx, &got), 0); /* buffered items remain */
  }
  cf_thread_receiver_free(&rx);
  /* Now the main sender is the last handle but one: hand it to a thread
   * that frees it last. */
  p[2].keep_sender = 0;
  p[2].id = 2;
  p[2].n = 1;
  p[2].use_try = 1;
  atomic_init(&p[2].sent, 0);
  atomic_init(&p[2].rc, 0);
  atomic_init(&p[2].done, 0);
  p[2].tx = tx;
  tx.chan = NULL;
  CHECK_EQ(pthread_create(&p[2].tid, NULL, producer_main, &p[2]), 0);
  pthread_join(p[2].tid, NULL);
  CHECK_EQ(atomic_load(&p[2].rc), CF_ECLOSED);
  cf_virtual_driver_free(drv);
  CHECK_EQ(th_live_bytes(), 0);
}

static size_t live_tasks(cf_runtime_t *rt) {
  cf_runtime_stats_t st;
  cf_runtime_stats(rt, &st);
  return st.live_tasks;
}

/* The runtime's own thread may send (try_send): the wake goes through the
 * inbox like any other. Sends before the receiver waits post nothing. */
static void runtime_thread_sends(void) {
  th_env_t env;
  cf_thread_sender_t tx;
  cf_thread_receiver_t rx;
  consumer_t c;
  item_t it = {1, 0};
  uint32_t tally = 0;
  th_env_open(&env);
  CHECK_EQ(cf_thread_channel_new(env.rt, sizeof(item_t), 2, &tx, &rx), 0);
  CHECK_EQ(cf_thread_try_send(&tx, &it), 0);
  it.seq = 1;
  CHECK_EQ(cf_thread_try_send(&tx, &it), 0);
  CHECK_EQ(cf_thread_try_send(&tx, &it), CF_EAGAIN); /* full */
  CHECK_EQ(cf_thread_send(&tx, &it), CF_EDEADLK);    /* would wait on itself */
  consumer_init(&c, &rx);
  c.tally = &tally;
  CHECK_EQ(CF_SPAWN(env.rt, &c, "consumer", NULL), 0);
  CHECK(cf_runtime_run_until_stalled(env.rt) >= 1);
  CHECK_EQ(tally, 2);
  CHECK_EQ(cf_runtime_run_until_stalled(env.rt), 0); /* waiting, no post */
  it.seq = 2;
  CHECK_EQ(cf_thread_try_send(&tx, &it), 0); /* wakes the waiting task */
  CHECK(cf_runtime_run_until_stalled(env.rt) >= 1);
  CHECK_EQ(tally, 3);
  CHECK_EQ(live_tasks(env.rt), 1);
  cf_thread_sender_free(&tx); /* the task sees CF_ECLOSED and ends */
  CHECK(cf_runtime_run_until_stalled(env.rt) >= 1);
  CHECK_EQ(live_tasks(env.rt), 0);
  cf_thread_receiver_free(&rx);
  th_env_close(&env);
}

static void errors(void) {
  th_env_t env;
  cf_thread_sender_t tx, tx2;
  cf_thread_receiver_t rx;
  item_t it = {0, 0};
  th_env_open(&env);
  CHECK_EQ(cf_thread_channel_new(env.rt, 0, 4, &tx, &rx), CF_EINVAL);
  CHECK(tx.chan == NULL && rx.chan == NULL);
  CHECK_EQ(cf_thread_channel_new(env.rt, 8, 0, &tx, &rx), CF_EINVAL);
  CHECK_EQ(cf_thread_channel_new(env.rt, 1024, SIZE_MAX / 512, &tx, &rx),
           CF_EINVAL);
  CHECK_EQ(cf_thread_channel_new(NULL, 8, 4, &tx, &rx), CF_EINVAL);
  th_fail_after(0);
  CHECK_EQ(cf_thread_channel_new(env.rt, 8, 4, &tx, &rx), CF_ENOMEM);
  th_fail_after(-1);
  CHECK_EQ(cf_thread_try_send(&tx, &it), CF_EINVAL); /* cleared handle */
  CHECK_EQ(cf_thread_send(&tx, &it), CF_EINVAL);
  CHECK_EQ(cf_thread_try_recv(&rx, &it), CF_EINVAL);
  CHECK_EQ(cf_thread_sender_is_closed(&tx), 1);
  cf_thread_sender_free(&tx); /* no-ops */
  cf_thread_receiver_free(&rx);

  CHECK_EQ(cf_thread_channel_new(env.rt, sizeof it, 4, &tx, &rx), 0);
  cf_thread_sender_clone(&tx, &tx2);
  CHECK_EQ(cf_thread_try_recv(&rx, &it), CF_EAGAIN);
  CHECK_EQ(cf_thread_sender_is_closed(&tx), 0);
  cf_thread_sender_free(&tx);
  CHECK_EQ(cf_thread_try_recv(&rx, &it), CF_EAGAIN); /* tx2 still open */
  cf_thread_sender_free(&tx2);
  CHECK_EQ(cf_thread_try_recv(&rx, &it), CF_ECLOSED);
  cf_thread_receiver_free(&rx);
  CHECK(cf_runtime_run_until_stalled(env.rt) >= 0);

  CHECK_EQ(cf_thread_channel_new(env.rt, sizeof it, 4, &tx, &rx), 0);
  cf_thread_receiver_close(&rx);
  CHECK_EQ(cf_thread_sender_is_closed(&tx), 1);
  CHECK_EQ(cf_thread_try_send(&tx, &it), CF_ECLOSED);
  cf_thread_receiver_free(&rx);
  cf_thread_sender_free(&tx); /* last handle, on the runtime's thread */
  CHECK(cf_runtime_run_until_stalled(env.rt) >= 0); /* its post frees it */
  th_env_close(&env);
}

/* A driver without notify cannot be woken across threads. */
static void driver_without_notify(void) {
  static cf_driver_vtable_t vt;
  cf_driver_t *vdrv, drv;
  cf_runtime_t *rt;
  cf_runtime_options_t o = {0};
  cf_thread_sender_t tx;
  cf_thread_receiver_t rx;
  CHECK_EQ(cf_virtual_driver_new(&vdrv, 0), 0);
  vt = *vdrv->vt;
  vt.notify = NULL;
  drv.vt = &vt;
  drv.self = vdrv->self;
  o.driver = &drv;
  CHECK_EQ(cf_runtime_new(&rt, &o), 0);
  CHECK_EQ(cf_thread_channel_new(rt, 8, 4, &tx, &rx), CF_ENOTSUP);
  cf_runtime_free(rt);
  cf_virtual_driver_free(vdrv);
}

TH_MAIN(TH_CASE(many_producers_blocking_send),
        TH_CASE(many_producers_try_send_posix),
        TH_CASE(blocking_job_streams_progress),
        TH_CASE(receiver_dropped_while_sending),
        TH_CASE(runtime_freed_with_senders_alive),
        TH_CASE(runtime_thread_sends), TH_CASE(errors),
        TH_CASE(driver_without_notify))
