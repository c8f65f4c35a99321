/* cfuture/future.h: the future protocol, wakers and the poll context.
 *
 * A future is a struct whose first member is a cf_future_t. It is lazy:
 * nothing happens until it is polled. cf_future_poll(f, cx) returns
 * CF_PENDING or CF_READY; before returning CF_PENDING a future arranges for
 * cx->waker to be woken when it is worth polling again. Once ready, its
 * outcome is in f->rc (0 or a negative CF_E* code) and any output lives in
 * the concrete struct's own fields.
 *
 * Pinning: a future must not move after its first poll (its address may be
 * registered with timers, channels or host operations). cf_future_poll
 * records the address of the first poll and reports a later poll at another
 * address as misuse (rc = CF_EMOVED). Spawning copies an unpolled future.
 *
 * Misuse (polling after ready, polling a moved or dropped future) is
 * detected: the poll function is not called, cf_future_poll returns
 * CF_READY, and the misuse hook is called (default: one line on stderr).
 *
 * Drop: cf_future_drop releases what the future owns and cancels its work.
 * It is idempotent, and dropping an all-zero (never initialised) future is
 * a no-op. It must be called for every future that was
 * initialised, whether or not it was polled, unless ownership passed on
 * (spawn). After CF_READY a future has already released its transient
 * resources (timers, host operations); drop then frees only its output.
 *
 * Wakers are small values {vtable, data, tag}. Cloning, waking and dropping
 * a runtime task waker never allocates, and a waker that outlives its task
 * is a harmless no-op (the tag carries the task's id, checked against the
 * task block, which stays a task block while any waker may point at it).
 */
#ifndef CFUTURE_FUTURE_H
#define CFUTURE_FUTURE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum cf_poll { CF_PENDING = 0, CF_READY = 1 } cf_poll_t;

typedef struct cf_future cf_future_t;
typedef struct cf_context cf_context_t;
typedef struct cf_waker cf_waker_t;
typedef struct cf_runtime cf_runtime_t;
typedef struct cf_task cf_task_t;

/* ---- wakers ------------------------------------------------------------ */

typedef struct cf_waker_vtable {
  /* Return a new waker that wakes the same task. */
  cf_waker_t (*clone)(const cf_waker_t *w);
  /* Wake and consume `w` (the implementation drops it). */
  void (*wake)(cf_waker_t *w);
  /* Wake without consuming `w`. */
  void (*wake_by_ref)(const cf_waker_t *w);
  /* Release `w`. */
  void (*drop)(cf_waker_t *w);
} cf_waker_vtable_t;

struct cf_waker {
  const cf_waker_vtable_t *vt; /* NULL: the empty waker; every op no-ops */
  void *data;
  uint64_t tag;
};

#define CF_WAKER_NONE ((cf_waker_t){NULL, NULL, 0})

/* Build a waker from a user vtable (for user executors, as in the seeds'
 * block_on). The vtable must outlive every clone. */
static inline cf_waker_t cf_waker_from_raw(const cf_waker_vtable_t *vt,
                                           void *data, uint64_t tag) {
  cf_waker_t w;
  w.vt = vt;
  w.data = data;
  w.tag = tag;
  return w;
}

/* The runtime's task waker is called directly rather than through its
 * vtable: it is nearly every waker, and an indirect call costs on wasm. */
extern const cf_waker_vtable_t cf__task_waker_vt;
cf_waker_t cf__task_waker_clone(const cf_waker_t *w);
void cf__task_waker_drop(cf_waker_t *w);
void cf__task_wake(cf_waker_t *w);
void cf__task_wake_by_ref(const cf_waker_t *w);

