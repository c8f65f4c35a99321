/* cfuture/async.h: async functions in C as stackless coroutines.
 *
 * An async function is a struct (its frame) whose first member is a
 * cf_async_t, plus a poll function written with the macros below. Every
 * value that must survive an await lives in the struct, including the
 * futures it awaits. Calling the "async function" means initialising the
 * struct: nothing runs until it is polled (awaited or spawned).
 *
 *   typedef struct {
 *     cf_async_t co;
 *     cf_sleep_t nap;          // the awaited future lives in the frame
 *     const char *who;         // a captured argument
 *   } greet_t;
 *
 *   static cf_poll_t greet_poll(cf_future_t *f, cf_context_t *cx) {
 *     greet_t *self = (greet_t *)f;
 *     CF_BEGIN(self);
 *     cf_sleep_init(&self->nap, 1000);
 *     CF_AWAIT(self, &self->nap);
 *     printf("hello, %s\n", self->who);
 *     CF_END(self, 0);
 *   }
 *   CF_ASYNC_VTABLE(greet_vt, "greet", greet_poll, NULL);
 *   void greet(greet_t *self, const char *who) {
 *     CF_ASYNC_INIT(self, &greet_vt);   // zeroes the frame first
 *     self->who = who;
 *   }
 *
 * Async closures are exactly this: the struct is the captured environment
 * and the init function is the call that produces the future. An async
 * block is the same with no arguments: a frame type next to the code that
 * initialises it with the variables it captures.
 *
 * Hazards (each is a property of switch-based coroutines):
 *   - Locals of the poll function do not survive CF_AWAIT / CF_YIELD: the
 *     function returns and is re-entered. Keep state in the frame.
 *   - Do not use CF_AWAIT / CF_YIELD inside a `switch` of your own: its
 *     case labels would belong to your switch. Use if/else there.
 *   - The poll function's context parameter must be named `cx`.
 *   - Init futures you await inside the body (after CF_BEGIN) when they
 *     hold pointers to siblings (join, select, timeout): the frame is
 *     pinned by then. A frame initialised before spawn is copied by spawn.
 *   - Cancellation: dropping the frame drops the future it is awaiting
 *     (CF_ASYNC_VTABLE's drop does this) and then calls your cleanup, which
 *     must release whatever else the frame owns. Drops are idempotent and
 *     a zeroed future is safe to drop, so with CF_ASYNC_INIT the cleanup
 *     can simply drop every child future of the frame.
 */
#ifndef CFUTURE_ASYNC_H
#define CFUTURE_ASYNC_H

#include <string.h>

#include "future.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cf_async {
  cf_future_t base;
  cf_future_t *awaiting; /* the child being awaited, or NULL */
  int resume;            /* resume point: 0 start, -1 finished */
} cf_async_t;

static inline void cf_async_init(cf_async_t *co, const cf_future_vtable_t *vt) {
  cf_future_init(&co->base, vt);
  co->awaiting = NULL;
  co->resume = 0;
}

/* Zero the whole frame `self` (a pointer to a struct whose first member is
 * `cf_async_t co`), then init its coroutine header. Zeroed futures are safe
 * to drop, so a cleanup may drop every child future of the frame whether or
 * not the body got as far as initialising it. Prefer this to
 * cf_async_init. */
#define CF_ASYNC_INIT(self, vtp)                                               \
  (memset((self), 0, sizeof *(self)), cf_async_init(&(self)->co, (vtp)))

/* Drop the child being awaited (used by CF_ASYNC_VTABLE's drop). */
void cf_async_drop_awaiting(cf_async_t *co);

/* Define `static const cf_future_vtable_t vtname` for a coroutine whose poll
 * function is `poll_fn` and whose extra cleanup is `cleanup_fn` (a
 * `void (*)(cf_future_t *)`, or NULL). */
#define CF_ASYNC_VTABLE(vtname, label, poll_fn, cleanup_fn)                    \
  static void vtname##_drop_(cf_future_t *f_) {                                \
    void (*cleanup_)(cf_future_t *) = (cleanup_fn);                            \
    cf_async_drop_awaiting((cf_async_t *)f_);                                  \
    if (cleanup_)                                                              \
      cleanup_(f_);                                                            \
  }                                                                            \
  static const cf_future_vtable_t vtname = {(label), (poll_fn),                \
                                            vtname##_drop_, CF_VT_ASYNC}

#define CF_BEGIN(self)                                                         \
  cf_async_t *const cf__co = &(self)->co;                                      \
  (void)cx; /* a body without awaits does not use it */                        \
  switch (cf__co->resume) {                                                    \
  case 0:

/* Await `fut` (a pointer to a future in the frame). Continues once it is
 * ready; its outcome is then in (fut)->rc / its output fields. The awaited
 * future is not dropped: drop it (or let the frame's cleanup drop it) when
 * its output is no longer needed. */
#define CF_AWAIT(self, fut) CF__AWAIT((fut), __COUNTER__ + 1)
#define CF__AWAIT(fut, n)                                                      \
  do {                                                                         \
    cf__co->awaiting = (cf_future_t *)(fut);                                   \
    cf__co->resume = (n);                                                      \
    /* fallthrough */                                                          \
  case (n):                                                                    \
    if (cf_future_poll(cf__co->awaiting, cx) == CF_PENDING)                    \
      return CF_PENDING;                                                       \
    cf__co->awaiting = NULL;                                                   \
  } while (0)

/* Await `fut` and return its error from this coroutine if it failed. */
#define CF_AWAIT_TRY(self, fut)                                                \
  do {                                                                         \
    CF_AWAIT(self, fut);                                                       \
    if (((cf_future_t *)(fut))->rc < 0)                                        \
      CF_RETURN(self, ((cf_future_t *)(fut))->rc);                             \
  } while (0)

/* Let other runnable tasks go first, then continue (same executor turn if
 * budget remains). For yielding to the host event loop use cf_yield_now. */
#define CF_YIELD(self) CF__YIELD(__COUNTER__ + 1)
#define CF__YIELD(n)                                                           \
  do {                                                                         \
    cf__co->resume = (n);                                                      \
    cf_waker_wake_by_ref(cx->waker);                                           \
    return CF_PENDING;                                                         \
  case (n):;                                                                   \
  } while (0)

/* Finish with outcome `rc` (0 or a CF_E* code). */
#define CF_RETURN(self, rc_)                                                   \
  do {                                                                         \
    cf__co->resume = -1;                                                       \
    cf__co->base.rc = (int32_t)(rc_);                                          \
    return CF_READY;                                                           \
  } while (0)

/* Close the body; falling off the end finishes with `rc_`. */
#define CF_END(self, rc_)                                                      \
  default:                                                                     \
    break;                                                                     \
    }                                                                          \
    cf__co->resume = -1;                                                       \
    cf__co->base.rc = (int32_t)(rc_);                                          \
    return CF_READY

#ifdef __cplusplus
}
#endif
#endif
