/* export.c: the registry of C async functions callable from JS and the
 * task wrapper behind rt.call (see cfuture/export.h; the arguments are in
 * args.c).
 *
 * A call is one detached task whose future is a `call_frame_t` followed by
 * the export's own frame. The JS side knows the call by `rec` (a separate
 * allocation, so it has a stable address before the task's first poll).
 * Invariants: the frame settles its JS call exactly once (on completion, on
 * abort, or in its drop); `rec` and the arguments live until then; JS calls
 * cfw_call_abort only before it has seen the settlement. */
#include <emscripten.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "args_internal.h"
#include "cfuture/alloc.h"
#include "cfuture/async.h"
#include "cfuture/error.h"
#include "cfuture/export.h"
#include "cfuture/runtime.h"
#include "exports.h"
#include "js_imports.h"

/* ---- registry ---- */

static cf_export_t *registry;

const cf_export_t *cf_export_find(const char *name) {
  cf_export_t *e;
  for (e = registry; e; e = e->next_)
    if (strcmp(e->name, name) == 0)
      return e;
  return NULL;
}

int cf_export_register(cf_export_t *def) {
  if (!def || !def->name || !def->init || def->frame_size < sizeof(cf_future_t))
    return CF_EINVAL;
  if (cf_export_find(def->name))
    return CF_EBUSY;
  def->next_ = registry;
  registry = def;
  return 0;
}

cf_value_t cf_value_string(const char *s) {
  cf_value_t v = {CF_JS_STRING, 0, s, s ? strlen(s) : 0};
  return v;
}

cf_value_t cf_value_json(const char *json) {
  cf_value_t v = {CF_JS_JSON, 0, json, json ? strlen(json) : 0};
  return v;
}

/* ---- the call task ---- */

typedef struct call_rec {
  uint32_t id;
  uint8_t aborted;
  cf_waker_t waker; /* the task, for aborts */
} call_rec_t;

typedef struct call_frame {
  cf_async_t co; /* an async frame, so the inspector follows `awaiting` */
  const cf_export_t *def;
  call_rec_t *rec;
  cf_args_t *args;
  uint8_t settled;
} call_frame_t;

#define INNER_OFF                                                              \
  ((sizeof(call_frame_t) + _Alignof(max_align_t) - 1) &                        \
   ~(size_t)(_Alignof(max_align_t) - 1))

static cf_future_t *inner_of(call_frame_t *c) {
  return (cf_future_t *)((char *)c + INNER_OFF);
}

static void settle(call_frame_t *c, int rc, const cf_value_t *v,
                   const char *msg) {
  cf_future_t *inner = inner_of(c);
  /* JS copies the value and message out before anything can free them. */
  cfjs_call_settle(c->rec->id, rc, (int)v->type, v->number, v->data, v->len,
                   msg, msg ? strlen(msg) : 0);
  c->settled = 1;
  c->co.awaiting = NULL;
  cf_future_drop(inner);
  cf_waker_drop(&c->rec->waker);
  cf_free(c->rec, sizeof *c->rec);
  c->rec = NULL;
  cfw_args_free(c->args);
  c->args = NULL;
}

static cf_poll_t call_poll(cf_future_t *base, cf_context_t *cx) {
  call_frame_t *c = (call_frame_t *)base;
  cf_future_t *inner = inner_of(c);
  cf_value_t v = {CF_JS_UNDEFINED, 0, NULL, 0};
  int rc;
  const char *msg = NULL;
  if (c->rec->aborted) {
    settle(c, CF_ECANCELED, &v, NULL);
    base->rc = CF_ECANCELED;
    return CF_READY;
  }
  cf_waker_register(&c->rec->waker, cx->waker);
  c->co.awaiting = inner;
  if (cf_future_poll(inner, cx) == CF_PENDING)
    return CF_PENDING;
  rc = inner->rc;
  if (rc >= 0 && c->def->result)
    c->def->result(inner, &v);
  else if (rc < 0 && c->def->error)
    msg = c->def->error(inner, rc);
  settle(c, rc, &v, msg);
  base->rc = rc;
  return CF_READY;
}

