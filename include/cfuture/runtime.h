/* cfuture/runtime.h: the executor, tasks and join handles.
 *
 * Scheduling contract:
 *   - wake only enqueues, never polls inline; waking a queued, finished or
 *     freed task is a no-op. A task woken during its own poll runs again
 *     after that poll returns.
 *   - The run queue is FIFO. Spawned tasks first run on a later poll, never
 *     inside cf_spawn.
 *   - A turn polls until the queue is empty or its budget (polls and
 *     milliseconds) is spent, then asks the driver for another turn
 *     (CF_RUN_MACROTASK). Going from idle to runnable asks for
 *     CF_RUN_MICROTASK.
 *   - Each poll of a task gets a cooperative budget (cf_coop_proceed).
 *
 * Tasks: cf_spawn copies an unpolled future into the task's own block
 * (the C form of "a future may move until it is first polled"). Blocks
 * come from the runtime's slab (no allocation unless the slab must grow)
 * and return to the allocator when the runtime is idle with no task and
 * no waker left, or freed. The task's
 * join handle is itself a future: awaiting it yields the task's rc, and
 * cf_join_handle_output gives its output. Dropping a handle whose task is
 * still running aborts the task; cf_task_detach lets it run on unobserved.
 */
#ifndef CFUTURE_RUNTIME_H
#define CFUTURE_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "driver.h"
#include "future.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cf_runtime_options {
  const cf_driver_t *driver; /* NULL: the platform default (POSIX / JS) */
  uint32_t budget_polls;     /* task polls per turn; 0: default 4096 */
  int64_t budget_ms;         /* time slice per turn; 0: default 8 ms */
  uint32_t coop_budget;      /* cf_coop_proceed units per poll; 0: 128 */
} cf_runtime_options_t;

/* Create a runtime. Errors: CF_ENOMEM, CF_EINVAL (bad driver). */
int cf_runtime_new(cf_runtime_t **out, const cf_runtime_options_t *opts);

/* Abort every task (dropping their futures), release the timers and the
 * runtime. Wakers, join handles and join sets of the runtime must not be
 * used afterwards. NULL is a no-op.
 *
 * Re-entrant free (the JS binding's dispose() from inside a host
 * function, or a poll, drop or waker callback calling this): when called
 * while the runtime has one of its own frames on the stack (a turn,
 * run_until_stalled, block_on, a host completion, cf_task_abort,
 * cf_task_detach, dropping a join handle or a join set), the free is
 * deferred until the outermost of those frames unwinds; that frame frees
 * the runtime and returns without touching it again. Meanwhile the
 * runtime stays valid but closing:
 *   - cf_spawn and cf_join_set_spawn fail with CF_ESHUTDOWN (the future
 *     stays the caller's);
 *   - cf_runtime_turn, cf_runtime_run_until_stalled and cf_block_on return
 *     CF_ESHUTDOWN without polling anything;
 *   - the turn in progress polls no further task (the free aborts them);
 *     wakes, timers, holds, aborts and the inspector keep working;
 *   - a second cf_runtime_free is a no-op, as is one from a drop that the
 *     teardown itself runs.
 * The rule for callers: CF_ESHUTDOWN from cf_runtime_turn,
 * cf_runtime_run_until_stalled or cf_block_on means the runtime has been
 * freed (or will be when the outer frame unwinds): do not touch rt again.
 * cf_task_abort, cf_task_detach and handle / join set drops give no sign;
 * whoever freed the runtime from inside them knows. */
void cf_runtime_free(cf_runtime_t *rt);

/* One budgeted turn: fire due timers, then poll queued tasks. Drivers call
 * this when the runtime asked to run. Returns the number of polls, or
 * CF_EDEADLK when called from inside a poll, or CF_ESHUTDOWN when the
 * runtime was freed during the turn or is being freed (see above). */
int cf_runtime_turn(cf_runtime_t *rt);

/* Poll until no task is runnable (due timers fire, time does not advance
 * unless the driver's clock moves). Returns polls made, CF_EDEADLK or
 * CF_ESHUTDOWN (as cf_runtime_turn). */
int cf_runtime_run_until_stalled(cf_runtime_t *rt);

/* Drive `f` to completion on this thread: run tasks, fire timers and park
 * in the driver until the next deadline. Returns f->rc, or an error:
 * CF_EDEADLK when called from inside a poll (a nested block_on) or when
 * nothing can ever wake `f` (no runnable task, no timer, no host work);
 * CF_EINVAL when the driver cannot park (the JS event loop: spawn there);
 * CF_ESHUTDOWN when the runtime was freed while `f` ran (f has then been
 * dropped, as it may hold the runtime's wakers; rt is gone) or is being
 * freed. */
int cf_block_on(cf_runtime_t *rt, cf_future_t *f);

/* The runtime's clock in milliseconds (the driver's now). */
int64_t cf_runtime_now(const cf_runtime_t *rt);

/* Host work outstanding (a pending host operation holds one reference):
 * keeps the host alive (driver keepalive) while > 0. */
void cf_runtime_hold(cf_runtime_t *rt);
void cf_runtime_release(cf_runtime_t *rt);

