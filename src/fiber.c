/* fiber.c: stackful fiber tasks on top of the public task API (see
 * include/cfuture/fiber.h). A fiber is a future (cf_fiber_t) whose poll
 * switches onto the fiber's stack and back; cf_fiber_spawn spawns it with
 * cf_spawn. The stacks and the switch are the platform's
 * (src/fiber_platform.h).
 *
 * Owns: each fiber's control block (allocated with the allocator hook) and,
 * through the platform, its stack; the thread's "current fiber".
 * Invariants:
 *   - a fiber runs only inside a poll or a drop of its future, entered from
 *     the thread's original stack or from another fiber's stack (an
 *     embedded cf_fiber_t awaited by a fiber); `current` is the innermost
 *     fiber the thread is on, and each fiber returns to whoever entered it;
 *   - ctl->cx is the poll context while the fiber runs inside a poll, NULL
 *     inside a drop (the fiber is then canceled and never polls anything);
 *   - once canceled, cf_await drops its future and returns CF_ECANCELED
 *     without leaving the fiber, so a drop needs one entry to unwind the
 *     fiber to its end (or to abandonment, after ctl->cancel_limit awaits);
 *   - the stack is freed as soon as fn returned (in the poll that saw it),
 *     or in the drop; co.awaiting is the future the fiber is suspended on.
 * Costs: an await that completes at once costs one poll; one that suspends
 * costs two platform switches plus a poll per wake. Init allocates the
 * control block and the stack.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fiber_platform.h"

#include "cfuture/alloc.h"
#include "cfuture/combine.h"
#include "cfuture/error.h"
#include "cfuture/fiber.h"
#include "cfuture/time.h"

enum fiber_state {
  F_NEW = 0,   /* stack ready, fn not started */
  F_RUNNING,   /* on the CPU (or on the chain of fibers entering others) */
  F_SUSPENDED, /* left inside cf_await */
  F_DONE,      /* fn returned */
  F_ABANDONED  /* ignored cancellation; left for good */
};

struct cf_fiber_ctl {
  const char *name;
  cf__fstack_t *stack;
  size_t reserved;       /* bytes the platform reserved for the stack */
  cf_fiber_t *fut;       /* the future, as of its latest poll or drop */
  cf_context_t *cx;      /* the poll in progress, or NULL */
  cf_fiber_ctl_t *outer; /* the fiber that entered this one, or NULL */
  int rc;
  uint32_t cancel_awaits, cancel_limit;
  uint8_t state;
  uint8_t canceled;
  uint8_t polling; /* inside cf_await's poll of a future */
};

static _Thread_local cf_fiber_ctl_t *current;
static _Thread_local cf_fiber_stats_t stats;

static void fatal(const cf_fiber_ctl_t *ctl, const char *what) {
  fprintf(stderr, "cfuture: fiber '%s' %s\n", ctl->name ? ctl->name : "fiber",
          what);
  fflush(stderr);
  abort();
}

static void ctl_free(cf_fiber_ctl_t *ctl) {
  cf__fstack_free(ctl->stack);
  stats.live--;
  stats.stack_bytes -= ctl->reserved;
  cf_free(ctl, sizeof *ctl);
}

/* Switch onto the fiber; returns when it suspends, finishes or is
 * abandoned. */
static void enter(cf_fiber_ctl_t *ctl) {
  cf_fiber_ctl_t *outer = current;
  int rc;
  ctl->outer = outer;
  ctl->state = F_RUNNING;
  current = ctl;
  stats.switches++;
  if (cf__fstack_enter(ctl->stack, outer ? outer->stack : NULL, &rc)) {
    ctl->rc = rc;
    ctl->state = F_DONE;
  }
  current = outer;
  if (!cf__fstack_intact(ctl->stack))
    fatal(ctl, "overflowed its stack (the canary at its limit was "
               "overwritten)");
}

/* ---- the fiber future ---- */

static cf_poll_t fiber_poll(cf_future_t *f, cf_context_t *cx) {
  cf_fiber_t *self = (cf_fiber_t *)f;
  cf_fiber_ctl_t *ctl = self->ctl;
  if (!ctl) {
    f->rc = self->init_rc ? self->init_rc : CF_EINVAL;
    return CF_READY;
  }
  if (ctl->state == F_RUNNING)
    fatal(ctl, "was polled from its own stack");
  ctl->fut = self;
  ctl->cx = cx;
  enter(ctl);
  ctl->cx = NULL;
  if (ctl->state == F_SUSPENDED)
    return CF_PENDING;
  /* F_DONE (an abandoned fiber was canceled, so it is never polled) */
  f->rc = ctl->rc;
  self->co.awaiting = NULL;
  self->ctl = NULL;
  ctl_free(ctl);
  return CF_READY;
}

