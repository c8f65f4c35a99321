/* promise.c: cf_promise_t, C awaiting a JavaScript Promise (promise.h).
 *
 * Owns the host-call copy ("name\0json\0"), the source value handle until
 * JS takes it over at the first poll, and the output buffers JS hands over
 * through cfw_promise_done. Invariant: after the first poll `source` is 0
 * (the JS op owns the value and releases it on completion or cancel). */
#include <emscripten.h>
#include <string.h>

#include "cfuture/alloc.h"
#include "cfuture/error.h"
#include "cfuture/promise.h"
#include "exports.h"
#include "js_imports.h"

static const char *call_text(const cf_promise_t *p) {
  if (p->call)
    return p->call;
  return p->call_size && p->call_size <= sizeof p->call_buf ? p->call_buf
                                                            : NULL;
}

static void call_free(cf_promise_t *p) {
  if (p->call) {
    cf_free(p->call, p->call_size);
    p->call = NULL;
  }
  p->call_size = 0;
}

/* The name of the last host call sent to JS from this module, and for
 * which driver. JS keeps its resolution of that call (CFPromise.sent); a
 * call that repeats it says so, and JS skips reading the name back from
 * wasm memory, which in a shared-memory (threaded) build is a checked
 * heap-view access, and neither decodes nor looks the name up. Names
 * longer than the copy never match. */
static struct {
  char name[64];
  size_t len;
  int driver;
} last_sent = {{0}, 0, -1};

static int same_as_last(const char *name, size_t n, int driver) {
  size_t i;
  if (n == last_sent.len && driver == last_sent.driver) {
    /* a short name: a loop in place, not a call of memcmp */
    for (i = 0; i < n && name[i] == last_sent.name[i]; i++)
      ;
    if (i == n)
      return 1;
  }
  if (n <= sizeof last_sent.name) {
    memcpy(last_sent.name, name, n);
    last_sent.len = n;
    last_sent.driver = driver;
  } else {
    last_sent.driver = -1;
  }
  return 0;
}

static const cf_future_vtable_t promise_vt, promise_done_vt;

static cf_poll_t promise_poll(cf_future_t *base, cf_context_t *cx) {
  cf_promise_t *p = (cf_promise_t *)base;
  if (p->op.state == CF_HOSTOP_IDLE) {
    uint32_t h;
    int driver, same;
    const char *call = call_text(p);
    size_t n = p->name_len;
    if (!p->source && !call) {
      base->rc = p->call_size ? CF_ENOMEM : CF_EINVAL;
      return CF_READY;
    }
    driver = cf__js_driver_id(cx->rt);
    same = !p->source && same_as_last(call, n, driver);
    h = cfjs_promise_await(p, driver, p->source, call, n,
                           p->json ? call + n + 1 : NULL, (int)p->as, same);
    p->source = 0;
    cf_hostop_begin(&p->op, cx, h, CF_EINVAL);
    if (p->op.state == CF_HOSTOP_PENDING) /* begin registered the waker */
      return CF_PENDING;
  } else if (cf_hostop_poll(&p->op, cx) == CF_PENDING) {
    return CF_PENDING;
  }
  call_free(p);
  base->rc = p->op.rc;
  /* Ready with no output buffer (the usual number, or no value): the op
   * is done and its waker gone, the call and source released, so the drop
   * has nothing to do and cf_future_drop may skip it. */
  if (!p->data && !p->error)
    base->vt = &promise_done_vt;
  return CF_READY;
}

static void promise_drop(cf_future_t *base) {
  cf_promise_t *p = (cf_promise_t *)base;
  cf_hostop_cancel(&p->op);
  if (p->source) {
    cfjs_value_release(p->source);
    p->source = 0;
  }
  call_free(p);
  if (p->data) { /* the usual number result has neither buffer */
    cf_free(p->data, p->data_size);
    p->data = NULL;
  }
  p->len = p->data_size = 0;
  if (p->error) {
    cf_free(p->error, p->error_size);
    p->error = NULL;
  }
  p->error_size = 0;
}

static const cf_future_vtable_t promise_vt = {"promise", promise_poll,
                                              promise_drop, 0};
/* The same future once it is ready holding nothing (see promise_poll). */
static const cf_future_vtable_t promise_done_vt = {
    "promise", promise_poll, promise_drop, CF_VT_DONE_DROP_NOOP};

/* Field by field rather than a memset of the whole struct (a call, and
 * call_buf needs no zeroing: the name copy terminates it): every await
 * re-initialises its future. */
static void init_common(cf_promise_t *p, cf_js_type_t as) {
  cf_future_init(&p->base, &promise_vt);
  cf_hostop_init(&p->op);
  p->source = 0;
  p->call = NULL;
  p->call_size = 0;
  p->as = as;
  p->name_len = 0;
  p->json = 0;
  p->number = 0;
  p->data = NULL;
  p->len = p->data_size = 0;
  p->error = NULL;
  p->error_size = 0;
}

void cf_promise_init(cf_promise_t *p, uint32_t handle, cf_js_type_t as) {
  init_common(p, as);
  p->source = handle;
}

void cf_js_call_init(cf_promise_t *p, const char *fn, const char *json_args,
                     cf_js_type_t as) {
  size_t n, j;
  char *dst;
  init_common(p, as);
  if (!fn)
    return;         /* first poll: CF_EINVAL */
  if (!json_args) { /* the usual short name: one pass, no library calls */
    for (n = 0; n < sizeof p->call_buf - 2 && fn[n]; n++)
      p->call_buf[n] = fn[n];
    if (!fn[n]) { /* "name\0\0" */
      p->call_buf[n] = p->call_buf[n + 1] = '\0';
      p->call_size = n + 2;
      p->name_len = (uint32_t)n;
      return;
    } /* longer: allocated below (call_buf is then unused) */
  }
  n = strlen(fn) + 1;
  j = json_args ? strlen(json_args) + 1 : 1;
  p->call_size = n + j;
  p->name_len = (uint32_t)(n - 1);
  p->json = json_args != NULL;
  if (p->call_size <= sizeof p->call_buf) {
    dst = p->call_buf;
  } else {
    dst = p->call = cf_malloc(p->call_size);
    if (!dst)
      return; /* call_size != 0 and call == NULL: first poll says ENOMEM */
  }
  memcpy(dst, fn, n);
  if (json_args)
    memcpy(dst + n, json_args, j);
  else
    dst[n] = '\0';
}

const char *cf_promise_error(const cf_promise_t *p) {
  return p->error;
}

EMSCRIPTEN_KEEPALIVE void cfw_promise_done(cf_promise_t *p, int rc,
                                           double number, char *data,
                                           size_t len, size_t size, char *error,
                                           size_t error_size) {
  p->number = number;
  p->data = data;
  p->len = len;
  p->data_size = size;
  p->error = error;
  p->error_size = error_size;
  cf_hostop_complete(&p->op, rc);
}

/* The usual settlement (a number, or no value asked for): rc 0 and no
 * buffers, so two arguments instead of cfw_promise_done's eight. */
EMSCRIPTEN_KEEPALIVE void cfw_promise_number(cf_promise_t *p, double number) {
  p->number = number;
  cf_hostop_complete(&p->op, 0);
}
