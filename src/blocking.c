/* blocking.c: the blocking pool (cfuture/blocking.h): jobs, the pool
 * threads, the runtime's cross-thread inbox and the join handle future.
 *
 * Owns: one cf__pool per runtime (rt->pool, created at the first spawn or
 * configure, freed with the runtime), its threads and every job spawned on
 * it until the job is finalized.
 *
 * Threads and locks: one mutex (pool->mu) guards the job queue, the inbox,
 * the thread slots and the counters that workers touch. Workers run fn
 * without it. Wakers, handles and the runtime are touched only on the
 * runtime's thread (spawn, poll, abort, drop, drain, shutdown); workers
 * only push finished jobs into the inbox and call the driver's notify,
 * which is thread-safe by contract. `inbox_flag` (atomic) lets the
 * runtime's thread skip the lock when the inbox is empty.
 *
 * Job states (under mu): QUEUED (in the queue) -> RUNNING (a worker has
 * it) -> FINISHED (in the inbox) -> DELIVERED (drained: rc is final; the
 * handle takes it on its next poll). QUEUED -> DELIVERED directly on abort
 * (rc CF_ECANCELED). A job is finalized (drop_arg called, memory freed,
 * in_flight decremented) exactly once: by the handle's poll or drop once
 * DELIVERED, by the drain when its handle was dropped (detached), by an
 * abort/drop while QUEUED, or by the runtime's shutdown.
 *
 * Thread lifetime: a worker that finds no job for keep_alive_ms exits; it
 * marks its slot EXITED and pokes the runtime, whose next drain joins it
 * (so every thread is joined; none is detached). When the last thread is
 * gone the platform may release its workers (wasm: terminate idle Web
 * Workers so Node can exit). Shutdown (cf_runtime_free) cancels queued
 * jobs, flags running ones cancelled and joins every thread: it waits for
 * running fns to return.
 *
 * Remotes (blocking_internal.h; the thread channel): objects on the
 * runtime's thread that other threads post to the same inbox. They are
 * run one at a time at the end of each drain and detached at shutdown
 * before anything else, so no thread posts to a pool that is going away.
 *
 * Costs: spawn O(1) + one lock (+ pthread_create when no idle thread and
 * the pool is below size); completion one lock + at most one notify per
 * batch; drain one atomic load when empty. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* clock_gettime (wasm builds) */
#endif
#include "cfuture/blocking.h"

#include "blocking_internal.h"
#include "cfuture/alloc.h"
#include "cfuture/error.h"

#if CF_HAVE_THREADS
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#ifdef __EMSCRIPTEN__
#include <emscripten/threading.h>
#endif
#endif

#define DEFAULT_KEEP_ALIVE_MS 2000
/* The runtime's thread, out of work with jobs in flight, spins up to
 * SPIN_WAIT_NS for a completion, and at most SPIN_TURN_NS in one turn
 * (the host gets the thread back at least that often): a short job's
 * result is then taken without a host wake-up (bench/README.md, W10). */
#define SPIN_WAIT_NS 50000
#define SPIN_TURN_NS 1000000
/* A pool thread out of work spins up to SPIN_WAIT_NS for the next job
 * before it sleeps (once per idle transition, one thread at a time): a job
 * submitted in that window starts without a thread wake-up. */
#define MAX_THREADS 256u

static cf_poll_t handle_poll(cf_future_t *f, cf_context_t *cx);
static void handle_drop(cf_future_t *f);
static const cf_future_vtable_t handle_vt = {"blocking", handle_poll,
                                             handle_drop, 0};

/* A handle that is ready at once with `rc` (errors, no-thread builds). */
static void handle_fail(cf_blocking_handle_t *h, int rc) {
  cf_future_init(&h->base, &handle_vt);
  h->job = NULL;
  h->base.rc = rc;
}

#if CF_HAVE_THREADS