static void fiber_drop(cf_future_t *f) {
  cf_fiber_t *self = (cf_fiber_t *)f;
  cf_fiber_ctl_t *ctl = self->ctl;
  if (!ctl)
    return;
  if (ctl->state == F_RUNNING)
    fatal(ctl, "was dropped from its own stack");
  ctl->fut = self;
  ctl->canceled = 1;
  ctl->cx = NULL;
  /* One entry unwinds it: every await returns at once from now on. */
  if (ctl->state == F_NEW || ctl->state == F_SUSPENDED)
    enter(ctl);
  self->co.awaiting = NULL;
  self->ctl = NULL;
  ctl_free(ctl);
}

static const cf_future_vtable_t fiber_vt = {"fiber", fiber_poll, fiber_drop,
                                            CF_VT_ASYNC};

static int init(cf_fiber_t *f, const cf__fentry_t *entry,
                const cf_fiber_options_t *opts) {
  static const cf_fiber_options_t defaults = {NULL, 0, 0, 0};
  cf_fiber_ctl_t *ctl;
  size_t stack_size, aux_size;
  int rc;
  if (!opts)
    opts = &defaults;
  memset(f, 0, sizeof *f);
  cf_async_init(&f->co, &fiber_vt);
  if (!entry->fn && !entry->call) {
    f->init_rc = CF_EINVAL;
    return CF_EINVAL;
  }
  if (current && current->canceled) {
    f->init_rc = CF_ECANCELED;
    return CF_ECANCELED;
  }
  stack_size = opts->stack_size ? opts->stack_size : CF_FIBER_STACK_DEFAULT;
  if (stack_size < CF_FIBER_STACK_MIN)
    stack_size = CF_FIBER_STACK_MIN;
  aux_size =
      opts->asyncify_size ? opts->asyncify_size : CF_FIBER_ASYNCIFY_DEFAULT;
  ctl = cf_malloc(sizeof *ctl);
  if (!ctl) {
    f->init_rc = CF_ENOMEM;
    return CF_ENOMEM;
  }
  memset(ctl, 0, sizeof *ctl);
  ctl->name = opts->name ? opts->name : "fiber";
  ctl->cancel_limit =
      opts->cancel_awaits ? opts->cancel_awaits : CF_FIBER_CANCEL_AWAITS;
  ctl->fut = f;
  rc = cf__fstack_new(&ctl->stack, stack_size, aux_size, ctl->name, entry,
                      &ctl->reserved);
  if (rc < 0) {
    cf_free(ctl, sizeof *ctl);
    f->init_rc = rc;
    return rc;
  }
  stats.live++;
  stats.created++;
  stats.stack_bytes += ctl->reserved;
  f->ctl = ctl;
  return 0;
}

int cf_fiber_init(cf_fiber_t *f, cf_fiber_fn fn, void *arg,
                  const cf_fiber_options_t *opts) {
  cf__fentry_t e = {fn, NULL, arg};
  return init(f, &e, opts);
}

int cf__fiber_init_call(cf_fiber_t *f, int (*fn)(struct cf_fiber_call *),
                        struct cf_fiber_call *call,
                        const cf_fiber_options_t *opts) {
  cf__fentry_t e = {NULL, fn, call};
  return init(f, &e, opts);
}

int cf_fiber_spawn(cf_runtime_t *rt, cf_fiber_fn fn, void *arg,
                   const cf_fiber_options_t *opts, cf_join_handle_t *handle) {
  cf_fiber_t f;
  int rc;
  if (!rt) {
    if (handle)
      cf_spawn(NULL, NULL, 0, NULL, handle); /* an inert handle */
    return CF_EINVAL;
  }
  rc = cf_fiber_init(&f, fn, arg, opts);
  if (rc == 0) {
    rc = cf_spawn(rt, &f.co.base, sizeof f, f.ctl->name, handle);
    if (rc < 0) { /* fn never ran: release without entering it */
      ctl_free(f.ctl);
      f.ctl = NULL;
    }
    return rc;
  }
  if (handle)
    cf_spawn(NULL, NULL, 0, NULL, handle);
  return rc;
}

