/* demo/join.c: `join`, Tokio's join! of fetch_user_data (3 s) and
 * fetch_product_data (1 s). Both futures run concurrently inside one task
 * (no spawn): the 1 s one reports first and the whole takes about 3 s, not
 * 4 s (scaled). Built for wasm (export "demo_join") and natively
 * (`demo_join [scale]`).
 *
 * Owns the two child frames and the join; cleanup drops the join (pending
 * children) and then the children. */
#include "demo.h"

#include <string.h>

/* async fn fetch_*_data() -> String: sleep, report, return a name. */
typedef struct {
  cf_async_t co;
  int64_t ms;
  const char *what;   /* "User" / "Product" */
  const char *result; /* the output, once ready */
  cf_sleep_t nap;
} fetch_data_t;

static cf_poll_t fetch_data_poll(cf_future_t *f, cf_context_t *cx) {
  fetch_data_t *self = (fetch_data_t *)f;
  CF_BEGIN(self);
  cf_sleep_init(&self->nap, self->ms);
  CF_AWAIT(self, &self->nap);
  demo_line("%s data fetched after %lld ms.", self->what, (long long)self->ms);
  self->result = self->what;
  CF_END(self, 0);
}

static void fetch_data_cleanup(cf_future_t *f) {
  cf_future_drop(&((fetch_data_t *)f)->nap.base);
}

CF_ASYNC_VTABLE(fetch_user_vt, "fetch_user_data", fetch_data_poll,
                fetch_data_cleanup);
CF_ASYNC_VTABLE(fetch_product_vt, "fetch_product_data", fetch_data_poll,
                fetch_data_cleanup);

static void fetch_data_init(fetch_data_t *d, const cf_future_vtable_t *vt,
                            const char *what, int64_t ms) {
  memset(d, 0, sizeof *d);
  cf_async_init(&d->co, vt);
  d->what = what;
  d->ms = ms;
}
/* The two "async fn" calls: each only builds its future. */
static void fetch_user_data(fetch_data_t *d, double scale) {
  fetch_data_init(d, &fetch_user_vt, "User", demo_ms(scale, 3000));
}
static void fetch_product_data(fetch_data_t *d, double scale) {
  fetch_data_init(d, &fetch_product_vt, "Product", demo_ms(scale, 1000));
}

typedef struct {
  cf_async_t co;
  double scale;
  fetch_data_t user, product;
  cf_future_t *children[2];
  cf_join_t join;
} join_demo_t;

static cf_poll_t join_poll(cf_future_t *f, cf_context_t *cx) {
  join_demo_t *self = (join_demo_t *)f;
  CF_BEGIN(self);
  demo_line("Fetching data concurrently...");
  fetch_user_data(&self->user, self->scale); /* lazy: nothing runs yet */
  fetch_product_data(&self->product, self->scale);
  self->children[0] = &self->user.co.base;
  self->children[1] = &self->product.co.base;
  cf_join_init(&self->join, self->children, 2);
  CF_AWAIT(self,
           &self->join); /* join!(fetch_user_data(), fetch_product_data()) */
  demo_line("Total execution time is ~3s, not 4s.");
  demo_line("Result 1: %s", self->user.result);
  demo_line("Result 2: %s", self->product.result);
  CF_END(self, 0);
}

static void join_cleanup(cf_future_t *f) {
  join_demo_t *self = (join_demo_t *)f;
  cf_future_drop(&self->join.base);
  cf_future_drop(&self->user.co.base);
  cf_future_drop(&self->product.co.base);
}

CF_ASYNC_VTABLE(join_vt, "join", join_poll, join_cleanup);

static void join_demo_init(join_demo_t *self, double scale) {
  memset(self, 0, sizeof *self);
  cf_async_init(&self->co, &join_vt);
  self->scale = scale;
}

#ifdef __EMSCRIPTEN__
static int join_export_init(cf_future_t *f, const cf_args_t *args) {
  double scale =
      cf_args_type(args, 1) == CF_JS_NUMBER ? cf_args_number(args, 1) : 1.0;
  if (demo_check_scale(scale) < 0)
    return CF_EINVAL;
  join_demo_init((join_demo_t *)f, scale);
  return 0;
}
CF_EXPORT_ASYNC(demo_join_export, "demo_join", join_demo_t, join_export_init,
                NULL);
#else
int main(int argc, char **argv) {
  join_demo_t d;
  int rc;
  join_demo_init(&d, demo_native_scale(argc, argv));
  rc = demo_native_run(&d.co.base, sizeof d, "demo_join");
  return rc < 0 ? 1 : 0;
}
#endif
