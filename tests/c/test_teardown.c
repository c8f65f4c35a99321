/* test_teardown.c: cf_runtime_free called from inside the runtime's own
 * frames (a task's poll, a waker callback, a drop, block_on's root poll, a
 * host completion) is deferred until the outermost frame unwinds; while it
 * is pending the runtime refuses new work with CF_ESHUTDOWN; the frame that
 * frees it reports CF_ESHUTDOWN and every task, timer and byte is released.
 * The harness checks live bytes after each case; ASan and valgrind catch a
 * touch of the freed runtime. */
#include "harness.h"
#include "runtime_internal.h"

/* What a hook saw after it freed the runtime. */
typedef struct seen {
  cf_runtime_t *rt;
  int frees;       /* cf_runtime_free calls made by hooks */
  int spawn_rc;    /* cf_spawn after the free */
  int turn_rc;     /* cf_runtime_turn after the free */
  int stalled_rc;  /* cf_runtime_run_until_stalled after the free */
  int block_rc;    /* cf_block_on after the free */
  int spawn_drops; /* drops of the future whose spawn was refused */
  int drops;       /* drops of dropper futures */
  int polls;
} seen_t;

/* Free the runtime and try everything that must now be refused. */
static void free_and_probe(seen_t *s) {
  cf_pending_t p;
  cf_ready_t r;
  cf_runtime_free(s->rt);
  cf_runtime_free(s->rt); /* a second call is a no-op */
  s->frees++;
  cf_pending_init(&p);
  s->spawn_rc = CF_SPAWN(s->rt, &p, "late", NULL);
  if (p.base.state == CF_FUTURE_UNPOLLED) /* still ours: drop it */
    s->spawn_drops++;
  cf_future_drop(&p.base);
  s->turn_rc = cf_runtime_turn(s->rt);
  s->stalled_rc = cf_runtime_run_until_stalled(s->rt);
  cf_ready_init(&r, 7);
  s->block_rc = cf_block_on(s->rt, &r.base);
  cf_future_drop(&r.base);
}

static void check_refusals(const seen_t *s) {
  CHECK_EQ(s->frees, 1);
  CHECK_EQ(s->spawn_rc, CF_ESHUTDOWN);
  CHECK_EQ(s->spawn_drops, 1);
  CHECK_EQ(s->turn_rc, CF_ESHUTDOWN);
  CHECK_EQ(s->stalled_rc, CF_ESHUTDOWN);
  CHECK_EQ(s->block_rc, CF_ESHUTDOWN);
}

/* A future whose poll and drop can free the runtime. */
typedef struct dropper {
  seen_t *s;
  int free_in_poll, free_in_drop, ready_at, polls, drops;
  cf_waker_t waker;
} dropper_t;

static cf_poll_t dropper_poll(void *env, cf_context_t *cx, int *rc) {
  dropper_t *d = env;
  d->polls++;
  d->s->polls++;
  if (d->free_in_poll && d->polls == d->free_in_poll)
    free_and_probe(d->s);
  if (d->ready_at && d->polls >= d->ready_at) {
    *rc = 0;
    return CF_READY;
  }
  cf_waker_register(&d->waker, cx->waker);
  return CF_PENDING;
}

static void dropper_drop(void *env) {
  dropper_t *d = env;
  d->drops++;
  d->s->drops++;
  cf_waker_drop(&d->waker);
  if (d->free_in_drop)
    free_and_probe(d->s);
}

static void dropper_init(cf_poll_fn_t *f, dropper_t *d, seen_t *s) {
  memset(d, 0, sizeof *d);
  d->s = s;
  cf_poll_fn_init(f, dropper_poll, d, dropper_drop);
}

/* A task frees the runtime in its poll: the turn polls nothing after it,
 * reports CF_ESHUTDOWN, and queued, sleeping and the polling task itself
 * are all dropped. */
