/* demo/concurrent.c: `concurrent`, Rune's async_http_concurrent.rn. The
 * same two timed requests (async functions: demo_request) awaited together
 * with join: the 1000 ms one succeeds, the 4000 ms one times out at 2 s,
 * so the whole takes about 2 s (scaled) instead of 3 s.
 *
 * Owns the two request frames and the join; cleanup drops the join first
 * (it drops pending children), then both frames. */
#include "demo.h"

typedef struct {
  cf_async_t co;
  char base[400];
  double scale;
  demo_request_t a, b;
  cf_future_t *children[2];
  cf_join_t join;
} concurrent_demo_t;

static void report(const demo_request_t *r) {
  if (r->co.base.rc == 0)
    demo_line("Result: %s", r->result);
  else if (r->co.base.rc == CF_ETIMEDOUT)
    demo_line("Request timed out!");
  else
    demo_line("Request failed: %s", cf_err_name(r->co.base.rc));
}

static cf_poll_t concurrent_poll(cf_future_t *f, cf_context_t *cx) {
  concurrent_demo_t *self = (concurrent_demo_t *)f;
  CF_BEGIN(self);
  demo_request_init(&self->a, self->base, demo_ms(self->scale, 1000),
                    demo_ms(self->scale, 2000));
  demo_request_init(&self->b, self->base, demo_ms(self->scale, 4000),
                    demo_ms(self->scale, 2000));
  self->children[0] = &self->a.co.base;
  self->children[1] = &self->b.co.base;
  cf_join_init(&self->join, self->children, 2);
  CF_AWAIT(self, &self->join);
  report(&self->a);
  report(&self->b);
  CF_END(self, 0);
}

static void concurrent_cleanup(cf_future_t *f) {
  concurrent_demo_t *self = (concurrent_demo_t *)f;
  cf_future_drop(&self->join.base);
  cf_future_drop(&self->a.co.base);
  cf_future_drop(&self->b.co.base);
}

CF_ASYNC_VTABLE(concurrent_vt, "concurrent", concurrent_poll,
                concurrent_cleanup);

static int concurrent_init(cf_future_t *f, const cf_args_t *args) {
  concurrent_demo_t *self = (concurrent_demo_t *)f;
  int rc = demo_http_args(args, self->base, sizeof self->base, &self->scale);
  if (rc < 0)
    return rc;
  cf_async_init(&self->co, &concurrent_vt);
  return 0;
}

CF_EXPORT_ASYNC(demo_concurrent_export, "demo_concurrent", concurrent_demo_t,
                concurrent_init, NULL);
