/* demo/timeout.c: `timeout`, Rune's async_http_timeout.rn. One request at
 * a time, each raced against a 2 s sleep with select (demo_request): the
 * 1000 ms request wins ("200 OK"), the 4000 ms one loses ("Request timed
 * out!") and its fetch is dropped, which closes the connection. Sequential,
 * so about 1 s + 2 s = 3 s in all (scaled).
 *
 * Owns two request frames; cleanup drops both (idempotent, so a request
 * that already finished is only freed). */
#include "demo.h"

typedef struct {
  cf_async_t co;
  char base[400];
  double scale;
  demo_request_t r1, r2;
} timeout_demo_t;

static void report(const demo_request_t *r) {
  if (r->co.base.rc == 0)
    demo_line("%s", r->result);
  else if (r->co.base.rc == CF_ETIMEDOUT)
    demo_line("Request timed out!");
  else
    demo_line("Request failed: %s", cf_err_name(r->co.base.rc));
}

static cf_poll_t timeout_poll(cf_future_t *f, cf_context_t *cx) {
  timeout_demo_t *self = (timeout_demo_t *)f;
  CF_BEGIN(self);
  demo_request_init(&self->r1, self->base, demo_ms(self->scale, 1000),
                    demo_ms(self->scale, 2000));
  CF_AWAIT(self, &self->r1);
  report(&self->r1);
  cf_future_drop(&self->r1.co.base);
  demo_request_init(&self->r2, self->base, demo_ms(self->scale, 4000),
                    demo_ms(self->scale, 2000));
  CF_AWAIT(self, &self->r2);
  report(&self->r2);
  CF_END(self, 0);
}

static void timeout_cleanup(cf_future_t *f) {
  timeout_demo_t *self = (timeout_demo_t *)f;
  cf_future_drop(&self->r1.co.base);
  cf_future_drop(&self->r2.co.base);
}

CF_ASYNC_VTABLE(timeout_vt, "timeout", timeout_poll, timeout_cleanup);

static int timeout_init(cf_future_t *f, const cf_args_t *args) {
  timeout_demo_t *self = (timeout_demo_t *)f;
  int rc = demo_http_args(args, self->base, sizeof self->base, &self->scale);
  if (rc < 0)
    return rc;
  cf_async_init(&self->co, &timeout_vt);
  return 0;
}

CF_EXPORT_ASYNC(demo_timeout_export, "demo_timeout", timeout_demo_t,
                timeout_init, NULL);