static void test_free_in_poll(void) {
  th_env_t env;
  seen_t s = {0};
  dropper_t d[4];
  cf_poll_fn_t f[4];
  cf_sleep_t nap;
  int i;
  th_env_open(&env);
  s.rt = env.rt;
  for (i = 0; i < 4; i++) {
    dropper_init(&f[i], &d[i], &s);
    CHECK_EQ(CF_SPAWN(env.rt, &f[i], "t", NULL), 0);
  }
  d[1].free_in_poll = 1; /* tasks 2 and 3 are queued behind it */
  cf_sleep_init(&nap, 1000);
  CHECK_EQ(CF_SPAWN(env.rt, &nap, "nap", NULL), 0);
  CHECK_EQ(cf_runtime_turn(env.rt), CF_ESHUTDOWN);
  check_refusals(&s);
  CHECK_EQ(d[0].polls, 1);
  CHECK_EQ(d[1].polls, 1);
  CHECK_EQ(d[2].polls, 0); /* never polled after the free */
  CHECK_EQ(d[3].polls, 0);
  for (i = 0; i < 4; i++)
    CHECK_EQ(d[i].drops, 1);
  cf_virtual_driver_free(env.drv);
}

/* The same from run_until_stalled, with the freeing task ready in the
 * poll that frees. */
static void test_free_in_poll_stalled(void) {
  th_env_t env;
  seen_t s = {0};
  dropper_t d;
  cf_poll_fn_t f;
  th_env_open(&env);
  s.rt = env.rt;
  dropper_init(&f, &d, &s);
  d.free_in_poll = 2;
  d.ready_at = 2;
  CHECK_EQ(CF_SPAWN(env.rt, &f, "t", NULL), 0);
  CHECK_EQ(cf_runtime_turn(env.rt), 1);
  cf_waker_wake_by_ref(&d.waker);
  CHECK_EQ(cf_runtime_run_until_stalled(env.rt), CF_ESHUTDOWN);
  check_refusals(&s);
  CHECK_EQ(d.polls, 2);
  CHECK_EQ(d.drops, 1);
  cf_virtual_driver_free(env.drv);
}

/* ---- a waker callback frees the runtime ---- */

typedef struct user_waker {
  seen_t *s;
  int clones, wakes, dropped;
} user_waker_t;

static cf_waker_t uw_clone(const cf_waker_t *w) {
  ((user_waker_t *)w->data)->clones++;
  return *w;
}
static void uw_wake_by_ref(const cf_waker_t *w) {
  user_waker_t *u = w->data;
  u->wakes++;
  free_and_probe(u->s);
}
static void uw_drop(cf_waker_t *w) {
  ((user_waker_t *)w->data)->dropped++;
}
static void uw_wake(cf_waker_t *w) {
  uw_wake_by_ref(w);
  uw_drop(w);
}
static const cf_waker_vtable_t uw_vt = {uw_clone, uw_wake, uw_wake_by_ref,
                                        uw_drop};

/* A timer fires inside a turn and wakes a user waker that frees the
 * runtime: the turn stops before polling the queued task. */
static void test_free_in_waker(void) {
  th_env_t env;
  seen_t s = {0};
  user_waker_t u = {0};
  cf_waker_t w;
  cf_context_t cx;
  cf_sleep_t nap;
  dropper_t d;
  cf_poll_fn_t f;
  th_env_open(&env);
  s.rt = env.rt;
  u.s = &s;
  w = cf_waker_from_raw(&uw_vt, &u, 0);
  cx.waker = &w;
  cx.rt = env.rt;
  cx.task = NULL;
  cx.coop = NULL;
  cf_sleep_init(&nap, 10);
  CHECK_EQ(cf_future_poll(&nap.base, &cx), CF_PENDING);
  dropper_init(&f, &d, &s);
  CHECK_EQ(CF_SPAWN(env.rt, &f, "t", NULL), 0);
  cf_virtual_driver_advance(env.drv, 10);
  CHECK_EQ(cf_runtime_turn(env.rt), CF_ESHUTDOWN);
  check_refusals(&s);
  CHECK_EQ(u.wakes, 1);
  CHECK_EQ(u.clones, u.dropped);
  CHECK_EQ(d.polls, 0);
  CHECK_EQ(d.drops, 1);
  /* The fired sleep no longer refers to the runtime's heap. */
  cf_future_drop(&nap.base);
  cf_virtual_driver_free(env.drv);
}

