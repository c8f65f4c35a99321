/* cfuture-lint fixture that must pass: everything that lives across an
 * await is in the frame; locals are scoped to a block that closes before
 * the await (or, after the last await, before CF_END). */
#include <cfuture.h>

typedef struct {
  cf_async_t co;
  cf_sleep_t nap;
  int i, total;
} counter_t;

static cf_poll_t counter_poll(cf_future_t *f, cf_context_t *cx) {
  counter_t *self = (counter_t *)f;
  (void)cx;
  CF_BEGIN(self);
  for (self->i = 0; self->i < 3; self->i++) {
    {
      int step = self->i * 2; /* dies before the await */
      self->total += step;
    }
    cf_sleep_init(&self->nap, 10);
    CF_AWAIT(self, &self->nap);
    cf_future_drop(&self->nap.base);
  }
  {
    int doubled = self->total * 2; /* after the last await, in a block */
    self->total = doubled;
  }
  CF_END(self, self->total > 0 ? 0 : CF_EINVAL);
}

static int plain_switch(int x) {
  switch (x) {
  case 1:
    return 10;
  default:
    return 0;
  }
}

CF_ASYNC_VTABLE(counter_vt, "counter", counter_poll, NULL);

int lint_fixture_use(void);
int lint_fixture_use(void) {
  return plain_switch(1) + (counter_vt.name != NULL);
}
