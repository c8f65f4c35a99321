/* cfuture/fiber.h: stackful fiber tasks. Plain C functions that await.
 *
 * A fiber runs an ordinary function `int fn(void *arg)` on a stack of its
 * own, so its locals, loops and calls of any depth survive an await.
 * Inside it, cf_await(fut) polls any cf_future_t and, while the future is
 * pending, switches back to the executor; the executor resumes the fiber
 * when the future's waker fires. A fiber is itself a future (cf_fiber_t):
 * cf_fiber_spawn spawns it as a normal task (join handle, abort, inspector
 * name and "awaits"), and a stackless coroutine can embed and CF_AWAIT a
 * cf_fiber_t like any other future. Both styles share one executor.
 *
 *   static int worker(void *arg) {
 *     int *count = arg;
 *     for (int i = 0; i < 3; i++) {
 *       if (cf_fiber_sleep(100) < 0)   // CF_ECANCELED once aborted
 *         return CF_ECANCELED;
 *       ++*count;
 *     }
 *     return 0;
 *   }
 *   cf_fiber_spawn(rt, worker, &count, NULL, &handle);
 *
 * Ownership of `arg`: once cf_fiber_spawn (or cf_fiber_init) returned 0,
 * `fn` runs exactly once, to its end, and owns `arg`: also when the task
 * is aborted before its first poll (fn then starts canceled: every await
 * returns CF_ECANCELED at once), so fn's own error paths are the one place
 * that frees what it was given. On error fn never runs and arg stays with
 * the caller.
 *
 * The await rule (the same as CF_AWAIT): the caller owns the futures it
 * passes to cf_await, initialises them before and drops them after, with
 * cf_future_drop, whatever cf_await returned (drop is idempotent). Futures
 * live on the fiber's stack, which does not move, so they are pinned.
 *
 * Cancellation unwinds. When the fiber's task is aborted (cf_task_abort,
 * dropping its join handle, cf_runtime_free with the fiber suspended, a
 * select or timeout that abandons an embedded cf_fiber_t), the fiber is
 * resumed at once, from inside the drop, with the fiber marked canceled:
 *   - the cf_await in progress drops its future (cancelling its work) and
 *     returns CF_ECANCELED; every later cf_await (and every convenience
 *     form) drops its future and returns CF_ECANCELED without suspending;
 *   - the function runs on through its own error paths to its return; its
 *     return value is ignored and the join handle reports CF_ECANCELED;
 *   - code running there must not wait for anything: there is nothing to
 *     wait with. cf_fiber_spawn from a canceled fiber fails (CF_ECANCELED).
 * A fiber that ignores cancellation and keeps awaiting is bounded: after
 * `cancel_awaits` awaits past cancellation (default
 * CF_FIBER_CANCEL_AWAITS) it is abandoned: its stack is released without
 * returning into it, whatever it holds leaks, one line naming the fiber
 * goes to stderr and cf_fiber_stats counts it. A fiber that loops without
 * awaiting at all cannot be stopped (nor can a stackless poll that never
 * returns): the executor is cooperative.
 *
 * Stacks. Natively each fiber gets an mmap'd stack (default
 * CF_FIBER_STACK_DEFAULT, 64 KiB) with a PROT_NONE guard page below it:
 * an overflow faults on the guard page and is reported as
 * "cfuture: fiber '<name>' overflowed its <n>-byte stack", then abort().
 * A canary word at the stack's limit is also checked at every switch, for
 * frames large enough to jump the guard page. On wasm (Asyncify, see
 * src/wasm/fiber_em.c) the C stack and the Asyncify buffer are allocated
 * with the allocator hook (defaults CF_FIBER_STACK_DEFAULT = 6 KiB and
 * CF_FIBER_ASYNCIFY_DEFAULT = 1 KiB: a parked fiber costs about 7.5 KiB);
 * the C stack holds only address-taken locals and arrays (futures, buffers)
 * and the Asyncify buffer the locals of the fiber's own instrumented frames
 * (about 130 bytes for a fiber awaiting in its function; deep recursion
 * needs more of both). The canary is checked at each switch and an
 * Asyncify buffer overflow is reported by name when the unwind ends
 * ("cfuture: fiber '<name>' overflowed its <n>-byte Asyncify buffer"),
 * then abort(). Only modules linked with
 * cfuture_add_fiber_module (wasm) pay for Asyncify; see docs/fibers.md.
 *
 * Threads: fibers belong to the thread that runs their runtime. A fiber is
 * resumed only from inside a poll of its future; cf_await runs only on a
 * fiber's stack.
 *
 * Costs: spawn = one small allocation for the fiber's control block, one
 * stack (mmap + mprotect natively, one allocation on wasm) and the task
 * block; each await that suspends costs two context switches (natively
 * swapcontext, which includes a sigprocmask system call each).
 */