/* A task finishing inside a turn wakes its join handle's user waker,
 * which frees the runtime. */
static void test_free_in_join_waker(void) {
  th_env_t env;
  seen_t s = {0};
  user_waker_t u = {0};
  cf_waker_t w;
  cf_context_t cx;
  cf_join_handle_t h;
  dropper_t d;
  cf_poll_fn_t f;
  th_env_open(&env);
  s.rt = env.rt;
  u.s = &s;
  w = cf_waker_from_raw(&uw_vt, &u, 0);
  cx.waker = &w;
  cx.rt = env.rt;
  cx.task = NULL;
  cx.coop = NULL;
  dropper_init(&f, &d, &s);
  d.ready_at = 1;
  CHECK_EQ(CF_SPAWN(env.rt, &f, "t", &h), 0);
  CHECK_EQ(cf_future_poll(&h.base, &cx), CF_PENDING);
  CHECK_EQ(cf_runtime_turn(env.rt), CF_ESHUTDOWN);
  check_refusals(&s);
  CHECK_EQ(u.wakes, 1);
  CHECK_EQ(u.clones, u.dropped);
  CHECK_EQ(d.drops, 1);
  /* h refers to the freed runtime: like any handle, it is not touched. */
  cf_virtual_driver_free(env.drv);
}

/* ---- drops free the runtime ---- */

/* A detached task's drop (run when it completes inside a turn). */
static void test_free_in_drop_in_turn(void) {
  th_env_t env;
  seen_t s = {0};
  dropper_t d[2];
  cf_poll_fn_t f[2];
  th_env_open(&env);
  s.rt = env.rt;
  dropper_init(&f[0], &d[0], &s);
  dropper_init(&f[1], &d[1], &s);
  d[0].ready_at = 1;
  d[0].free_in_drop = 1;
  CHECK_EQ(CF_SPAWN(env.rt, &f[0], "a", NULL), 0);
  CHECK_EQ(CF_SPAWN(env.rt, &f[1], "b", NULL), 0);
  CHECK_EQ(cf_runtime_turn(env.rt), CF_ESHUTDOWN);
  check_refusals(&s);
  CHECK_EQ(d[1].polls, 0);
  CHECK_EQ(d[0].drops, 1);
  CHECK_EQ(d[1].drops, 1);
  cf_virtual_driver_free(env.drv);
}

/* Outside any turn: cf_task_abort, dropping a handle and cf_task_detach
 * run the task's drop, which frees the runtime; the call returns normally
 * and the runtime is gone. */
static void free_in_drop_outside(int how) {
  th_env_t env;
  seen_t s = {0};
  dropper_t d[2];
  cf_poll_fn_t f[2];
  cf_join_handle_t h;
  th_env_open(&env);
  s.rt = env.rt;
  dropper_init(&f[0], &d[0], &s);
  dropper_init(&f[1], &d[1], &s);
  d[0].free_in_drop = 1;
  d[0].ready_at = how == 2 ? 1 : 0; /* detach frees a finished task */
  CHECK_EQ(CF_SPAWN(env.rt, &f[0], "a", &h), 0);
  CHECK_EQ(CF_SPAWN(env.rt, &f[1], "b", NULL), 0);
  CHECK_EQ(cf_runtime_turn(env.rt), 2);
  CHECK_EQ(s.frees, 0);
  if (how == 0)
    CHECK_EQ(cf_task_abort(&h), 0);
  else if (how == 1)
    cf_future_drop(&h.base);
  else
    cf_task_detach(&h);
  check_refusals(&s);
  CHECK_EQ(d[0].drops, 1);
  CHECK_EQ(d[1].drops, 1);
  cf_virtual_driver_free(env.drv);
}
static void test_free_in_drop_abort(void) {
  free_in_drop_outside(0);
}
static void test_free_in_drop_handle(void) {
  free_in_drop_outside(1);
}
static void test_free_in_drop_detach(void) {
  free_in_drop_outside(2);
}