enum job_state { J_QUEUED, J_RUNNING, J_FINISHED, J_DELIVERED };
enum slot_state { S_FREE, S_LIVE, S_EXITED };

struct cf_blocking_job {
  cf_blocking_job_t *next; /* queue or inbox link (under mu) */
  cf_blocking_fn fn;
  void *arg;
  void (*drop_arg)(void *arg);
  atomic_int cancel; /* read by fn through its ctx */
  int state;         /* enum job_state, under mu */
  int rc;
  /* runtime thread only */
  cf_runtime_t *rt;
  cf_blocking_handle_t *handle; /* NULL: detached (handle dropped) */
  cf_waker_t waker;
  int delivered; /* mirrors state == J_DELIVERED, without the lock */
};

/* The ctx a job's fn sees is the job itself. */
struct cf_blocking_ctx {
  cf_blocking_job_t job;
};

typedef struct slot {
  struct cf__pool *pool; /* immutable */
  pthread_t tid;
  int state;              /* enum slot_state */
  cf_blocking_job_t *job; /* the job its thread runs, or NULL */
} slot_t;

struct cf__pool {
  pthread_mutex_t mu;
  pthread_cond_t work_cv;
  cf_driver_t *driver; /* notify target; immutable */
  cf_blocking_job_t *q_head, *q_tail;
  cf_blocking_job_t *in_head, *in_tail; /* finished, not yet drained */
  cf__remote_t *r_head, *r_tail;        /* posted remotes, not yet run */
  atomic_int submits;    /* bumped by every submit: what a spinner watches */
  atomic_int inbox_flag; /* inbox non-empty, a remote posted or a thread
                            exited */
  slot_t *slots;         /* MAX_THREADS */
  uint32_t max_threads, threads, idle, queued, running, exited;
  uint32_t spinning; /* pool threads spinning for a job (at most 1) */
  int64_t keep_alive_ms;
  int shutdown;
  int orphaned; /* wasm: freed runtime left live threads; the last frees p */
  uint64_t threads_started;
  /* runtime thread only */
  cf__remote_t *live; /* registered remotes (blocking_internal.h) */
  uint32_t in_flight;
  uint64_t spawned, completed, removed;
};

uint32_t cf_blocking_available_cores(void) {
#ifdef __EMSCRIPTEN__
  int n = emscripten_num_logical_cores();
#else
  long n = sysconf(_SC_NPROCESSORS_ONLN);
#endif
  return n < 1 ? 1u : (uint32_t)n;
}

static uint32_t default_threads(void) {
  uint32_t n = cf_blocking_available_cores();
  return n > 1 ? n - 1 : 1;
}

#ifndef __EMSCRIPTEN__ /* wasm: src/wasm/threads.c, driver_js.c */
void cf__blocking_platform_idle(void) {}
void cf__blocking_platform_expect(cf_runtime_t *rt) {
  (void)rt;
}
#endif

static void notify(struct cf__pool *p) {
  p->driver->vt->notify(p->driver->self);
}

/* Deadline `ms` from now on CLOCK_REALTIME (what pthread_cond_timedwait
 * measures by default, and the only clock on every target). */
static struct timespec deadline_in(int64_t ms) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  ts.tv_sec += (time_t)(ms / 1000);
  ts.tv_nsec += (long)(ms % 1000) * 1000000L;
  if (ts.tv_nsec >= 1000000000L) {
    ts.tv_sec++;
    ts.tv_nsec -= 1000000000L;
  }
  return ts;
}

static void pool_destroy(struct cf__pool *p) {
  pthread_cond_destroy(&p->work_cv);
  pthread_mutex_destroy(&p->mu);
  cf_free(p->slots, MAX_THREADS * sizeof *p->slots);
  cf_free(p, sizeof *p);
}

/* The last thread of an orphaned pool (wasm, see cf__blocking_shutdown):
 * free it, then let the main thread release the idle Workers. */