static inline cf_waker_t cf_waker_clone(const cf_waker_t *w) {
  if (!w || !w->vt)
    return CF_WAKER_NONE;
  return w->vt == &cf__task_waker_vt ? cf__task_waker_clone(w)
                                     : w->vt->clone(w);
}
/* Wakes and consumes *w; *w is CF_WAKER_NONE afterwards. */
static inline void cf_waker_wake(cf_waker_t *w) {
  if (w && w->vt) {
    cf_waker_t tmp = *w;
    *w = CF_WAKER_NONE;
    if (tmp.vt == &cf__task_waker_vt)
      cf__task_wake(&tmp);
    else
      tmp.vt->wake(&tmp);
  }
}
static inline void cf_waker_wake_by_ref(const cf_waker_t *w) {
  if (w && w->vt) {
    if (w->vt == &cf__task_waker_vt)
      cf__task_wake_by_ref(w);
    else
      w->vt->wake_by_ref(w);
  }
}
/* Drops *w; *w is CF_WAKER_NONE afterwards. */
static inline void cf_waker_drop(cf_waker_t *w) {
  if (w && w->vt) {
    cf_waker_t tmp = *w;
    *w = CF_WAKER_NONE;
    if (tmp.vt == &cf__task_waker_vt)
      cf__task_waker_drop(&tmp);
    else
      tmp.vt->drop(&tmp);
  }
}
/* True if both wake the same task (so a stored clone need not be replaced). */
static inline int cf_waker_will_wake(const cf_waker_t *a, const cf_waker_t *b) {
  return a->vt == b->vt && a->data == b->data && a->tag == b->tag;
}
/* Store a clone of `w` in *slot unless *slot already wakes the same task
 * (the usual "register interest" step before returning CF_PENDING). */
static inline void cf_waker_register(cf_waker_t *slot, const cf_waker_t *w) {
  if (!cf_waker_will_wake(slot, w)) {
    cf_waker_drop(slot);
    *slot = cf_waker_clone(w);
  }
}

/* ---- context ------------------------------------------------------------ */

struct cf_context {
  const cf_waker_t *waker;
  cf_runtime_t *rt; /* NULL when polled by a user executor */
  cf_task_t *task;  /* the task being polled, or NULL */
  uint32_t *coop;   /* cooperative budget of this poll, or NULL (unlimited) */
};

/* Cooperative budget: leaf futures that can make progress indefinitely
 * (channel receives, ready streams) call this before doing work. It returns
 * 1 to proceed; 0 when the task has used its per-poll budget, in which case
 * the task has been woken and the caller must return CF_PENDING. */
static inline int cf_coop_proceed(cf_context_t *cx) {
  if (!cx->coop)
    return 1;
  if (*cx->coop == 0) {
    cf_waker_wake_by_ref(cx->waker);
    return 0;
  }
  --*cx->coop;
  return 1;
}

/* ---- futures ------------------------------------------------------------ */

enum {
  CF_VT_ASYNC = 1u << 0,         /* the future is a cf_async_t coroutine */
  CF_VT_REARMABLE = 1u << 1,     /* cf_future_rearm may reset it after READY */
  CF_VT_DONE_DROP_NOOP = 1u << 2 /* its drop after READY releases nothing,
                                    so cf_future_drop skips the call */
};

typedef struct cf_future_vtable {
  const char *name; /* for diagnostics and the task inspector */
  cf_poll_t (*poll)(cf_future_t *self, cf_context_t *cx);
  void (*drop)(cf_future_t *self); /* may be NULL */
  uint32_t flags;                  /* CF_VT_* */
} cf_future_vtable_t;

enum cf_future_state {
  CF_FUTURE_UNPOLLED = 0,
  CF_FUTURE_POLLED,
  CF_FUTURE_DONE,
  CF_FUTURE_DROPPED,
  CF_FUTURE_MOVED /* copied into a task by spawn; this copy is inert */
};

struct cf_future {
  const cf_future_vtable_t *vt;
  cf_future_t *pinned_at; /* address of the first poll */
  int32_t rc;             /* outcome once ready: 0 or a CF_E* code */
  uint8_t state;          /* enum cf_future_state */
};