#ifndef CFUTURE_FIBER_H
#define CFUTURE_FIBER_H

#include <stddef.h>
#include <stdint.h>

#include "async.h"
#include "future.h"
#include "runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifdef __EMSCRIPTEN__
#define CF_FIBER_STACK_DEFAULT ((size_t)6 * 1024)
#else
#define CF_FIBER_STACK_DEFAULT ((size_t)64 * 1024)
#endif
#define CF_FIBER_STACK_MIN ((size_t)4 * 1024)
#define CF_FIBER_ASYNCIFY_DEFAULT ((size_t)1024)
#define CF_FIBER_CANCEL_AWAITS 1000u

/* The function a fiber runs. Its return value (0 or a CF_E* code) becomes
 * the fiber future's rc (the task's outcome), unless it was canceled. */
typedef int (*cf_fiber_fn)(void *arg);

typedef struct cf_fiber_options {
  const char *name;       /* task name, inspector and overflow reports;
                             NULL: "fiber". Must outlive the fiber. */
  size_t stack_size;      /* bytes of C stack; 0: CF_FIBER_STACK_DEFAULT;
                             rounded up to pages natively, at least
                             CF_FIBER_STACK_MIN */
  size_t asyncify_size;   /* wasm: bytes of Asyncify buffer; 0: default.
                             Ignored natively. */
  uint32_t cancel_awaits; /* awaits allowed after cancellation before the
                             fiber is abandoned; 0: CF_FIBER_CANCEL_AWAITS */
} cf_fiber_options_t;

typedef struct cf_fiber_ctl cf_fiber_ctl_t;

/* The fiber future. `co.awaiting` is the future the fiber is suspended on
 * (the task inspector shows its name), NULL while it runs. */
typedef struct cf_fiber {
  cf_async_t co;
  cf_fiber_ctl_t *ctl; /* NULL once the fiber finished (or init failed) */
  int init_rc;         /* the error of a failed cf_fiber_init, else 0 */
} cf_fiber_t;

/* Initialise `f` as a fiber future running fn(arg); the stack is allocated
 * now. Nothing runs until `f` is polled. Drop it with cf_future_drop (an
 * unfinished fiber is resumed canceled and runs to its end, see above).
 * Returns 0, CF_EINVAL (fn NULL), CF_ENOMEM, or CF_ECANCELED when called
 * from a canceled fiber; on error `f` is an inert future that completes
 * with that code and fn never runs. */
int cf_fiber_init(cf_fiber_t *f, cf_fiber_fn fn, void *arg,
                  const cf_fiber_options_t *opts);

/* Spawn fn(arg) as a fiber task on `rt` (name from opts). `handle` (may be
 * NULL: detached) is its join handle: awaiting it yields fn's return value,
 * or CF_ECANCELED if the task was aborted. Errors: CF_EINVAL, CF_ENOMEM,
 * CF_ECANCELED (called from a canceled fiber); then fn never runs and
 * `handle` (if given) is an inert handle that completes with CF_EINVAL. */