typedef struct cf_runtime_stats {
  size_t live_tasks;   /* spawned and not yet freed */
  size_t queued_tasks; /* in the run queue */
  size_t live_wakers;  /* task wakers cloned and not yet dropped */
  size_t live_timers;  /* timers pending (wheel and far heap) */
  size_t host_holds;   /* cf_runtime_hold minus cf_runtime_release */
  uint64_t polls;      /* task polls since creation */
  uint64_t wakes;      /* wakes that enqueued a task */
  uint64_t turns;      /* cf_runtime_turn calls that polled something */
  uint64_t timer_arms; /* times the driver was asked to (re)arm its timer */
} cf_runtime_stats_t;
void cf_runtime_stats(const cf_runtime_t *rt, cf_runtime_stats_t *out);

/* ---- tasks ------------------------------------------------------------- */

typedef struct cf_join_handle {
  cf_future_t base;
  cf_task_t *task; /* NULL once released */
} cf_join_handle_t;

/* Spawn a copy of the `size`-byte unpolled future `f` as a task. The task
 * owns the copy; `f` is marked moved (dropping or polling it is a no-op /
 * misuse). `name` (may be NULL) must outlive the task. If `handle` is NULL
 * the task is detached. Errors: CF_ENOMEM or CF_ESHUTDOWN (the runtime is
 * being freed): f is untouched and still owned by the caller; CF_EINVAL
 * (f already polled or dropped, size too small). The copy is aligned for
 * any type whose size is `size` (sizeof is a multiple of _Alignof). */
int cf_spawn(cf_runtime_t *rt, cf_future_t *f, size_t size, const char *name,
             cf_join_handle_t *handle);
#define CF_SPAWN(rt, fut_ptr, name, handle)                                    \
  cf_spawn((rt), (cf_future_t *)(fut_ptr), sizeof(*(fut_ptr)), (name), (handle))

/* Abort the task: its future is dropped (now, or right after its current
 * poll if it aborts itself) and awaiting the handle yields CF_ECANCELED.
 * An abort requested during the poll in which the task completes wins: the
 * outcome is CF_ECANCELED (consistent with this call returning 0). A task
 * aborted while queued keeps its block until the queue reaches it.
 * Idempotent. Returns 0 if this call aborted it, CF_EAGAIN if it was already
 * aborted, CF_EINVAL if the task had already finished (its outcome stands)
 * or the handle was released. */
int cf_task_abort(cf_join_handle_t *h);

/* Release the handle; the task runs on to completion unobserved. */
void cf_task_detach(cf_join_handle_t *h);

/* The finished task's future copy (cast it to its type to read its output
 * fields), or NULL while it runs, after abort, or once released. Valid until
 * the handle is dropped. */
cf_future_t *cf_join_handle_output(const cf_join_handle_t *h);

/* Task id (unique per runtime, from 1) and name (may be NULL). */
uint64_t cf_task_id(const cf_join_handle_t *h);
const char *cf_task_name(const cf_join_handle_t *h);
int cf_task_is_finished(const cf_join_handle_t *h);
/* Id of the task being polled through `cx`, or 0. */
uint64_t cf_task_current_id(const cf_context_t *cx);

/* ---- yielding ---------------------------------------------------------- */

/* A future that is pending once and then ready. The task is queued behind
 * the host's macrotask queue: the current turn ends for it and it resumes
 * on the next turn, so host I/O callbacks run in between (outside a task,
 * e.g. under a user executor, it just wakes itself). Never fails (rc 0);
 * owns nothing, so dropping it is optional. */
typedef struct cf_yield {
  cf_future_t base;
  uint8_t yielded;
} cf_yield_t;
/* Initialise `y` in place. */
void cf_yield_init(cf_yield_t *y);
/* Rust's yield_now(): an unpolled yield future by value, to assign before
 * awaiting (it is not polled yet, so copying it is allowed):
 *   self->y = cf_yield_now();
 *   CF_AWAIT(self, &self->y);
 * A fiber writes cf_fiber_yield() (fiber.h). */
cf_yield_t cf_yield_now(void);

/* ---- inspector --------------------------------------------------------- */

typedef enum cf_task_state {
  CF_TASK_IDLE = 0, /* pending, waiting for a wake */
  CF_TASK_QUEUED,   /* in the run queue */
  CF_TASK_RUNNING,  /* being polled */
  CF_TASK_FINISHED, /* completed; output held for its handle */
  CF_TASK_CANCELED  /* aborted; handle not yet released */
} cf_task_state_t;

typedef struct cf_task_info {
  uint64_t id;
  const char *name; /* may be NULL */
  cf_task_state_t state;
  const char *awaits; /* name of the innermost awaited future, or NULL */
  uint64_t polls;
  uint64_t wakes;
  int64_t spawned_at; /* runtime clock at spawn */
  int rc;             /* outcome once finished */
} cf_task_info_t;
extern const char *const cf_task_state_names[];

/* Fill up to `cap` entries, sorted by id (oldest first); returns the number
 * of live tasks (which may exceed cap). O(n log n). */
size_t cf_runtime_tasks(const cf_runtime_t *rt, cf_task_info_t *out,
                        size_t cap);

#ifdef __cplusplus
}
#endif
#endif
