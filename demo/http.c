/* demo/http.c: `http`, Rune's async_http.rn. Two requests start at once
 * and a select loop prints each status as soon as it arrives, disabling
 * the branch that finished (CF_SELECT_LOOP), until no branch is left.
 *
 * Requests: /200 after 1000 ms and /status/201 after 500 ms (scaled), so
 * the completion order, "201 Created" then "200 OK", shows that the loop
 * prints in arrival order rather than start order.
 *
 * Owns both fetches and the select; cleanup drops the select first (it
 * drops pending branches, aborting their requests), then the fetches
 * (freeing the responses of the finished ones). */
#include "demo.h"

typedef struct {
  cf_async_t co;
  char base[400];
  double scale;
  char url_a[512], url_b[512];
  cf_fetch_t a, b;
  cf_future_t *branches[2];
  cf_select_t sel;
  cf_fetch_t *done;
  char line[96];
} http_demo_t;

static cf_poll_t http_poll(cf_future_t *f, cf_context_t *cx) {
  http_demo_t *self = (http_demo_t *)f;
  CF_BEGIN(self);
  {
    cf_fetch_request_t ra = {0}, rb = {0};
    ra.url = self->url_a;
    rb.url = self->url_b;
    cf_fetch_init(&self->a, &ra);
    cf_fetch_init(&self->b, &rb);
  }
  self->branches[0] = &self->a.base;
  self->branches[1] = &self->b.base;
  cf_select_init(&self->sel, self->branches, 2, CF_SELECT_LOOP);
  for (;;) {
    CF_AWAIT(self, &self->sel);
    if (cf_select_index(&self->sel) < 0)
      break; /* CF_EEMPTY: both branches have completed */
    self->done = cf_select_index(&self->sel) == 0 ? &self->a : &self->b;
    if (self->done->base.rc < 0) {
      demo_line("request failed: %s (%s)", cf_err_name(self->done->base.rc),
                cf_fetch_error(self->done) ? cf_fetch_error(self->done) : "");
      CF_RETURN(self, self->done->base.rc);
    }
    demo_status_text(self->done, self->line, sizeof self->line);
    demo_line("%s", self->line);
    cf_future_rearm(&self->sel.base);
  }
  CF_END(self, 0);
}

static void http_cleanup(cf_future_t *f) {
  http_demo_t *self = (http_demo_t *)f;
  cf_future_drop(&self->sel.base);
  cf_future_drop(&self->a.base);
  cf_future_drop(&self->b.base);
}

CF_ASYNC_VTABLE(http_vt, "http", http_poll, http_cleanup);

static int http_init(cf_future_t *f, const cf_args_t *args) {
  http_demo_t *self = (http_demo_t *)f;
  int rc = demo_http_args(args, self->base, sizeof self->base, &self->scale);
  if (rc < 0)
    return rc;
  if (demo_url(self->url_a, sizeof self->url_a, self->base, "/200?sleep=%lld",
               (long long)demo_ms(self->scale, 1000)) < 0 ||
      demo_url(self->url_b, sizeof self->url_b, self->base,
               "/status/201?sleep=%lld",
               (long long)demo_ms(self->scale, 500)) < 0)
    return CF_EINVAL;
  cf_async_init(&self->co, &http_vt);
  return 0;
}

CF_EXPORT_ASYNC(demo_http_export, "demo_http", http_demo_t, http_init, NULL);