static void pool_free_orphan(struct cf__pool *p) {
  pool_destroy(p);
#ifdef __EMSCRIPTEN__
  emscripten_async_run_in_main_runtime_thread(EM_FUNC_SIG_V,
                                              cf__blocking_platform_idle);
#endif
}

static int64_t mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Without mu: spin until *word differs from `value` (1) or `end` on
 * mono_ns() passes (0). The clock is read every 64 loads. */
static int spin_until_changed(atomic_int *word, int value, int64_t end) {
  for (;;) {
    for (int i = 0; i < 64; i++)
      if (atomic_load_explicit(word, memory_order_acquire) != value)
        return 1;
    if (mono_ns() >= end)
      return 0;
  }
}

/* A pool thread. Allocates nothing (the allocator hook need not be
 * thread-safe): its slot is its argument. */
static void *worker_main(void *varg) {
  slot_t *me = varg;
  struct cf__pool *p = me->pool;
  int spun = 0;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    cf_blocking_job_t *j;
    int timed_out = 0, poke;
    while (!p->q_head && !p->shutdown && !timed_out &&
           p->threads <= p->max_threads) {
      struct timespec ts;
      if (!spun && !p->spinning && p->keep_alive_ms > 0) {
        int seen = atomic_load_explicit(&p->submits, memory_order_relaxed);
        spun = 1;
        p->spinning++;
        pthread_mutex_unlock(&p->mu);
        spin_until_changed(&p->submits, seen, mono_ns() + SPIN_WAIT_NS);
        pthread_mutex_lock(&p->mu);
        p->spinning--;
        continue;
      }
      if (p->keep_alive_ms < 0)
        break; /* no keep-alive: leave at once */
      ts = deadline_in(p->keep_alive_ms);
      p->idle++;
      if (pthread_cond_timedwait(&p->work_cv, &p->mu, &ts) == ETIMEDOUT)
        timed_out = 1;
      p->idle--;
    }
    if (!p->q_head || p->threads > p->max_threads)
      break; /* shutdown, idle for keep_alive_ms, or the pool shrank */
    spun = 0;
    j = p->q_head;
    p->q_head = j->next;
    if (!p->q_head)
      p->q_tail = NULL;
    p->queued--;
    j->next = NULL;
    j->state = J_RUNNING;
    me->job = j;
    p->running++;
    pthread_mutex_unlock(&p->mu);

    j->rc = j->fn(j->arg, (const cf_blocking_ctx_t *)j);

    pthread_mutex_lock(&p->mu);
    j->state = J_FINISHED;
    me->job = NULL;
    p->running--;
    if (p->orphaned) { /* the runtime is gone: nobody takes the result */
      pthread_mutex_unlock(&p->mu);
      if (j->drop_arg)
        j->drop_arg(j->arg);
      cf_free(j, sizeof *j);
      pthread_mutex_lock(&p->mu);
      continue;
    }
    if (p->in_tail)
      p->in_tail->next = j;
    else
      p->in_head = j;
    p->in_tail = j;
    poke = !atomic_exchange(&p->inbox_flag, 1);
    if (poke) /* under mu: shutdown cannot free the driver meanwhile */
      notify(p);
  }
  /* Exit: the runtime's thread joins this slot at its next drain (or at
   * shutdown, which joins every slot that is not FREE). */
  p->threads--;
  me->state = S_EXITED;
  p->exited++;
  if (p->orphaned) {
    int last = p->threads == 0;
    pthread_mutex_unlock(&p->mu);
    if (last)
      pool_free_orphan(p);
    return NULL;
  }
  if (!p->shutdown && !atomic_exchange(&p->inbox_flag, 1))
    notify(p);
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

