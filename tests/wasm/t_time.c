/* t_time.c: timer exports: equal-deadline ordering, many pending timers,
 * cancelled timers and aborted sleeping tasks. */
#include <stdio.h>
#include <string.h>

#include "t_support.h"

#define ORDER_MAX 64
static int order_log[ORDER_MAX];
static int order_len;

typedef struct sleeper {
  cf_async_t co;
  cf_sleep_t s;
  int64_t deadline;
  int idx;
} sleeper_t;

static cf_poll_t sleeper_poll(cf_future_t *f, cf_context_t *cx) {
  sleeper_t *self = (sleeper_t *)f;
  CF_BEGIN(self);
  cf_sleep_until_init(&self->s, self->deadline);
  CF_AWAIT(self, &self->s);
  if (self->idx >= 0 && order_len < ORDER_MAX)
    order_log[order_len++] = self->idx;
  CF_END(self, 0);
}
CF_ASYNC_VTABLE(sleeper_vt, "sleeper", sleeper_poll, NULL);

static void sleeper_init(sleeper_t *s, int64_t deadline, int idx) {
  memset(s, 0, sizeof *s);
  cf_async_init(&s->co, &sleeper_vt);
  s->deadline = deadline;
  s->idx = idx;
}

/* order(n, ms): n tasks sleep until the same deadline; returns the order
 * in which they woke (JSON array). */
typedef struct order {
  cf_async_t co;
  cf_join_set_t set;
  cf_join_next_t next;
  int n, i;
  double ms;
  char out[ORDER_MAX * 4 + 8];
} order_t;

static cf_poll_t order_poll(cf_future_t *f, cf_context_t *cx) {
  order_t *self = (order_t *)f;
  CF_BEGIN(self);
  {
    int64_t deadline = cf_runtime_now(cx->rt) + (int64_t)self->ms;
    order_len = 0;
    cf_join_set_init(&self->set, cx->rt);
    for (self->i = 0; self->i < self->n; self->i++) {
      sleeper_t s;
      sleeper_init(&s, deadline, self->i);
      if (CF_JOIN_SET_SPAWN(&self->set, &s, "sleeper", NULL) < 0)
        CF_RETURN(self, CF_ENOMEM);
    }
  }
  for (;;) {
    cf_join_next_init(&self->next, &self->set);
    CF_AWAIT(self, &self->next);
    if (self->next.base.rc == CF_EEMPTY)
      break;
    cf_future_drop(&self->next.handle.base);
    cf_future_drop(&self->next.base);
  }
  cf_future_drop(&self->next.base);
  strcpy(self->out, "[");
  for (self->i = 0; self->i < order_len; self->i++)
    snprintf(self->out + strlen(self->out),
             sizeof self->out - strlen(self->out), "%s%d", self->i ? "," : "",
             order_log[self->i]);
  strcat(self->out, "]");
  CF_END(self, 0);
}
static void order_cleanup(cf_future_t *f) {
  order_t *self = (order_t *)f;
  cf_future_drop(&self->next.base);
  if (self->set.rt)
    cf_join_set_drop(&self->set);
}
CF_ASYNC_VTABLE(order_vt, "order", order_poll, order_cleanup);
static int order_init(cf_future_t *f, const cf_args_t *a) {
  order_t *self = (order_t *)f;
  cf_async_init(&self->co, &order_vt);
  self->n = (int)cf_args_number(a, 0);
  self->ms = cf_args_number(a, 1);
  return self->n > 0 && self->n <= ORDER_MAX ? 0 : CF_EINVAL;
}
static void order_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_json(((const order_t *)f)->out);
}
CF_EXPORT_ASYNC(order_export, "order", order_t, order_init, order_result)

/* spawn_sleepers(n, ms, spread): n detached tasks sleeping ms + i % spread. */
typedef struct spawner {
  cf_async_t co;
  double n, ms, spread;
  double spawned;
} spawner_t;

