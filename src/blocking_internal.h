/* blocking_internal.h: what the blocking pool (blocking.c) lends to other
 * cross-thread primitives (sync/thread_channel.c): its inbox and notify.
 *
 * A "remote" is an object owned by the runtime's thread that other threads
 * may need to bring to that thread's attention. It registers with its
 * runtime's pool (on the runtime's thread); any thread may then post it,
 * which queues it in the pool's inbox (at most once until taken) and calls
 * the driver's notify. The runtime's thread runs remote->run for each
 * posted remote where the pool drains its inbox. When the runtime is freed
 * the pool calls remote->detach for every registered remote (on the
 * runtime's thread, without the pool's lock held): after that, posting is
 * forbidden, which the remote itself must ensure under its own lock.
 *
 * Lock order: a remote's own lock, then the pool's (post is called with
 * the remote's lock held). run and detach are called without the pool's
 * lock. */
#ifndef CF_BLOCKING_INTERNAL_H
#define CF_BLOCKING_INTERNAL_H

#include "runtime_internal.h"

/* Native builds have POSIX threads; wasm only with -pthread. */
#if !defined(__EMSCRIPTEN__) || defined(__EMSCRIPTEN_PTHREADS__)
#define CF_HAVE_THREADS 1
#else
#define CF_HAVE_THREADS 0
#endif

typedef struct cf__remote cf__remote_t;
struct cf__remote {
  cf__remote_t *next;                  /* inbox link (pool lock) */
  int queued;                          /* in the inbox (pool lock) */
  cf__remote_t *live_prev, *live_next; /* registered (runtime thread) */
  void (*run)(cf__remote_t *r);        /* runtime thread, after a post */
  void (*detach)(cf__remote_t *r);     /* runtime thread, runtime freed */
};

/* Runtime thread. The runtime's pool, created if needed (no thread is
 * started); then register r. 0, CF_ENOMEM, CF_ENOTSUP, CF_ESHUTDOWN. */
int cf__pool_register(cf_runtime_t *rt, cf__remote_t *r);
/* Runtime thread: forget r (also taken out of the inbox if queued; r->run
 * will not be called again). r may be freed afterwards. */
void cf__pool_unregister(cf_runtime_t *rt, cf__remote_t *r);
/* Any thread, r registered and not detached: queue r, notify. */
void cf__pool_post(struct cf__pool *p, cf__remote_t *r);

/* The pool of rt was just created: notifies may come from now on (wasm:
 * the JS driver arms its main-thread wait, src/wasm/driver_js.c; native:
 * nothing to do). Runtime thread. */
void cf__blocking_platform_expect(cf_runtime_t *rt);

#endif
