/* export.c: the registry of C async functions callable from JS and the
 * task wrapper behind rt.call (see cfuture/export.h; the arguments are in
 * args.c).
 *
 * A call is one task whose future is the export's own frame, watched
 * through its completion (cf__task_spawn_watched) rather than wrapped by
 * another frame, so the call costs nothing per poll. The JS side knows the
 * call by `rec` (a separate allocation, so it has a stable address before
 * the task exists). Invariants: the call settles its JS side exactly once
 * (when its task completes, is aborted, or is freed with the runtime);
 * `rec` and the arguments live until then, and the frame is dropped before
 * the arguments are freed; JS calls cfw_call_abort only before it has seen
 * the settlement. */
#include <emscripten.h>
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "../runtime_internal.h"
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

/* A call's task is the export's own frame (nothing wraps it, so each of
 * its polls costs no extra frame); the call is watched from outside the
 * frame through the task's completion (cf__task_spawn_watched) by a waker
 * whose data is this record. JS knows the call by `rec` (it exists before
 * the task does). */
typedef struct call_rec {
  uint32_t id;
  const cf_export_t *def;
  cf_args_t *args;
  cf_task_t *task;
  uint64_t task_id;
} call_rec_t;

static void rec_free(call_rec_t *rec) {
  cfw_args_free(rec->args);
  cf_free(rec, sizeof *rec);
}

/* The call's one settlement. JS copies the value and message out before
 * anything can free them; the frame is dropped before its arguments are
 * freed (it may point into them). */
static void settle(call_rec_t *rec, cf_future_t *frame, int rc,
                   const cf_value_t *v, const char *msg) {
  cfjs_call_settle(rec->id, rc, (int)v->type, v->number, v->data, v->len, msg,
                   msg ? strlen(msg) : 0);
  cf_future_drop(frame);
  rec_free(rec);
}

/* The task completed: ready, aborted (rt.call's signal), or aborted by
 * the runtime's free (its frame already dropped in both abort cases). */
static void call_done(cf_waker_t *w) {
  call_rec_t *rec = w->data;
  cf_task_t *t = rec->task;
  cf_future_t *frame = cf__task_future(t);
  cf_value_t v = {CF_JS_UNDEFINED, 0, NULL, 0};
  const char *msg = NULL;
  int rc = frame->rc;
  if (t->flags & CF_T_CANCELED) {
    rc = CF_ECANCELED;
    if (cf__rt_closing(t->rt))
      msg = "the runtime was disposed";
  } else if (rc >= 0 && rec->def->result) {
    rec->def->result(frame, &v);
  } else if (rc < 0 && rec->def->error) {
    msg = rec->def->error(frame, rc);
  }
  settle(rec, frame, rc, &v, msg);
}

/* Freed without completing: not reached today (the runtime's free aborts
 * every unfinished task first), but the call must still settle once. */
static void call_lost(cf_waker_t *w) {
  call_rec_t *rec = w->data;
  cf_value_t v = {CF_JS_UNDEFINED, 0, NULL, 0};
  settle(rec, cf__task_future(rec->task), CF_ECANCELED, &v,
         "the runtime was disposed");
}

static cf_waker_t call_clone(const cf_waker_t *w) {
  (void)w;
  return CF_WAKER_NONE; /* never cloned (see cf__task_spawn_watched) */
}

static void call_wake_by_ref(const cf_waker_t *w) {
  (void)w;
}

static const cf_waker_vtable_t call_watch_vt = {call_clone, call_done,
                                                call_wake_by_ref, call_lost};

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
  cf_future_t *frame;
  call_rec_t *rec;
  cf_waker_t watcher;
  cf_task_t *t;
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
  frame = cf_malloc(def->frame_size);
  rec = cf_malloc(sizeof *rec);
  if (!frame || !rec) {
    cf_free(frame, def->frame_size);
    cf_free(rec, sizeof *rec);
    return start_failed(args, CF_ENOMEM, "out of memory");
  }
  memset(frame, 0, def->frame_size);
  rc = def->init(frame, args);
  if (rc < 0) {
    cf_free(frame, def->frame_size);
    cf_free(rec, sizeof *rec);
    return start_failed(args, rc, NULL);
  }
  rec->id = call_id;
  rec->def = def;
  rec->args = args;
  watcher = cf_waker_from_raw(&call_watch_vt, rec, 0);
  t = cf__task_spawn_watched(rt, frame, def->frame_size, def->name, &watcher,
                             &rc);
  if (!t) {
    cf_future_drop(frame);
    cf_free(rec, sizeof *rec);
    cf_free(frame, def->frame_size);
    return start_failed(
        args, rc, rc == CF_ESHUTDOWN ? "the runtime is being disposed" : NULL);
  }
  rec->task = t;
  rec->task_id = t->id;
  cf_free(frame, def->frame_size); /* the task owns its copy */
  return (intptr_t)rec;
}

/* JS calls this only before it has seen the settlement, so rec and its
 * task are still there. The settlement may come from inside this call
 * (JS has forgotten the call by then and ignores it). */
EMSCRIPTEN_KEEPALIVE void cfw_call_abort(call_rec_t *rec) {
  cf__task_abort_by_id(rec->task, rec->task_id);
}
