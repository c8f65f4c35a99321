/* demo/closure.c: `closure`, Rune's async_closure.rn:
 *
 *   fn do_request(url) { async || { Ok(http::get(url).await?.status()) } }
 *   let future = do_request(url); let status = future().await?;
 *
 * In C an async closure is a value holding its captured environment plus
 * the function that, when called, initialises a future from it. Calling
 * do_request captures the URL (by copy: the closure may outlive the
 * caller's buffer); calling the closure creates the future; nothing is
 * sent until that future is awaited.
 *
 * Owns the closure's future; cleanup drops it (aborting its fetch). */
#include "demo.h"

#include <string.h>

/* The captured environment. */
typedef struct {
  char url[512];
} get_status_env_t;

/* The future the closure returns: borrows the environment, which the
 * closure value owns and which outlives the call. */
typedef struct {
  cf_async_t co;
  const get_status_env_t *env;
  cf_fetch_t fetch;
  char status[96];
} get_status_fut_t;

typedef struct get_status_closure {
  get_status_env_t env;
  void (*call)(const get_status_env_t *env, get_status_fut_t *out);
} get_status_closure_t;

static cf_poll_t get_status_poll(cf_future_t *f, cf_context_t *cx) {
  get_status_fut_t *self = (get_status_fut_t *)f;
  CF_BEGIN(self);
  {
    cf_fetch_request_t req = {0};
    req.url = self->env->url;
    cf_fetch_init(&self->fetch, &req);
  }
  CF_AWAIT_TRY(self, &self->fetch);
  demo_status_text(&self->fetch, self->status, sizeof self->status);
  CF_END(self, 0);
}

static void get_status_cleanup(cf_future_t *f) {
  cf_future_drop(&((get_status_fut_t *)f)->fetch.base);
}

CF_ASYNC_VTABLE(get_status_vt, "async closure", get_status_poll,
                get_status_cleanup);

static void get_status_call(const get_status_env_t *env,
                            get_status_fut_t *out) {
  memset(out, 0, sizeof *out);
  cf_async_init(&out->co, &get_status_vt);
  out->env = env;
}

/* fn do_request(url) -> impl AsyncFn() -> Result<Status> */
static int do_request(get_status_closure_t *c, const char *url) {
  size_t n = strlen(url);
  if (n >= sizeof c->env.url)
    return CF_EINVAL;
  memcpy(c->env.url, url, n + 1);
  c->call = get_status_call;
  return 0;
}

typedef struct {
  cf_async_t co;
  char base[400];
  double scale;
  char url[512];
  get_status_closure_t closure;
  get_status_fut_t future;
} closure_demo_t;

static cf_poll_t closure_poll(cf_future_t *f, cf_context_t *cx) {
  closure_demo_t *self = (closure_demo_t *)f;
  CF_BEGIN(self);
  if (do_request(&self->closure, self->url) < 0)
    CF_RETURN(self, CF_EINVAL);
  self->closure.call(&self->closure.env, &self->future); /* future() */
  CF_AWAIT(self, &self->future);
  if (self->future.co.base.rc < 0) {
    demo_line("Request failed: %s", cf_err_name(self->future.co.base.rc));
    CF_RETURN(self, self->future.co.base.rc);
  }
  demo_line("Status: %s", self->future.status);
  CF_END(self, 0);
}

static void closure_cleanup(cf_future_t *f) {
  cf_future_drop(&((closure_demo_t *)f)->future.co.base);
}

CF_ASYNC_VTABLE(closure_vt, "closure", closure_poll, closure_cleanup);

static int closure_init(cf_future_t *f, const cf_args_t *args) {
  closure_demo_t *self = (closure_demo_t *)f;
  int rc = demo_http_args(args, self->base, sizeof self->base, &self->scale);
  if (rc < 0)
    return rc;
  if (demo_url(self->url, sizeof self->url, self->base, "/200?sleep=%lld",
               (long long)demo_ms(self->scale, 200)) < 0)
    return CF_EINVAL;
  cf_async_init(&self->co, &closure_vt);
  return 0;
}

CF_EXPORT_ASYNC(demo_closure_export, "demo_closure", closure_demo_t,
                closure_init, NULL);
