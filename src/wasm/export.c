/* export.c: the registry of C async functions callable from JS, their
 * arguments, and the task wrapper behind rt.call (see cfuture/export.h).
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

/* ---- arguments (filled by JS through cfw_args_*) ---- */

typedef struct arg {
  cf_js_type_t type;
  double number;
  char *data; /* NUL-terminated copy, cf_malloc'd by JS */
  size_t len;
} arg_t;

struct cf_args {
  size_t n;
  arg_t v[];
};

size_t cf_args_count(const cf_args_t *a) { return a ? a->n : 0; }

cf_js_type_t cf_args_type(const cf_args_t *a, size_t i) {
  return a && i < a->n ? a->v[i].type : CF_JS_UNDEFINED;
}

double cf_args_number(const cf_args_t *a, size_t i) {
  return a && i < a->n && a->v[i].type == CF_JS_NUMBER ? a->v[i].number : NAN;
}

const char *cf_args_string(const cf_args_t *a, size_t i, size_t *len) {
  if (!a || i >= a->n || !a->v[i].data)
    return NULL;
  if (len)
    *len = a->v[i].len;
  return a->v[i].data;
}

EMSCRIPTEN_KEEPALIVE cf_args_t *cfw_args_new(size_t n) {
  cf_args_t *a = cf_malloc(sizeof *a + n * sizeof(arg_t));
  if (a) {
    memset(a, 0, sizeof *a + n * sizeof(arg_t));
    a->n = n;
  }
  return a;
}

EMSCRIPTEN_KEEPALIVE void cfw_args_set(cf_args_t *a, size_t i, int type,
                                       double number, char *data, size_t len) {
  a->v[i].type = (cf_js_type_t)type;
  a->v[i].number = number;
  a->v[i].data = data; /* ownership passes to the args (len + 1 bytes) */
  a->v[i].len = len;
}

EMSCRIPTEN_KEEPALIVE void cfw_args_free(cf_args_t *a) {
  size_t i;
  if (!a)
    return;
  for (i = 0; i < a->n; i++)
    cf_free(a->v[i].data, a->v[i].data ? a->v[i].len + 1 : 0);
  cf_free(a, sizeof *a + a->n * sizeof(arg_t));
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

static void settle(call_frame_t *c, int rc, const cf_value_t *v) {
  cf_future_t *inner = inner_of(c);
  /* JS copies the value out before anything can free or move it. */
  cfjs_call_settle(c->rec->id, rc, (int)v->type, v->number, v->data, v->len);
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
  if (c->rec->aborted) {
    settle(c, CF_ECANCELED, &v);
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
  settle(c, rc, &v);
  base->rc = rc;
  return CF_READY;
}

static void call_drop(cf_future_t *base) {
  call_frame_t *c = (call_frame_t *)base;
  cf_value_t v = {CF_JS_UNDEFINED, 0, NULL, 0};
  if (!c->settled)
    settle(c, CF_ECANCELED, &v);
}

static const cf_future_vtable_t call_vt = {"call", call_poll, call_drop,
                                           CF_VT_ASYNC};

/* Start export `name` with `args` (taken over in every case) as a task.
 * Returns the call's record address (for cfw_call_abort), or a CF_E* code:
 * CF_ENOENT for an unknown name, the init's error, CF_ENOMEM. */
EMSCRIPTEN_KEEPALIVE intptr_t cfw_call_start(cf_runtime_t *rt,
                                             const char *name, cf_args_t *args,
                                             uint32_t call_id) {
  const cf_export_t *def = cf_export_find(name);
  size_t total;
  call_frame_t *c;
  call_rec_t *rec;
  int rc;
  if (!def) {
    cfw_args_free(args);
    return CF_ENOENT;
  }
  total = INNER_OFF + def->frame_size;
  c = cf_malloc(total);
  rec = cf_malloc(sizeof *rec);
  if (!c || !rec) {
    cf_free(c, total);
    cf_free(rec, sizeof *rec);
    cfw_args_free(args);
    return CF_ENOMEM;
  }
  memset(c, 0, total);
  rc = def->init(inner_of(c), args);
  if (rc < 0) {
    cf_free(c, total);
    cf_free(rec, sizeof *rec);
    cfw_args_free(args);
    return rc;
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
    cfw_args_free(args);
  }
  cf_free(c, total); /* the task owns its copy */
  return rc < 0 ? rc : (intptr_t)rec;
}

EMSCRIPTEN_KEEPALIVE void cfw_call_abort(call_rec_t *rec) {
  rec->aborted = 1;
  cf_waker_wake_by_ref(&rec->waker);
}