/* Under mu. Start one thread; 0 or CF_EAGAIN. */
static int start_thread(struct cf__pool *p) {
  uint32_t i;
  for (i = 0; i < MAX_THREADS && p->slots[i].state != S_FREE; i++)
    ;
  if (i == MAX_THREADS)
    return CF_EAGAIN; /* exited slots await their join */
  p->slots[i].job = NULL;
  if (pthread_create(&p->slots[i].tid, NULL, worker_main, &p->slots[i]) != 0)
    return CF_EAGAIN;
  p->slots[i].state = S_LIVE;
  p->threads++;
  p->threads_started++;
  return 0;
}

static int pool_get(cf_runtime_t *rt, struct cf__pool **out) {
  struct cf__pool *p = rt->pool;
  *out = NULL;
  if (cf__rt_closing(rt))
    return CF_ESHUTDOWN;
  if (!rt->driver->vt->notify)
    return CF_ENOTSUP;
  if (p) {
    *out = p;
    return 0;
  }
  p = cf_malloc(sizeof *p);
  if (!p)
    return CF_ENOMEM;
  *p = (struct cf__pool){0};
  p->slots = cf_malloc(MAX_THREADS * sizeof *p->slots);
  if (!p->slots) {
    cf_free(p, sizeof *p);
    return CF_ENOMEM;
  }
  for (uint32_t i = 0; i < MAX_THREADS; i++) {
    p->slots[i].pool = p;
    p->slots[i].state = S_FREE;
    p->slots[i].job = NULL;
  }
  if (pthread_mutex_init(&p->mu, NULL) != 0) {
    cf_free(p->slots, MAX_THREADS * sizeof *p->slots);
    cf_free(p, sizeof *p);
    return CF_ENOMEM;
  }
  if (pthread_cond_init(&p->work_cv, NULL) != 0) {
    pthread_mutex_destroy(&p->mu);
    cf_free(p->slots, MAX_THREADS * sizeof *p->slots);
    cf_free(p, sizeof *p);
    return CF_ENOMEM;
  }
  atomic_init(&p->inbox_flag, 0);
  atomic_init(&p->submits, 0);
  p->driver = rt->driver;
  p->max_threads = default_threads();
  p->keep_alive_ms = DEFAULT_KEEP_ALIVE_MS;
  rt->pool = p;
  *out = p;
  cf__blocking_platform_expect(rt);
  return 0;
}

/* Finalize a job (runtime thread): drop_arg, free, in_flight--. */
static void job_finalize(cf_runtime_t *rt, cf_blocking_job_t *j) {
  struct cf__pool *p = rt->pool;
  cf_waker_drop(&j->waker);
  if (j->drop_arg)
    j->drop_arg(j->arg);
  cf_free(j, sizeof *j);
  if (--p->in_flight == 0)
    cf_runtime_release(rt);
}

/* Join the slots whose threads exited. Called without mu held. */
static void join_exited(struct cf__pool *p) {
  pthread_t tids[16];
  uint32_t n, i, released;
  do {
    n = 0;
    pthread_mutex_lock(&p->mu);
    for (i = 0; i < MAX_THREADS && n < 16 && p->exited; i++)
      if (p->slots[i].state == S_EXITED) {
        tids[n++] = p->slots[i].tid;
        p->slots[i].state = S_FREE;
        p->exited--;
      }
    released = !p->threads && !p->exited && n;
    pthread_mutex_unlock(&p->mu);
    for (i = 0; i < n; i++)
      pthread_join(tids[i], NULL);
  } while (n == 16);
  if (released)
    cf__blocking_platform_idle();
}

/* Posted remotes, one at a time: each run may unregister (and free) any
 * remote, including ones still queued, so no local copy of the list is
 * kept. A remote posted again meanwhile runs again (each run follows a
 * post; posts need a poll on this thread to re-arm, so this ends). */
static void run_posted(struct cf__pool *p) {
  for (;;) {
    cf__remote_t *r;
    pthread_mutex_lock(&p->mu);
    r = p->r_head;
    if (r) {
      p->r_head = r->next;
      if (!p->r_head)
        p->r_tail = NULL;
      r->next = NULL;
      r->queued = 0;
    }
    pthread_mutex_unlock(&p->mu);
    if (!r)
      return;
    r->run(r);
  }
}