/* A join set's drop aborts its tasks in a loop; the first drop frees the
 * runtime, and the loop still reaches every other task. */
static void test_free_in_join_set_drop(void) {
  th_env_t env;
  seen_t s = {0};
  dropper_t d[3];
  cf_poll_fn_t f[3];
  cf_join_set_t set;
  int i;
  th_env_open(&env);
  s.rt = env.rt;
  cf_join_set_init(&set, env.rt);
  for (i = 0; i < 3; i++) {
    dropper_init(&f[i], &d[i], &s);
    d[i].free_in_drop = i == 1;
    CHECK_EQ(CF_JOIN_SET_SPAWN(&set, &f[i], "s", NULL), 0);
  }
  CHECK_EQ(cf_runtime_turn(env.rt), 3);
  cf_join_set_drop(&set);
  check_refusals(&s);
  for (i = 0; i < 3; i++)
    CHECK_EQ(d[i].drops, 1);
  cf_virtual_driver_free(env.drv);
}

/* A drop run by the teardown itself frees again and spawns: no-ops. */
static void test_free_in_drop_during_free(void) {
  th_env_t env;
  seen_t s = {0};
  dropper_t d[2];
  cf_poll_fn_t f[2];
  th_env_open(&env);
  s.rt = env.rt;
  dropper_init(&f[0], &d[0], &s);
  dropper_init(&f[1], &d[1], &s);
  d[0].free_in_drop = 1;
  CHECK_EQ(CF_SPAWN(env.rt, &f[0], "a", NULL), 0);
  CHECK_EQ(CF_SPAWN(env.rt, &f[1], "b", NULL), 0);
  CHECK_EQ(cf_runtime_turn(env.rt), 2);
  cf_runtime_free(env.rt);
  check_refusals(&s);
  CHECK_EQ(d[0].drops, 1);
  CHECK_EQ(d[1].drops, 1);
  cf_virtual_driver_free(env.drv);
}

/* ---- block_on ---- */

/* The root future frees the runtime in its poll (holding a clone of the
 * root waker): block_on drops it while the runtime still exists and
 * returns CF_ESHUTDOWN. */
static void test_free_in_block_on_root(void) {
  th_env_t env;
  seen_t s = {0};
  dropper_t d, other;
  cf_poll_fn_t f, g;
  th_env_open(&env);
  s.rt = env.rt;
  dropper_init(&f, &d, &s);
  dropper_init(&g, &other, &s);
  d.free_in_poll = 1; /* it registers the root waker after freeing */
  CHECK_EQ(CF_SPAWN(env.rt, &g, "other", NULL), 0);
  CHECK_EQ(cf_block_on(env.rt, &f.base), CF_ESHUTDOWN);
  check_refusals(&s);
  CHECK_EQ(d.drops, 1);
  CHECK_EQ(other.polls, 0); /* spawned before, never polled */
  CHECK_EQ(other.drops, 1);
  CHECK_EQ(f.base.state, CF_FUTURE_DROPPED);
  cf_future_drop(&f.base); /* the caller's drop is a no-op now */
  CHECK_EQ(d.drops, 1);
  cf_virtual_driver_free(env.drv);
}

/* Inside block_on, a task frees the runtime; the root future (waiting on
 * a timer) is dropped and its timer released. A nested block_on from the
 * task after the free is refused. */
typedef struct root_nap {
  cf_future_t base;
  cf_sleep_t nap;
  int drops;
} root_nap_t;
static cf_poll_t root_nap_poll(cf_future_t *f, cf_context_t *cx) {
  root_nap_t *r = (root_nap_t *)f;
  if (cf_future_poll(&r->nap.base, cx) == CF_PENDING)
    return CF_PENDING;
  f->rc = 0;
  return CF_READY;
}
static void root_nap_drop(cf_future_t *f) {
  root_nap_t *r = (root_nap_t *)f;
  r->drops++;
  cf_future_drop(&r->nap.base);
}
static const cf_future_vtable_t root_nap_vt = {"root_nap", root_nap_poll,
                                               root_nap_drop, 0};

