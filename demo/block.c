/* demo/block.c: `block`, Rune's async_blocks.rn:
 *
 *   let url = "https://google.com";
 *   let future = async { Ok(http::get(url).await?.status()) };
 *   let status = future.await?;
 *
 * In C an async block is a frame type declared next to the code that uses
 * it, initialised on the spot with the variables it captures and no
 * arguments. Here it borrows `url` from the enclosing frame, which
 * outlives it (the block is a field of that frame).
 *
 * Owns the block's future; cleanup drops it (aborting its fetch). */
#include "demo.h"

#include <string.h>

typedef struct {
  cf_async_t co;
  char base[400];
  double scale;
  char url[512]; /* `let url = ...` */
  /* async { ... }: its captures and its own state. */
  struct status_block {
    cf_async_t co;
    const char *url; /* captured by reference */
    cf_fetch_t fetch;
    char status[96];
  } future;
} block_demo_t;

static cf_poll_t status_block_poll(cf_future_t *f, cf_context_t *cx) {
  struct status_block *self = (struct status_block *)f;
  CF_BEGIN(self);
  {
    cf_fetch_request_t req = {0};
    req.url = self->url;
    cf_fetch_init(&self->fetch, &req);
  }
  CF_AWAIT_TRY(self, &self->fetch);
  demo_status_text(&self->fetch, self->status, sizeof self->status);
  CF_END(self, 0);
}

static void status_block_cleanup(cf_future_t *f) {
  cf_future_drop(&((struct status_block *)f)->fetch.base);
}

CF_ASYNC_VTABLE(status_block_vt, "async block", status_block_poll,
                status_block_cleanup);

static cf_poll_t block_poll(cf_future_t *f, cf_context_t *cx) {
  block_demo_t *self = (block_demo_t *)f;
  CF_BEGIN(self);
  /* let future = async { ... };  (nothing runs yet) */
  memset(&self->future, 0, sizeof self->future);
  cf_async_init(&self->future.co, &status_block_vt);
  self->future.url = self->url;
  CF_AWAIT(self, &self->future); /* future.await */
  if (self->future.co.base.rc < 0) {
    demo_line("Request failed: %s", cf_err_name(self->future.co.base.rc));
    CF_RETURN(self, self->future.co.base.rc);
  }
  demo_line("Status: %s", self->future.status);
  CF_END(self, 0);
}

static void block_cleanup(cf_future_t *f) {
  cf_future_drop(&((block_demo_t *)f)->future.co.base);
}

CF_ASYNC_VTABLE(block_vt, "block", block_poll, block_cleanup);

static int block_init(cf_future_t *f, const cf_args_t *args) {
  block_demo_t *self = (block_demo_t *)f;
  int rc = demo_http_args(args, self->base, sizeof self->base, &self->scale);
  if (rc < 0)
    return rc;
  if (demo_url(self->url, sizeof self->url, self->base, "/200?sleep=%lld",
               (long long)demo_ms(self->scale, 200)) < 0)
    return CF_EINVAL;
  cf_async_init(&self->co, &block_vt);
  return 0;
}

CF_EXPORT_ASYNC(demo_block_export, "demo_block", block_demo_t, block_init,
                NULL);