int cf__pool_register(cf_runtime_t *rt, cf__remote_t *r) {
  struct cf__pool *p;
  int err = pool_get(rt, &p);
  if (err < 0)
    return err;
  r->next = NULL;
  r->queued = 0;
  r->live_prev = NULL;
  r->live_next = p->live;
  if (p->live)
    p->live->live_prev = r;
  p->live = r;
  return 0;
}

void cf__pool_unregister(cf_runtime_t *rt, cf__remote_t *r) {
  struct cf__pool *p = rt->pool;
  if (r->live_prev)
    r->live_prev->live_next = r->live_next;
  else
    p->live = r->live_next;
  if (r->live_next)
    r->live_next->live_prev = r->live_prev;
  r->live_prev = r->live_next = NULL;
  pthread_mutex_lock(&p->mu);
  if (r->queued) {
    cf__remote_t **pp = &p->r_head, *prev = NULL;
    while (*pp != r) {
      prev = *pp;
      pp = &(*pp)->next;
    }
    *pp = r->next;
    if (p->r_tail == r)
      p->r_tail = prev;
    r->next = NULL;
    r->queued = 0;
  }
  pthread_mutex_unlock(&p->mu);
}

void cf__pool_post(struct cf__pool *p, cf__remote_t *r) {
  pthread_mutex_lock(&p->mu);
  if (!r->queued) {
    r->queued = 1;
    if (p->r_tail)
      p->r_tail->next = r;
    else
      p->r_head = r;
    p->r_tail = r;
    if (!atomic_exchange(&p->inbox_flag, 1))
      notify(p); /* under mu, as in worker_main */
  }
  pthread_mutex_unlock(&p->mu);
}

/* The runtime's thread takes what the workers finished. */
int cf__blocking_spin(cf_runtime_t *rt, int64_t *until) {
  struct cf__pool *p = rt->pool;
  int64_t now, end;
  if (!p->in_flight)
    return 0;
  now = mono_ns();
  if (!*until)
    *until = now + SPIN_TURN_NS;
  end = now + SPIN_WAIT_NS < *until ? now + SPIN_WAIT_NS : *until;
  return spin_until_changed(&p->inbox_flag, 0, end);
}

void cf__blocking_drain(cf_runtime_t *rt) {
  struct cf__pool *p = rt->pool;
  cf_blocking_job_t *j, *next;
  int exited;
  if (!atomic_load_explicit(&p->inbox_flag, memory_order_acquire))
    return;
  pthread_mutex_lock(&p->mu);
  atomic_store(&p->inbox_flag, 0);
  j = p->in_head;
  p->in_head = p->in_tail = NULL;
  for (next = j; next; next = next->next) {
    next->state = J_DELIVERED;
    next->delivered = 1;
  }
  exited = p->exited != 0;
  pthread_mutex_unlock(&p->mu);
  if (exited)
    join_exited(p);
  for (; j; j = next) {
    next = j->next;
    j->next = NULL;
    p->completed++;
    if (!j->handle)
      job_finalize(rt, j); /* detached: nobody takes the result */
    else
      cf_waker_wake(&j->waker);
  }
  run_posted(p);
}