int cf_fiber_spawn(cf_runtime_t *rt, cf_fiber_fn fn, void *arg,
                   const cf_fiber_options_t *opts, cf_join_handle_t *handle);

/* ---- inside a fiber ---------------------------------------------------- */

/* Await `fut` (initialised, not yet completed): poll it and suspend the
 * fiber while it is pending. Returns fut->rc once it is ready (its output
 * fields are then readable), CF_ECANCELED if the fiber was canceled (the
 * future has then been dropped), or CF_ENOTFIBER when not called from a
 * fiber's own code: outside fibers, or from inside a poll function that
 * cf_await is running (nothing is polled; the future is untouched).
 * Wasm: code that reaches cf_await through a function pointer must be
 * named in -sASYNCIFY_ADD (see docs/fibers.md). The caller
 * still drops `fut`. Wakes nothing itself; sets the fiber's "awaits". */
int cf_await(cf_future_t *fut);

/* Sleep `ms` milliseconds (runtime clock). 0, CF_ECANCELED, CF_ENOTFIBER. */
int cf_fiber_sleep(int64_t ms);

/* Let the executor run other tasks and the host its callbacks (a
 * cf_yield_now: the fiber resumes on a later turn). 0, CF_ECANCELED,
 * CF_ENOTFIBER. */
int cf_fiber_yield(void);

/* Await `fut` for at most `ms` milliseconds. Returns fut's rc, or
 * CF_ETIMEDOUT (fut has then been dropped, its work cancelled), or
 * CF_ECANCELED / CF_ENOTFIBER. The caller still drops `fut`. */
int cf_await_timeout(cf_future_t *fut, int64_t ms);

/* Await the first of `n` futures to complete: *index (may be NULL) gets
 * its position (or -1) and its rc is returned; the others are dropped
 * (their work cancelled). The caller still drops all of them. Fair: the
 * branch polled first rotates. Errors: CF_EINVAL (n == 0, a NULL entry),
 * CF_ENOMEM (n > CF_COMBINE_INLINE and no memory), CF_ECANCELED,
 * CF_ENOTFIBER. */
int cf_await_any(cf_future_t *const *futs, size_t n, int *index);

/* Await all `n` futures; returns 0 (each rc is in its future) or an error
 * of the join itself (CF_EINVAL, CF_ENOMEM, CF_ECANCELED, CF_ENOTFIBER). */
int cf_await_all(cf_future_t *const *futs, size_t n);

/* 1 if running on a fiber's stack. */
int cf_in_fiber(void);
/* 1 if the current fiber has been canceled (0 outside a fiber). */
int cf_fiber_canceled(void);
/* The runtime polling the current fiber (for spawning and its clock), or
 * NULL outside a fiber, while it unwinds after cancellation, or when a
 * user executor polls it. */
cf_runtime_t *cf_fiber_runtime(void);
/* Name of the current fiber, or NULL outside a fiber. */
const char *cf_fiber_name(void);

/* ---- statistics -------------------------------------------------------- */

typedef struct cf_fiber_stats {
  size_t live;        /* fibers with a stack (initialised, not freed) */
  size_t stack_bytes; /* bytes reserved for their stacks (+ guards or
                         Asyncify buffers) */
  uint64_t created;   /* fibers initialised since process start */
  uint64_t abandoned; /* fibers that ignored cancellation */
  uint64_t switches;  /* context switches into fibers */
} cf_fiber_stats_t;
/* Process-wide (this thread's) counters. */
void cf_fiber_stats(cf_fiber_stats_t *out);

/* Internal (CF_EXPORT_FIBER, src/wasm/fiber_export.c): like cf_fiber_init
 * with fn(call) as the fiber's function, called directly as its bottom
 * frame. */
struct cf_fiber_call;
int cf__fiber_init_call(cf_fiber_t *f, int (*fn)(struct cf_fiber_call *),
                        struct cf_fiber_call *call,
                        const cf_fiber_options_t *opts);

#ifdef __cplusplus
}
#endif
#endif