/* ---- inside a fiber ---- */

static int canceled_await(cf_fiber_ctl_t *ctl, cf_future_t *fut) {
  cf_future_drop(fut);
  if (++ctl->cancel_awaits > ctl->cancel_limit) {
    fprintf(stderr,
            "cfuture: fiber '%s' ignored cancellation (%u awaits after "
            "CF_ECANCELED); abandoned without unwinding, what it holds "
            "leaks\n",
            ctl->name, (unsigned)ctl->cancel_limit);
    fflush(stderr);
    stats.abandoned++;
    ctl->state = F_ABANDONED;
    cf__fstack_exit(ctl->stack);
  }
  return CF_ECANCELED;
}

int cf_await(cf_future_t *fut) {
  cf_fiber_ctl_t *ctl = current;
  cf_poll_t r;
  /* Not on a fiber's own code: outside fibers, or from a poll function
   * that cf_await is running (a fiber cannot suspend inside a poll). */
  if (!ctl || ctl->polling)
    return CF_ENOTFIBER;
  if (!fut)
    return CF_EINVAL;
  if (ctl->canceled)
    return canceled_await(ctl, fut);
  ctl->fut->co.awaiting = fut;
  for (;;) {
    ctl->polling = 1;
    r = cf_future_poll(fut, ctl->cx);
    ctl->polling = 0;
    if (r == CF_READY) {
      ctl->fut->co.awaiting = NULL;
      return fut->rc;
    }
    ctl->state = F_SUSPENDED;
    cf__fstack_leave(ctl->stack);
    /* entered again: by a poll (ctl->cx set) or a drop (canceled) */
    if (ctl->canceled) {
      ctl->fut->co.awaiting = NULL;
      return canceled_await(ctl, fut);
    }
  }
}

int cf_fiber_sleep(int64_t ms) {
  cf_sleep_t s;
  int rc;
  if (!current)
    return CF_ENOTFIBER;
  cf_sleep_init(&s, ms);
  rc = cf_await(&s.base);
  cf_future_drop(&s.base);
  return rc;
}

int cf_fiber_yield(void) {
  cf_yield_t y;
  int rc;
  if (!current)
    return CF_ENOTFIBER;
  cf_yield_init(&y);
  rc = cf_await(&y.base);
  cf_future_drop(&y.base);
  return rc;
}

int cf_await_timeout(cf_future_t *fut, int64_t ms) {
  cf_timeout_t t;
  int rc;
  if (!current)
    return CF_ENOTFIBER;
  if (!fut)
    return CF_EINVAL;
  cf_timeout_init(&t, fut, ms);
  rc = cf_await(&t.base);
  cf_future_drop(&t.base);
  return rc;
}

int cf_await_any(cf_future_t *const *futs, size_t n, int *index) {
  cf_select_t s;
  size_t i;
  int rc;
  if (index)
    *index = -1;
  if (!current)
    return CF_ENOTFIBER;
  if (!futs || n == 0 || n > INT32_MAX)
    return CF_EINVAL;
  for (i = 0; i < n; i++)
    if (!futs[i])
      return CF_EINVAL;
  cf_select_init(&s, futs, n, CF_SELECT_FAIR);
  rc = cf_await(&s.base);
  if (index && !current->canceled)
    *index = cf_select_index(&s);
  cf_future_drop(&s.base);
  return rc;
}

int cf_await_all(cf_future_t *const *futs, size_t n) {
  cf_join_t j;
  int rc;
  if (!current)
    return CF_ENOTFIBER;
  if (!futs && n)
    return CF_EINVAL;
  cf_join_init(&j, futs, n);
  rc = cf_await(&j.base);
  cf_future_drop(&j.base);
  return rc;
}

int cf_in_fiber(void) {
  return current != NULL;
}

int cf_fiber_canceled(void) {
  return current && current->canceled;
}

cf_runtime_t *cf_fiber_runtime(void) {
  return current && current->cx ? current->cx->rt : NULL;
}

const char *cf_fiber_name(void) {
  return current ? current->name : NULL;
}

void cf_fiber_stats(cf_fiber_stats_t *out) {
  *out = stats;
}