static void test_free_in_task_in_block_on(void) {
  th_env_t env;
  seen_t s = {0};
  dropper_t d;
  cf_poll_fn_t f;
  root_nap_t root;
  cf_runtime_stats_t st;
  th_env_open(&env);
  s.rt = env.rt;
  cf_future_init(&root.base, &root_nap_vt);
  cf_sleep_init(&root.nap, 50);
  root.drops = 0;
  dropper_init(&f, &d, &s);
  d.free_in_poll = 1;
  CHECK_EQ(CF_SPAWN(env.rt, &f, "t", NULL), 0);
  cf_runtime_stats(env.rt, &st);
  CHECK_EQ(st.live_tasks, 1);
  CHECK_EQ(cf_block_on(env.rt, &root.base), CF_ESHUTDOWN);
  check_refusals(&s); /* includes the nested block_on */
  CHECK_EQ(root.drops, 1);
  CHECK_EQ(d.drops, 1);
  cf_virtual_driver_free(env.drv);
}

/* ---- host completion (the wasm path, driven natively) ---- */

/* A host completion wakes a task and runs its turn inline (see
 * cf__runtime_host_enter); the task frees the runtime: leave reports it. */
static void test_free_in_host_completion(void) {
  th_env_t env;
  seen_t s = {0};
  dropper_t d;
  cf_poll_fn_t f;
  int entered;
  th_env_open(&env);
  s.rt = env.rt;
  dropper_init(&f, &d, &s);
  d.free_in_poll = 2;
  CHECK_EQ(CF_SPAWN(env.rt, &f, "t", NULL), 0);
  CHECK_EQ(cf_runtime_turn(env.rt), 1);
  entered = cf__runtime_host_enter(env.rt);
  CHECK_EQ(entered, 2);
  cf_waker_wake_by_ref(&d.waker); /* only enqueues: the turn runs in leave */
  CHECK_EQ(d.polls, 1);
  CHECK_EQ(cf__runtime_host_leave(env.rt, entered), 1);
  check_refusals(&s);
  CHECK_EQ(d.polls, 2);
  CHECK_EQ(d.drops, 1);
  cf_virtual_driver_free(env.drv);
}

/* Without a free, frames balance: a normal close still frees at once. */
static void test_frames_balance(void) {
  th_env_t env;
  dropper_t d;
  seen_t s = {0};
  cf_poll_fn_t f;
  cf_join_handle_t h;
  int entered;
  th_env_open(&env);
  s.rt = env.rt;
  dropper_init(&f, &d, &s);
  CHECK_EQ(CF_SPAWN(env.rt, &f, "t", &h), 0);
  CHECK_EQ(cf_runtime_turn(env.rt), 1);
  entered = cf__runtime_host_enter(env.rt);
  CHECK_EQ(cf__runtime_host_leave(env.rt, entered), 0);
  CHECK_EQ(cf_task_abort(&h), 0);
  cf_future_drop(&h.base);
  CHECK_EQ(env.rt->frames, 0);
  CHECK_EQ(env.rt->free_pending, 0);
  CHECK_EQ(d.drops, 1);
  th_env_close(&env);
}

TH_MAIN(TH_CASE(test_free_in_poll), TH_CASE(test_free_in_poll_stalled),
        TH_CASE(test_free_in_waker), TH_CASE(test_free_in_join_waker),
        TH_CASE(test_free_in_drop_in_turn), TH_CASE(test_free_in_drop_abort),
        TH_CASE(test_free_in_drop_handle), TH_CASE(test_free_in_drop_detach),
        TH_CASE(test_free_in_join_set_drop),
        TH_CASE(test_free_in_drop_during_free),
        TH_CASE(test_free_in_block_on_root),
        TH_CASE(test_free_in_task_in_block_on),
        TH_CASE(test_free_in_host_completion), TH_CASE(test_frames_balance))
