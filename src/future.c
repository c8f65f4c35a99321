/* future.c: the generic parts of the future protocol: misuse reporting,
 * rearm, the coroutine drop helper and the ready-made futures.
 * Invariant: a future's vt->drop runs at most once (state DROPPED guards
 * it) and never for a future whose copy was moved into a task. */
#include <stdio.h>
#ifdef __EMSCRIPTEN__
#include <emscripten/console.h>
#endif

#include "cfuture/async.h"
#include "cfuture/error.h"
#include "cfuture/future.h"

/* Appends s to buf[*n..cap-1], truncating; buf stays NUL-terminated. */
static void append(char *buf, size_t cap, size_t *n, const char *s) {
  while (*s && *n + 1 < cap)
    buf[(*n)++] = *s++;
  buf[*n] = '\0';
}

/* The misuse codes only: naming them here keeps the error table (and its
 * messages) out of modules that never ask for it. */
static const char *misuse_text(int err) {
  switch (err) {
  case CF_EPOLLED:
    return "polled after it returned ready";
  case CF_EMOVED:
    return "moved after it was pinned";
  default:
    return "not a valid future";
  }
}

/* One line built by hand: fprintf would link printf's formatting engine,
 * a quarter of a small wasm module, for this one line. On wasm the line
 * goes straight to console.error (where Emscripten's stderr ends up
 * anyway): stdio's FILE machinery was ~1 KB of the W8 module for it. */
static void default_misuse(const cf_future_t *f, int err, void *ud) {
  char line[192];
  size_t n = 0;
  (void)ud;
  append(line, sizeof line - 1, &n, "cfuture: misuse of future '");
  append(line, sizeof line - 1, &n, f->vt && f->vt->name ? f->vt->name : "?");
  append(line, sizeof line - 1, &n, "': ");
  append(line, sizeof line - 1, &n, misuse_text(err));
#ifdef __EMSCRIPTEN__
  emscripten_console_error(line);
#else
  append(line, sizeof line, &n, "\n"); /* room kept for it */
  fputs(line, stderr);
#endif
}

static cf_misuse_fn misuse_hook = default_misuse;
static void *misuse_ud;
static unsigned long misuse_count;

void cf_set_misuse_hook(cf_misuse_fn fn, void *ud) {
  misuse_hook = fn ? fn : default_misuse;
  misuse_ud = fn ? ud : NULL;
}

unsigned long cf_misuse_count(void) {
  return misuse_count;
}

cf_poll_t cf__future_misuse(cf_future_t *f, int err) {
  misuse_count++;
  if (err == CF_EINVAL) {
    f->rc = CF_EINVAL; /* an all-zero future: nothing to poll */
    f->state = CF_FUTURE_DONE;
    f->pinned_at = f;
  } else if (err == CF_EMOVED && f->state == CF_FUTURE_POLLED) {
    /* The frame was copied after pinning: its registrations point at the
     * old address. Finish it with an error rather than run it. */
    f->rc = CF_EMOVED;
    f->state = CF_FUTURE_DONE;
  }
  misuse_hook(f, err, misuse_ud);
  return CF_READY;
}

int cf_future_rearm(cf_future_t *f) {
  if (!(f->vt->flags & CF_VT_REARMABLE) || f->state != CF_FUTURE_DONE)
    return CF_EINVAL;
  f->state = CF_FUTURE_POLLED;
  return 0;
}

const cf_future_t *cf_future_awaiting(const cf_future_t *f) {
  if (!f || !f->vt || !(f->vt->flags & CF_VT_ASYNC) ||
      f->state != CF_FUTURE_POLLED)
    return NULL;
  return ((const cf_async_t *)f)->awaiting;
}

void cf_async_drop_awaiting(cf_async_t *co) {
  cf_future_t *child = co->awaiting;
  co->awaiting = NULL;
  cf_future_drop(child);
}

/* ---- ready-made futures ---- */

static cf_poll_t ready_poll(cf_future_t *f, cf_context_t *cx) {
  (void)f;
  (void)cx;
  return CF_READY;
}
static const cf_future_vtable_t ready_vt = {"ready", ready_poll, NULL, 0};

void cf_ready_init(cf_ready_t *f, int rc) {
  cf_future_init(&f->base, &ready_vt);
  f->base.rc = rc;
}

static cf_poll_t pending_poll(cf_future_t *f, cf_context_t *cx) {
  (void)f;
  (void)cx;
  return CF_PENDING;
}
static const cf_future_vtable_t pending_vt = {"pending", pending_poll, NULL, 0};

void cf_pending_init(cf_pending_t *f) {
  cf_future_init(&f->base, &pending_vt);
}

static cf_poll_t poll_fn_poll(cf_future_t *f, cf_context_t *cx) {
  cf_poll_fn_t *p = (cf_poll_fn_t *)f;
  int rc = 0;
  cf_poll_t r = p->fn(p->env, cx, &rc);
  if (r == CF_READY)
    f->rc = rc;
  return r;
}
static void poll_fn_drop(cf_future_t *f) {
  cf_poll_fn_t *p = (cf_poll_fn_t *)f;
  if (p->drop)
    p->drop(p->env);
}
static const cf_future_vtable_t poll_fn_vt = {"poll_fn", poll_fn_poll,
                                              poll_fn_drop, 0};

void cf_poll_fn_init(cf_poll_fn_t *f, cf_poll_fn_fn fn, void *env,
                     void (*drop)(void *env)) {
  cf_future_init(&f->base, &poll_fn_vt);
  f->fn = fn;
  f->env = env;
  f->drop = drop;
}