static void call_drop(cf_future_t *base) {
  call_frame_t *c = (call_frame_t *)base;
  cf_value_t v = {CF_JS_UNDEFINED, 0, NULL, 0};
  if (!c->settled) /* only the runtime's free drops an unsettled call */
    settle(c, CF_ECANCELED, &v, "the runtime was disposed");
}

static const cf_future_vtable_t call_vt = {"call", call_poll, call_drop,
                                           CF_VT_ASYNC};

/* Why the last cfw_call_start failed ("" when it did not). */
static char call_error[CF_CALL_ERROR_MAX];

static intptr_t start_failed(cf_args_t *args, int rc, const char *msg) {
  const char *why = cf__args_error(args);
  if (!why)
    why = msg ? msg : "";
  strncpy(call_error, why, sizeof call_error - 1);
  call_error[sizeof call_error - 1] = '\0';
  cfw_args_free(args);
  return rc;
}

EMSCRIPTEN_KEEPALIVE const char *cfw_call_error(void) {
  return call_error;
}

/* Start export `name` with `args` (taken over in every case) as a task.
 * `name_len` is the name's byte length (0: up to its NUL, for callers
 * that predate it); a name with a NUL inside is refused. Returns the
 * call's record address (for cfw_call_abort), or a CF_E* code: CF_ENOENT
 * for an unknown name, CF_EINVAL for a bad name or runtime, the init's
 * error, CF_ESHUTDOWN while the runtime is being freed, CF_ENOMEM. The
 * reason is then in cfw_call_error(). */
EMSCRIPTEN_KEEPALIVE intptr_t cfw_call_start(cf_runtime_t *rt, const char *name,
                                             cf_args_t *args, uint32_t call_id,
                                             size_t name_len) {
  const cf_export_t *def;
  size_t total;
  call_frame_t *c;
  call_rec_t *rec;
  int rc;
  call_error[0] = '\0';
  if (!rt || !name)
    return start_failed(args, CF_EINVAL, "no runtime or function name");
  if (name_len && strlen(name) != name_len)
    return start_failed(args, CF_EINVAL,
                        "function name contains a NUL character");
  def = cf_export_find(name);
  if (!def)
    return start_failed(args, CF_ENOENT, "no exported async function");
  total = INNER_OFF + def->frame_size;
  c = cf_malloc(total);
  rec = cf_malloc(sizeof *rec);
  if (!c || !rec) {
    cf_free(c, total);
    cf_free(rec, sizeof *rec);
    return start_failed(args, CF_ENOMEM, "out of memory");
  }
  memset(c, 0, total);
  rc = def->init(inner_of(c), args);
  if (rc < 0) {
    cf_free(c, total);
    cf_free(rec, sizeof *rec);
    return start_failed(args, rc, NULL);
  }
  rec->id = call_id;
  rec->aborted = 0;
  rec->waker = CF_WAKER_NONE;
  cf_async_init(&c->co, &call_vt);
  c->def = def;
  c->rec = rec;
  c->args = args;
  rc = cf_spawn(rt, &c->co.base, total, def->name, NULL);
  if (rc < 0) {
    cf_future_drop(inner_of(c));
    cf_free(rec, sizeof *rec);
    cf_free(c, total);
    return start_failed(
        args, rc, rc == CF_ESHUTDOWN ? "the runtime is being disposed" : NULL);
  }
  cf_free(c, total); /* the task owns its copy */
  return (intptr_t)rec;
}

EMSCRIPTEN_KEEPALIVE void cfw_call_abort(call_rec_t *rec) {
  rec->aborted = 1;
  cf_waker_wake_by_ref(&rec->waker);
}