int cf_spawn_blocking(cf_runtime_t *rt, cf_blocking_fn fn, void *arg,
                      const cf_blocking_options_t *opts,
                      cf_blocking_handle_t *h) {
  struct cf__pool *p;
  cf_blocking_job_t *j;
  int err, wake;
  if (!h)
    return CF_EINVAL;
  if (!fn || !rt) {
    handle_fail(h, CF_EINVAL);
    return CF_EINVAL;
  }
  err = pool_get(rt, &p);
  if (err < 0) {
    handle_fail(h, err);
    return err;
  }
  j = cf_malloc(sizeof *j);
  if (!j) {
    handle_fail(h, CF_ENOMEM);
    return CF_ENOMEM;
  }
  j->next = NULL;
  j->fn = fn;
  j->arg = arg;
  j->drop_arg = opts ? opts->drop_arg : NULL;
  atomic_init(&j->cancel, 0);
  j->state = J_QUEUED;
  j->rc = 0;
  j->rt = rt;
  j->handle = h;
  j->waker = CF_WAKER_NONE;
  j->delivered = 0;

  pthread_mutex_lock(&p->mu);
  if (p->queued + 1 > p->idle + p->spinning && p->threads < p->max_threads) {
    err = start_thread(p);
    if (err < 0 && p->threads == 0) {
      pthread_mutex_unlock(&p->mu);
      cf_free(j, sizeof *j);
      handle_fail(h, err);
      return err;
    }
  }
  if (p->q_tail)
    p->q_tail->next = j;
  else
    p->q_head = j;
  p->q_tail = j;
  p->queued++;
  atomic_fetch_add_explicit(&p->submits, 1, memory_order_relaxed);
  /* a spinning thread takes the first queued job without a wake-up */
  wake = p->idle != 0 && p->queued > p->spinning;
  pthread_mutex_unlock(&p->mu);
  /* After the unlock: a thread woken under the lock would wake up only to
   * wait for it again (two wake-ups instead of one). */
  if (wake)
    pthread_cond_signal(&p->work_cv);

  if (p->in_flight++ == 0)
    cf_runtime_hold(rt);
  p->spawned++;
  cf_future_init(&h->base, &handle_vt);
  h->job = j;
  return 0;
}

/* Under mu: unlink a QUEUED job from the queue. */
static void queue_remove(struct cf__pool *p, cf_blocking_job_t *j) {
  cf_blocking_job_t **pp = &p->q_head, *prev = NULL;
  while (*pp != j) {
    prev = *pp;
    pp = &(*pp)->next;
  }
  *pp = j->next;
  if (p->q_tail == j)
    p->q_tail = prev;
  p->queued--;
  j->next = NULL;
}

int cf_blocking_abort(cf_blocking_handle_t *h) {
  cf_blocking_job_t *j = h ? h->job : NULL;
  struct cf__pool *p;
  int removed = 0;
  if (!j)
    return CF_EINVAL;
  p = j->rt->pool;
  pthread_mutex_lock(&p->mu);
  if (j->state == J_QUEUED) {
    queue_remove(p, j);
    j->state = J_DELIVERED;
    j->delivered = 1;
    j->rc = CF_ECANCELED;
    removed = 1;
  } else if (j->state == J_RUNNING) {
    atomic_store(&j->cancel, 1);
  }
  pthread_mutex_unlock(&p->mu);
  if (removed) {
    p->removed++;
    /* drop_arg now, as documented; the handle keeps the job (state
     * DELIVERED) until it is polled or dropped. */
    if (j->drop_arg) {
      j->drop_arg(j->arg);
      j->drop_arg = NULL;
    }
    cf_waker_wake(&j->waker);
  }
  return removed;
}

static cf_poll_t handle_poll(cf_future_t *f, cf_context_t *cx) {
  cf_blocking_handle_t *h = (cf_blocking_handle_t *)f;
  cf_blocking_job_t *j = h->job;
  if (!j)
    return CF_READY; /* rc was set when it failed or was shut down */
  if (!j->delivered)
    cf__blocking_drain(j->rt); /* it may be in the inbox already */
  j->handle = h; /* where it is pinned now (it may have moved before) */
  if (j->delivered) {
    f->rc = j->rc;
    h->job = NULL;
    job_finalize(j->rt, j);
    return CF_READY;
  }
  cf_waker_register(&j->waker, cx->waker);
  return CF_PENDING;
}

