/* cfuture-lint fixture that must fail: locals without an initialiser
 * that are given a value before an await and read after it (`start`,
 * declared before CF_BEGIN; `i`, a loop counter in the body), and a local
 * future awaited by address (`nap`). gcc's -Wjump-misses-init sees none of
 * them: no declaration with an initialiser is jumped over. */
#include <cfuture.h>

typedef struct {
  cf_async_t co;
  cf_sleep_t nap;
  int64_t took;
  int sum;
} uninit_t;

static cf_poll_t uninit_poll(cf_future_t *f, cf_context_t *cx) {
  uninit_t *self = (uninit_t *)f;
  int64_t start;
  CF_BEGIN(self);
  start = cf_runtime_now(cx->rt);
  cf_sleep_init(&self->nap, 10);
  CF_AWAIT(self, &self->nap);
  self->took = cf_runtime_now(cx->rt) - start; /* garbage */
  {
    int i;
    for (i = 0; i < 3; i++) { /* i++ after the yield reads garbage */
      self->sum += i;
      CF_YIELD(self);
    }
  }
  {
    cf_sleep_t nap;
    cf_sleep_init(&nap, 5);
    CF_AWAIT(self, &nap); /* re-polled through a dangling pointer */
    cf_future_drop(&nap.base);
  }
  CF_END(self, 0);
}
CF_ASYNC_VTABLE(uninit_vt, "uninit", uninit_poll, NULL);
