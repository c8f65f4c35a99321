/* t_overdue.c: a timer that is already overdue when it becomes the
 * earliest (the runtime was busy past it) must be run on the next
 * macrotask, not through a clamped setTimeout(0).
 *   overdue(spin_ms) -> 1 once both sleepers finished */
#include <emscripten.h>
#include <string.h>

#include "t_support.h"

/* Sleeps 5 ms, then keeps the thread busy for spin_ms within one poll, so
 * that the other sleeper's 30 ms deadline passes during this turn. */
typedef struct busy {
  cf_async_t co;
  cf_sleep_t s;
  double spin;
} busy_t;
static cf_poll_t busy_poll(cf_future_t *f, cf_context_t *cx) {
  busy_t *self = (busy_t *)f;
  CF_BEGIN(self);
  cf_sleep_init(&self->s, 5);
  CF_AWAIT(self, &self->s);
  {
    double until = emscripten_get_now() + self->spin;
    while (emscripten_get_now() < until) {
    }
  }
  CF_END(self, 0);
}
CF_ASYNC_VTABLE(busy_vt, "busy", busy_poll, NULL);

typedef struct overdue {
  cf_async_t co;
  busy_t busy;
  cf_sleep_t later;
  cf_join_t both;
  double spin;
} overdue_t;
static cf_poll_t overdue_poll(cf_future_t *f, cf_context_t *cx) {
  overdue_t *self = (overdue_t *)f;
  CF_BEGIN(self);
  CF_ASYNC_INIT(&self->busy, &busy_vt);
  self->busy.spin = self->spin;
  cf_sleep_init(&self->later, 30);
  cf_join_init(&self->both,
               (cf_future_t *[]){&self->busy.co.base, &self->later.base}, 2);
  CF_AWAIT(self, &self->both);
  CF_END(self, 0);
}
static void overdue_cleanup(cf_future_t *f) {
  overdue_t *self = (overdue_t *)f;
  cf_future_drop(&self->both.base);
  cf_future_drop(&self->busy.co.base);
  cf_future_drop(&self->later.base);
}
CF_ASYNC_VTABLE(overdue_vt, "overdue", overdue_poll, overdue_cleanup);
static int overdue_init(cf_future_t *f, const cf_args_t *a) {
  overdue_t *self = (overdue_t *)f;
  CF_ASYNC_INIT(self, &overdue_vt);
  self->spin = cf_args_number(a, 0);
  return self->spin == self->spin ? 0 : CF_EINVAL;
}
static void overdue_result(const cf_future_t *f, cf_value_t *out) {
  (void)f;
  *out = cf_value_number(1);
}
CF_EXPORT_ASYNC(overdue_export, "overdue", overdue_t, overdue_init,
                overdue_result)