static void handle_drop(cf_future_t *f) {
  cf_blocking_handle_t *h = (cf_blocking_handle_t *)f;
  cf_blocking_job_t *j = h->job;
  struct cf__pool *p;
  int finalize = 0;
  if (!j)
    return;
  h->job = NULL;
  p = j->rt->pool;
  pthread_mutex_lock(&p->mu);
  if (j->state == J_QUEUED) {
    queue_remove(p, j);
    j->state = J_DELIVERED;
    p->removed++;
    finalize = 1;
  } else if (j->state == J_DELIVERED) {
    finalize = 1;
  } else { /* running or in the inbox: the drain finalizes it */
    atomic_store(&j->cancel, 1);
    j->handle = NULL;
  }
  pthread_mutex_unlock(&p->mu);
  if (finalize)
    job_finalize(j->rt, j);
  else
    cf_waker_drop(&j->waker);
}

int cf_blocking_cancelled(const cf_blocking_ctx_t *ctx) {
  return ctx ? atomic_load_explicit(&((cf_blocking_ctx_t *)ctx)->job.cancel,
                                    memory_order_relaxed)
             : 0;
}

int cf_blocking_configure(cf_runtime_t *rt,
                          const cf_blocking_pool_options_t *o) {
  struct cf__pool *p;
  int err;
  if (!rt || !o || o->max_threads > MAX_THREADS)
    return CF_EINVAL;
  err = pool_get(rt, &p);
  if (err < 0)
    return err;
  pthread_mutex_lock(&p->mu);
  p->max_threads = o->max_threads ? o->max_threads : default_threads();
  p->keep_alive_ms =
      o->keep_alive_ms ? o->keep_alive_ms : DEFAULT_KEEP_ALIVE_MS;
  /* Enough threads for the queue under the new size; extra ones see
   * threads > max_threads when they wake and exit. */
  while (p->queued > p->idle && p->threads < p->max_threads &&
         start_thread(p) == 0)
    ;
  pthread_cond_broadcast(&p->work_cv);
  pthread_mutex_unlock(&p->mu);
  return 0;
}

void cf_blocking_stats(cf_runtime_t *rt, cf_blocking_stats_t *out) {
  struct cf__pool *p = rt ? rt->pool : NULL;
  *out = (cf_blocking_stats_t){0};
  if (!p)
    return;
  pthread_mutex_lock(&p->mu);
  out->max_threads = p->max_threads;
  out->threads = p->threads;
  out->idle = p->idle;
  out->queued = p->queued;
  out->running = p->running;
  out->threads_started = p->threads_started;
  pthread_mutex_unlock(&p->mu);
  out->in_flight = p->in_flight;
  out->spawned = p->spawned;
  out->completed = p->completed;
  out->removed = p->removed;
}

/* cf_runtime_free, after every task was aborted: cancel what is queued,
 * flag what runs, wait for the threads, finalize every job left. */