static cf_poll_t spawner_poll(cf_future_t *f, cf_context_t *cx) {
  spawner_t *self = (spawner_t *)f;
  int64_t now = cf_runtime_now(cx->rt), i;
  int64_t spread = self->spread >= 1 ? (int64_t)self->spread : 1;
  for (i = 0; i < (int64_t)self->n; i++) {
    sleeper_t s;
    sleeper_init(&s, now + (int64_t)self->ms + i % spread, -1);
    if (CF_SPAWN(cx->rt, &s, "sleeper", NULL) < 0)
      break;
  }
  self->spawned = (double)i;
  self->co.base.rc = 0;
  return CF_READY;
}
static const cf_future_vtable_t spawner_vt = {"spawn_sleepers", spawner_poll,
                                              NULL, 0};
static int spawner_init(cf_future_t *f, const cf_args_t *a) {
  spawner_t *self = (spawner_t *)f;
  cf_future_init(f, &spawner_vt);
  self->n = cf_args_number(a, 0);
  self->ms = cf_args_number(a, 1);
  self->spread = cf_args_number(a, 2);
  return 0;
}
static void spawner_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_number(((const spawner_t *)f)->spawned);
}
CF_EXPORT_ASYNC(spawner_export, "spawn_sleepers", spawner_t, spawner_init,
                spawner_result)

/* cancel_timers(n): start and cancel n timers inside one poll; returns the
 * live timer count seen right after (must equal the count before). */
typedef struct canceller {
  cf_future_t base;
  double n, live;
  cf_sleep_t s;
} canceller_t;

static cf_poll_t canceller_poll(cf_future_t *f, cf_context_t *cx) {
  canceller_t *self = (canceller_t *)f;
  cf_runtime_stats_t st;
  double i;
  for (i = 0; i < self->n; i++) {
    cf_sleep_init(&self->s, 1000000 + (int64_t)i);
    (void)cf_future_poll(&self->s.base, cx);
    cf_future_drop(&self->s.base);
  }
  cf_runtime_stats(cx->rt, &st);
  self->live = (double)st.live_timers;
  f->rc = 0;
  return CF_READY;
}
static const cf_future_vtable_t canceller_vt = {"cancel_timers", canceller_poll,
                                                NULL, 0};
static int canceller_init(cf_future_t *f, const cf_args_t *a) {
  canceller_t *self = (canceller_t *)f;
  cf_future_init(f, &canceller_vt);
  self->n = cf_args_number(a, 0);
  return 0;
}
static void canceller_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_number(((const canceller_t *)f)->live);
}
CF_EXPORT_ASYNC(canceller_export, "cancel_timers", canceller_t, canceller_init,
                canceller_result)

/* abort_sleepers(n): spawn n long sleepers into a join set, let them all
 * register their timers, then drop the set (aborting them). Returns the
 * live timers seen before the drop. */
typedef struct aborter {
  cf_async_t co;
  cf_join_set_t set;
  double n, seen;
} aborter_t;

static cf_poll_t aborter_poll(cf_future_t *f, cf_context_t *cx) {
  aborter_t *self = (aborter_t *)f;
  CF_BEGIN(self);
  {
    int64_t now = cf_runtime_now(cx->rt);
    double i;
    cf_join_set_init(&self->set, cx->rt);
    for (i = 0; i < self->n; i++) {
      sleeper_t s;
      sleeper_init(&s, now + 1000000, -1);
      if (CF_JOIN_SET_SPAWN(&self->set, &s, "sleeper", NULL) < 0)
        CF_RETURN(self, CF_ENOMEM);
    }
  }
  CF_YIELD(self); /* FIFO: every sleeper is polled before we resume */
  {
    cf_runtime_stats_t st;
    cf_runtime_stats(cx->rt, &st);
    self->seen = (double)st.live_timers;
  }
  cf_join_set_drop(&self->set);
  self->set.rt = NULL;
  CF_END(self, 0);
}
static void aborter_cleanup(cf_future_t *f) {
  aborter_t *self = (aborter_t *)f;
  if (self->set.rt)
    cf_join_set_drop(&self->set);
}
CF_ASYNC_VTABLE(aborter_vt, "abort_sleepers", aborter_poll, aborter_cleanup);
static int aborter_init(cf_future_t *f, const cf_args_t *a) {
  aborter_t *self = (aborter_t *)f;
  cf_async_init(&self->co, &aborter_vt);
  self->n = cf_args_number(a, 0);
  return 0;
}
static void aborter_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_number(((const aborter_t *)f)->seen);
}
CF_EXPORT_ASYNC(aborter_export, "abort_sleepers", aborter_t, aborter_init,
                aborter_result)
