/* cfuture-lint fixture that must pass: locals without an initialiser that
 * are set again after each await before they are read, a local used only
 * between two awaits, and futures awaited through the frame (directly or
 * through a pointer local that is set again after each await). */
#include <cfuture.h>

typedef struct {
  cf_async_t co;
  cf_sleep_t naps[2];
  int i, total;
} set_after_t;

static cf_poll_t set_after_poll(cf_future_t *f, cf_context_t *cx) {
  set_after_t *self = (set_after_t *)f;
  int64_t now;
  cf_sleep_t *nap;
  CF_BEGIN(self);
  for (self->i = 0; self->i < 2; self->i++) {
    int step;
    nap = &self->naps[self->i];
    cf_sleep_init(nap, 10);
    CF_AWAIT(self, nap);
    step = self->i * 2; /* set after the await, then read */
    self->total += step;
  }
  now = cf_runtime_now(cx->rt);
  self->total += (int)(now & 1);
  CF_AWAIT(self, &self->naps[0]); /* ready already: polled again */
  now = cf_runtime_now(cx->rt); /* set again after the await */
  CF_END(self, now >= 0 ? 0 : CF_EINVAL);
}
static void set_after_cleanup(cf_future_t *f) {
  set_after_t *self = (set_after_t *)f;
  cf_future_drop(&self->naps[0].base);
  cf_future_drop(&self->naps[1].base);
}
CF_ASYNC_VTABLE(set_after_vt, "set_after", set_after_poll, set_after_cleanup);

int lint_fixture_set_after(void);
int lint_fixture_set_after(void) {
  return set_after_vt.name != NULL;
}
