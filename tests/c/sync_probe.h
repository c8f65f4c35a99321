/* sync_probe.h: a hand-driven waker for the channel/sync/stream tests, so
 * a test can poll futures one step at a time and see exactly which were
 * woken ("at every point" tests). Each probe counts wakes and the clones
 * it has outstanding; a test ends with live == 0 (no leaked waker). */
#ifndef CF_SYNC_PROBE_H
#define CF_SYNC_PROBE_H

#include "harness.h"

typedef struct probe {
  unsigned wakes;
  int live; /* clones not yet dropped or consumed */
} probe_t;

static cf_waker_t probe_clone(const cf_waker_t *w) {
  ((probe_t *)w->data)->live++;
  return *w;
}
static void probe_wake_by_ref(const cf_waker_t *w) {
  ((probe_t *)w->data)->wakes++;
}
static void probe_wake(cf_waker_t *w) {
  probe_wake_by_ref(w);
  ((probe_t *)w->data)->live--;
}
static void probe_drop(cf_waker_t *w) {
  ((probe_t *)w->data)->live--;
}
static const cf_waker_vtable_t probe_vt = {probe_clone, probe_wake,
                                           probe_wake_by_ref, probe_drop};

/* Poll f with p's waker (no runtime, unlimited coop budget). */
static inline cf_poll_t probe_poll(probe_t *p, cf_future_t *f) {
  cf_waker_t w = cf_waker_from_raw(&probe_vt, p, 0);
  cf_context_t cx = {&w, NULL, NULL, NULL};
  return cf_future_poll(f, &cx);
}

static inline cf_poll_t probe_poll_next(probe_t *p, cf_stream_t *s, void *item,
                                        int *res) {
  cf_waker_t w = cf_waker_from_raw(&probe_vt, p, 0);
  cf_context_t cx = {&w, NULL, NULL, NULL};
  return cf_stream_poll_next(s, &cx, item, res);
}

#endif