static inline void cf_future_init(cf_future_t *f,
                                  const cf_future_vtable_t *vt) {
  f->vt = vt;
  f->pinned_at = NULL;
  f->rc = 0;
  f->state = CF_FUTURE_UNPOLLED;
}

/* Misuse reporting (see the header comment). */
typedef void (*cf_misuse_fn)(const cf_future_t *f, int err, void *ud);
void cf_set_misuse_hook(cf_misuse_fn fn, void *ud);
unsigned long cf_misuse_count(void);
cf_poll_t cf__future_misuse(cf_future_t *f, int err);

/* Poll `f` once. Returns CF_READY with f->rc set, or CF_PENDING. */
static inline cf_poll_t cf_future_poll(cf_future_t *f, cf_context_t *cx) {
  cf_poll_t r;
  if (f->pinned_at != f) {
    if (!f->vt)
      return cf__future_misuse(f, CF_EINVAL);
    if (f->state != CF_FUTURE_UNPOLLED)
      return cf__future_misuse(f, f->state == CF_FUTURE_POLLED ? CF_EMOVED
                                                               : CF_EPOLLED);
    f->pinned_at = f;
    f->state = CF_FUTURE_POLLED;
  } else if (f->state != CF_FUTURE_POLLED) {
    return cf__future_misuse(f, CF_EPOLLED);
  }
  r = f->vt->poll(f, cx);
  if (r == CF_READY)
    f->state = CF_FUTURE_DONE;
  return r;
}

/* Release what `f` owns and cancel its pending work. Idempotent; NULL ok.
 * Inline: every await in a loop drops the future it just finished. */
static inline void cf_future_drop(cf_future_t *f) {
  uint8_t was;
  if (!f || f->state == CF_FUTURE_DROPPED || f->state == CF_FUTURE_MOVED)
    return;
  was = f->state;
  f->state = CF_FUTURE_DROPPED;
  if (f->vt && f->vt->drop &&
      !(was == CF_FUTURE_DONE && (f->vt->flags & CF_VT_DONE_DROP_NOOP)))
    f->vt->drop(f);
}

/* True once `f` returned CF_READY (and was not dropped since). */
static inline int cf_future_is_done(const cf_future_t *f) {
  return f->state == CF_FUTURE_DONE;
}

/* Reset a CF_VT_REARMABLE future that returned CF_READY so it can be
 * polled for its next completion (select loops, intervals). Returns 0, or
 * CF_EINVAL if `f` is not rearmable or not done. */
int cf_future_rearm(cf_future_t *f);

/* The future a coroutine is currently awaiting (NULL if none or not a
 * coroutine); the task inspector follows this chain. */
const cf_future_t *cf_future_awaiting(const cf_future_t *f);

/* ---- ready-made futures ------------------------------------------------- */

/* Ready on first poll with rc. */
typedef struct cf_ready {
  cf_future_t base;
} cf_ready_t;
void cf_ready_init(cf_ready_t *f, int rc);

/* Never ready (until dropped). */
typedef struct cf_pending {
  cf_future_t base;
} cf_pending_t;
void cf_pending_init(cf_pending_t *f);

/* A future from a plain function and its captured environment: the closest
 * C gets to an async closure without the coroutine macros. `fn` is called on
 * every poll; it returns CF_READY after storing *rc, or CF_PENDING after
 * registering cx->waker. `drop` (may be NULL) releases `env`. */
typedef cf_poll_t (*cf_poll_fn_fn)(void *env, cf_context_t *cx, int *rc);
typedef struct cf_poll_fn {
  cf_future_t base;
  cf_poll_fn_fn fn;
  void (*drop)(void *env);
  void *env;
} cf_poll_fn_t;
void cf_poll_fn_init(cf_poll_fn_t *f, cf_poll_fn_fn fn, void *env,
                     void (*drop)(void *env));

#ifdef __cplusplus
}
#endif
#endif
