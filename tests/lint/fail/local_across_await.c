/* cfuture-lint fixture that must fail: `start` and `n` are locals that
 * the code reads after an await (lines 17 and 21 declare them). */
#include <cfuture.h>

typedef struct {
  cf_async_t co;
  cf_sleep_t nap;
  int64_t took;
  int count;
} timer_t_;

static cf_poll_t timer_poll(cf_future_t *f, cf_context_t *cx) {
  timer_t_ *self = (timer_t_ *)f;
  CF_BEGIN(self);
  {
    int64_t start = cf_runtime_now(cx->rt);
    cf_sleep_init(&self->nap, 10);
    CF_AWAIT(self, &self->nap);
    self->took = cf_runtime_now(cx->rt) - start; /* garbage */
    for (;;) {
      int n = self->count + 1;
      CF_YIELD(self);
      self->count = n; /* garbage */
      if (self->count > 3)
        break;
    }
  }
  CF_END(self, 0);
}
CF_ASYNC_VTABLE(timer_vt, "timer", timer_poll, NULL);
