/* t_sched.c: scheduling exports: self-waking tasks (starvation), busy
 * tasks (responsiveness), many short tasks (leaks). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "t_support.h"

static int stop_wakers;
static double waker_polls;

/* A task that wakes itself on every poll until stop_wakers is set. */
typedef struct spinner {
  cf_async_t co;
} spinner_t;
static cf_poll_t spinner_poll(cf_future_t *f, cf_context_t *cx) {
  spinner_t *self = (spinner_t *)f;
  CF_BEGIN(self);
  while (!stop_wakers) {
    waker_polls++;
    CF_YIELD(self);
  }
  CF_END(self, 0);
}
CF_ASYNC_VTABLE(spinner_vt, "self_waker", spinner_poll, NULL);

/* A task that burns ~spin_us of CPU per poll until `until` (runtime ms). */
typedef struct burner {
  cf_async_t co;
  int64_t until;
  double spin_us;
} burner_t;
static cf_poll_t burner_poll(cf_future_t *f, cf_context_t *cx) {
  burner_t *self = (burner_t *)f;
  CF_BEGIN(self);
  while (cf_runtime_now(cx->rt) < self->until) {
    {
      volatile double x = 0;
      double i, iters = self->spin_us * 100;
      for (i = 0; i < iters; i++)
        x += i;
      (void)x;
    }
    CF_YIELD(self);
  }
  CF_END(self, 0);
}
CF_ASYNC_VTABLE(burner_vt, "busy", burner_poll, NULL);

/* A task that yields once and finishes. */
typedef struct brief {
  cf_async_t co;
} brief_t;
static cf_poll_t brief_poll(cf_future_t *f, cf_context_t *cx) {
  brief_t *self = (brief_t *)f;
  CF_BEGIN(self);
  CF_YIELD(self);
  CF_END(self, 0);
}
CF_ASYNC_VTABLE(brief_vt, "brief", brief_poll, NULL);

/* spawn(kind, n, arg1, arg2): kind 0 self-wakers (detached, returns at
 * once), 1 busy tasks for arg1 ms spinning arg2 us per poll, 2 brief
 * tasks. Kinds 1 and 2 resolve when all their tasks finished. */
typedef struct group {
  cf_async_t co;
  cf_join_set_t set;
  cf_join_next_t next;
  double kind, n, a1, a2, done;
} group_t;

static cf_poll_t group_poll(cf_future_t *f, cf_context_t *cx) {
  group_t *self = (group_t *)f;
  CF_BEGIN(self);
  {
    double i;
    int64_t now = cf_runtime_now(cx->rt);
    cf_join_set_init(&self->set, cx->rt);
    if (self->kind == 0)
      stop_wakers = 0;
    for (i = 0; i < self->n; i++) {
      int rc;
      if (self->kind == 0) {
        spinner_t s;
        cf_async_init(&s.co, &spinner_vt);
        rc = CF_SPAWN(cx->rt, &s, "self_waker", NULL);
      } else if (self->kind == 1) {
        burner_t b;
        cf_async_init(&b.co, &burner_vt);
        b.until = now + (int64_t)self->a1;
        b.spin_us = self->a2;
        rc = CF_JOIN_SET_SPAWN(&self->set, &b, "busy", NULL);
      } else {
        brief_t b;
        cf_async_init(&b.co, &brief_vt);
        rc = CF_JOIN_SET_SPAWN(&self->set, &b, "brief", NULL);
      }
      if (rc < 0)
        CF_RETURN(self, rc);
    }
  }
  for (;;) {
    cf_join_next_init(&self->next, &self->set);
    CF_AWAIT(self, &self->next);
    if (self->next.base.rc == CF_EEMPTY)
      break;
    self->done++;
    cf_future_drop(&self->next.handle.base);
    cf_future_drop(&self->next.base);
  }
  cf_future_drop(&self->next.base);
  cf_join_set_drop(&self->set);
  self->set.rt = NULL;
  CF_END(self, 0);
}
static void group_cleanup(cf_future_t *f) {
  group_t *self = (group_t *)f;
  cf_future_drop(&self->next.base);
  if (self->set.rt)
    cf_join_set_drop(&self->set);
}
CF_ASYNC_VTABLE(group_vt, "spawn_group", group_poll, group_cleanup);
static int group_init(cf_future_t *f, const cf_args_t *a) {
  group_t *self = (group_t *)f;
  cf_async_init(&self->co, &group_vt);
  self->kind = cf_args_number(a, 0);
  self->n = cf_args_number(a, 1);
  self->a1 = cf_args_number(a, 2);
  self->a2 = cf_args_number(a, 3);
  return isnan(self->n) ? CF_EINVAL : 0;
}
static void group_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_number(((const group_t *)f)->done);
}
CF_EXPORT_ASYNC(group_export, "spawn", group_t, group_init, group_result)

/* stop_wakers() -> polls the self-wakers made so far. */
typedef struct stopper {
  cf_future_t base;
  double polls;
} stopper_t;
static cf_poll_t stopper_poll(cf_future_t *f, cf_context_t *cx) {
  (void)cx;
  stop_wakers = 1;
  ((stopper_t *)f)->polls = waker_polls;
  f->rc = 0;
  return CF_READY;
}
static const cf_future_vtable_t stopper_vt = {"stop_wakers", stopper_poll, NULL,
                                              0};
static int stopper_init(cf_future_t *f, const cf_args_t *a) {
  (void)a;
  cf_future_init(f, &stopper_vt);
  return 0;
}
static void stopper_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_number(((const stopper_t *)f)->polls);
}
CF_EXPORT_ASYNC(stopper_export, "stop_wakers", stopper_t, stopper_init,
                stopper_result)