void cf__blocking_shutdown(cf_runtime_t *rt) {
  struct cf__pool *p = rt->pool;
  cf_blocking_job_t *queued, *j, *next;
  pthread_t tids[MAX_THREADS];
  uint32_t i, n, live;
  cf__remote_t *r, *rnext;
  /* Remotes first: once detached, no other thread posts to p; then the
   * posts not yet run are forgotten (the list may name freed remotes). */
  for (r = p->live, p->live = NULL; r; r = rnext) {
    rnext = r->live_next;
    r->live_prev = r->live_next = NULL;
    r->detach(r); /* may free r */
  }
  pthread_mutex_lock(&p->mu);
  p->r_head = p->r_tail = NULL;
  p->shutdown = 1;
  queued = p->q_head;
  p->q_head = p->q_tail = NULL;
  p->queued = 0;
  for (j = queued; j; j = j->next)
    j->state = J_DELIVERED;
  for (i = 0; i < MAX_THREADS; i++) /* running jobs see cancelled */
    if (p->slots[i].state == S_LIVE && p->slots[i].job)
      atomic_store(&p->slots[i].job->cancel, 1);
  pthread_cond_broadcast(&p->work_cv);
  pthread_mutex_unlock(&p->mu);
  for (j = queued; j; j = next) {
    next = j->next;
    j->next = NULL;
    p->removed++;
    if (j->handle) {
      j->handle->job = NULL;
      j->handle->base.rc = CF_ECANCELED;
    }
    job_finalize(rt, j);
  }
  /* Every thread started and not yet joined. Natively: join them all
   * (running fns return early, they see cancelled); then nothing else
   * touches the pool. wasm: the main thread must not wait for a Worker (one
   * that has not started yet needs this very event loop to load), so only
   * exited threads are joined; live ones are detached and the pool is
   * orphaned: their jobs are finalized on their own thread (drop_arg runs
   * there) and the last one out frees the pool. */
  pthread_mutex_lock(&p->mu);
  for (i = 0, n = 0; i < MAX_THREADS; i++) {
#ifdef __EMSCRIPTEN__
    if (p->slots[i].state == S_LIVE) {
      cf_blocking_job_t *rj = p->slots[i].job;
      if (rj && rj->handle) {
        rj->handle->job = NULL;
        rj->handle->base.rc = CF_ESHUTDOWN;
      }
      pthread_detach(p->slots[i].tid);
      continue;
    }
#endif
    if (p->slots[i].state != S_FREE)
      tids[n++] = p->slots[i].tid;
  }
  live = p->threads;
#ifdef __EMSCRIPTEN__
  p->orphaned = live != 0;
#endif
  pthread_mutex_unlock(&p->mu);
  for (i = 0; i < n; i++)
    pthread_join(tids[i], NULL);
  for (j = p->in_head; j; j = next) {
    next = j->next;
    p->completed++;
    if (j->handle) {
      j->handle->job = NULL;
      j->handle->base.rc = CF_ESHUTDOWN;
    }
    job_finalize(rt, j);
  }
  p->in_head = p->in_tail = NULL;
  rt->pool = NULL;
#ifdef __EMSCRIPTEN__
  if (live)
    return; /* the last live thread frees p */
#endif
  (void)live;
  p->exited = 0;
  pool_destroy(p);
  cf__blocking_platform_idle();
}

#else /* no threads in this build (wasm without -pthread) */

struct cf_blocking_ctx {
  int unused;
};

uint32_t cf_blocking_available_cores(void) {
  return 1;
}

int cf_spawn_blocking(cf_runtime_t *rt, cf_blocking_fn fn, void *arg,
                      const cf_blocking_options_t *opts,
                      cf_blocking_handle_t *h) {
  (void)rt;
  (void)fn;
  (void)arg;
  (void)opts;
  if (!h)
    return CF_EINVAL;
  handle_fail(h, CF_ENOTSUP);
  return CF_ENOTSUP;
}

int cf_blocking_abort(cf_blocking_handle_t *h) {
  (void)h;
  return CF_EINVAL;
}

static cf_poll_t handle_poll(cf_future_t *f, cf_context_t *cx) {
  (void)f;
  (void)cx;
  return CF_READY;
}

static void handle_drop(cf_future_t *f) {
  (void)f;
}

int cf_blocking_cancelled(const cf_blocking_ctx_t *ctx) {
  (void)ctx;
  return 0;
}

int cf_blocking_configure(cf_runtime_t *rt,
                          const cf_blocking_pool_options_t *o) {
  (void)rt;
  (void)o;
  return CF_ENOTSUP;
}

void cf_blocking_stats(cf_runtime_t *rt, cf_blocking_stats_t *out) {
  (void)rt;
  *out = (cf_blocking_stats_t){0};
}

void cf__blocking_drain(cf_runtime_t *rt) {
  (void)rt;
}

int cf__blocking_spin(cf_runtime_t *rt, int64_t *until) {
  (void)rt;
  (void)until;
  return 0;
}

void cf__blocking_shutdown(cf_runtime_t *rt) {
  (void)rt;
}

#endif
