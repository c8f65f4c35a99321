/* test_tasks.c: tasks under stress. The reentrancy matrix (what a poll may
 * do to itself and to others: wake, spawn, abort, drop its own handle,
 * nested block_on / turn), the abort matrix (before / during / after
 * completion, repeated, from another task, by dropping the handle, detach,
 * resources released before the joiner sees CF_ECANCELED), and chains of
 * 1e5 tasks completing or waking each other without deep recursion. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "harness.h"

/* Shared state for hooks: who is running, what the hook saw. */
typedef struct reent {
  th_env_t *env;
  th_probe_t *self, *other;
  cf_join_handle_t *self_h, *other_h;
  int depth, max_depth; /* nesting of probe polls: must stay 1 */
  int action, rc1, rc2;
  int other_polls_seen, other_drops_seen, self_drops_seen;
  th_probe_t *spawned;
  cf_poll_fn_t spawned_fut;
  cf_join_handle_t spawned_h;
} reent_t;

enum {
  A_WAKE_SELF = 1,
  A_WAKE_OTHER,
  A_SPAWN,
  A_ABORT_SELF,
  A_ABORT_OTHER,
  A_DROP_OWN_HANDLE,
  A_BLOCK_ON,
  A_TURN
};

static void reent_hook(th_probe_t *p, cf_context_t *cx) {
  reent_t *r = p->ud;
  cf_ready_t inner;
  if (++r->depth > r->max_depth)
    r->max_depth = r->depth;
  if (p->polls == 1) {
    switch (r->action) {
    case A_WAKE_SELF:
      cf_waker_wake_by_ref(cx->waker);
      cf_waker_wake_by_ref(cx->waker); /* twice: still one more poll */
      r->rc1 = p->polls;               /* not re-polled inside */
      break;
    case A_WAKE_OTHER:
      th_probe_wake(r->other);
      r->other_polls_seen = r->other->polls;
      break;
    case A_SPAWN:
      th_probe_init(&r->spawned_fut, r->spawned);
      r->rc1 = CF_SPAWN(cx->rt, &r->spawned_fut, "child", &r->spawned_h);
      r->other_polls_seen = r->spawned->polls;
      break;
    case A_ABORT_SELF:
      r->rc1 = cf_task_abort(r->self_h);
      r->rc2 = cf_task_abort(r->self_h);
      r->self_drops_seen = p->drops;
      break;
    case A_ABORT_OTHER:
      r->rc1 = cf_task_abort(r->other_h);
      r->other_drops_seen = r->other->drops;
      r->rc2 = cf_task_abort(r->other_h);
      break;
    case A_DROP_OWN_HANDLE:
      cf_future_drop(&r->self_h->base);
      r->self_drops_seen = p->drops;
      break;
    case A_BLOCK_ON:
      cf_ready_init(&inner, 3);
      r->rc1 = cf_block_on(cx->rt, &inner.base);
      cf_future_drop(&inner.base);
      break;
    case A_TURN:
      r->rc1 = cf_runtime_turn(cx->rt);
      r->rc2 = cf_runtime_run_until_stalled(cx->rt);
      break;
    }
  }
  r->depth--;
}

/* Spawn "self" (with the hook) and "other" (a plain probe), both pending
 * after their first poll unless the hook changes that. */
static void reent_setup(th_env_t *env, reent_t *r, th_probe_t *self,
                        th_probe_t *other, cf_join_handle_t *hs,
                        cf_join_handle_t *ho, cf_poll_fn_t *fs,
                        cf_poll_fn_t *fo, int action) {
  memset(r, 0, sizeof *r);
  memset(self, 0, sizeof *self);
  memset(other, 0, sizeof *other);
  r->env = env;
  r->self = self;
  r->other = other;
  r->self_h = hs;
  r->other_h = ho;
  r->action = action;
  self->on_poll = reent_hook;
  self->ud = r;
  th_probe_init(fo, other);
  th_probe_init(fs, self);
  /* other first, so it has been polled (and is idle) when self runs */
  CHECK_EQ(CF_SPAWN(env->rt, fo, "other", ho), 0);
  CHECK_EQ(CF_SPAWN(env->rt, fs, "self", hs), 0);
}

static void reentrancy_wake_self(void) {
  th_env_t env;
  reent_t r;
  th_probe_t self, other;
  cf_join_handle_t hs, ho;
  cf_poll_fn_t fs, fo;
  th_env_open(&env);
  reent_setup(&env, &r, &self, &other, &hs, &ho, &fs, &fo, A_WAKE_SELF);
  CHECK_EQ(cf_runtime_turn(env.rt), 3); /* other, self, self again */
  CHECK_EQ(r.rc1, 1);
  CHECK_EQ(self.polls, 2);
  CHECK_EQ(r.max_depth, 1);
  CHECK_EQ(cf_runtime_run_until_stalled(env.rt), 0);
  cf_future_drop(&hs.base);
  cf_future_drop(&ho.base);
  CHECK_EQ(self.drops, 1);
  CHECK_EQ(other.drops, 1);
  th_env_close(&env);
}

static void reentrancy_wake_other(void) {
  th_env_t env;
  reent_t r;
  th_probe_t self, other;
  cf_join_handle_t hs, ho;
  cf_poll_fn_t fs, fo;
  th_env_open(&env);
  reent_setup(&env, &r, &self, &other, &hs, &ho, &fs, &fo, A_WAKE_OTHER);
  CHECK_EQ(cf_runtime_turn(env.rt), 3); /* other, self, other again */
  CHECK_EQ(r.other_polls_seen, 1);      /* not polled inside the wake */
  CHECK_EQ(other.polls, 2);
  CHECK_EQ(self.polls, 1);
  cf_future_drop(&hs.base);
  cf_future_drop(&ho.base);
  th_env_close(&env);
}

static void reentrancy_spawn(void) {
  th_env_t env;
  reent_t r;
  th_probe_t self, other, child = {0};
  cf_join_handle_t hs, ho;
  cf_poll_fn_t fs, fo;
  th_env_open(&env);
  reent_setup(&env, &r, &self, &other, &hs, &ho, &fs, &fo, A_SPAWN);
  r.spawned = &child;
  CHECK_EQ(cf_runtime_turn(env.rt), 3); /* other, self, child */
  CHECK_EQ(r.rc1, 0);
  CHECK_EQ(r.other_polls_seen, 0); /* never inside spawn */
  CHECK_EQ(child.polls, 1);
  CHECK_EQ(cf_task_id(&r.spawned_h), 3);
  CHECK_STR(cf_task_name(&r.spawned_h), "child");
  cf_future_drop(&r.spawned_h.base);
  CHECK_EQ(child.drops, 1);
  cf_future_drop(&hs.base);
  cf_future_drop(&ho.base);
  th_env_close(&env);
}

static void reentrancy_abort_self(void) {
  th_env_t env;
  reent_t r;
  th_probe_t self, other;
  cf_join_handle_t hs, ho;
  cf_poll_fn_t fs, fo;
  th_env_open(&env);
  reent_setup(&env, &r, &self, &other, &hs, &ho, &fs, &fo, A_ABORT_SELF);
  self.self_wake = 1; /* would run again if the abort were lost */
  cf_runtime_turn(env.rt);
  CHECK_EQ(r.rc1, 0);
  CHECK_EQ(r.rc2, CF_EAGAIN);
  CHECK_EQ(r.self_drops_seen, 0); /* not dropped under its own poll */
  CHECK_EQ(self.drops, 1);        /* but right after it */
  CHECK_EQ(self.polls, 1);
  CHECK(cf_task_is_finished(&hs));
  CHECK_EQ(cf_task_abort(&hs), CF_EAGAIN);
  CHECK_EQ(cf_block_on(env.rt, &hs.base), CF_ECANCELED);
  CHECK(cf_join_handle_output(&hs) == NULL);
  cf_future_drop(&hs.base);
  cf_future_drop(&ho.base);
  th_env_close(&env);
}

static void reentrancy_abort_other(void) {
  th_env_t env;
  reent_t r;
  th_probe_t self, other;
  cf_join_handle_t hs, ho;
  cf_poll_fn_t fs, fo;
  th_env_open(&env);
  reent_setup(&env, &r, &self, &other, &hs, &ho, &fs, &fo, A_ABORT_OTHER);
  cf_runtime_turn(env.rt);
  CHECK_EQ(r.rc1, 0);
  CHECK_EQ(r.other_drops_seen, 1); /* an idle task is dropped at once */
  CHECK_EQ(r.rc2, CF_EAGAIN);
  CHECK_EQ(cf_block_on(env.rt, &ho.base), CF_ECANCELED);
  CHECK_EQ(other.polls, 1);
  cf_future_drop(&hs.base);
  cf_future_drop(&ho.base);
  th_env_close(&env);
}

static void reentrancy_drop_own_handle(void) {
  th_env_t env;
  reent_t r;
  th_probe_t self, other;
  cf_join_handle_t hs, ho;
  cf_poll_fn_t fs, fo;
  cf_runtime_stats_t st;
  th_env_open(&env);
  reent_setup(&env, &r, &self, &other, &hs, &ho, &fs, &fo, A_DROP_OWN_HANDLE);
  self.self_wake = 1;
  cf_runtime_turn(env.rt);
  CHECK_EQ(r.self_drops_seen, 0);
  CHECK_EQ(self.drops, 1); /* dropping the handle aborted it */
  CHECK_EQ(self.polls, 1);
  cf_runtime_stats(env.rt, &st);
  CHECK_EQ(st.live_tasks, 1); /* only "other" */
  cf_future_drop(&hs.base);   /* idempotent */
  cf_future_drop(&ho.base);
  th_env_close(&env);
}

static void reentrancy_nested_block_on_and_turn(void) {
  th_env_t env;
  reent_t r;
  th_probe_t self, other;
  cf_join_handle_t hs, ho;
  cf_poll_fn_t fs, fo;
  th_env_open(&env);
  reent_setup(&env, &r, &self, &other, &hs, &ho, &fs, &fo, A_BLOCK_ON);
  cf_runtime_turn(env.rt);
  CHECK_EQ(r.rc1, CF_EDEADLK);
  cf_future_drop(&hs.base);
  cf_future_drop(&ho.base);

  reent_setup(&env, &r, &self, &other, &hs, &ho, &fs, &fo, A_TURN);
  cf_runtime_turn(env.rt);
  CHECK_EQ(r.rc1, CF_EDEADLK);
  CHECK_EQ(r.rc2, CF_EDEADLK);
  CHECK_EQ(self.polls, 1);
  cf_future_drop(&hs.base);
  cf_future_drop(&ho.base);

  /* The same from the root future of a block_on (not a task). */
  {
    th_probe_t root = {0};
    cf_poll_fn_t fr;
    memset(&r, 0, sizeof r);
    r.action = A_BLOCK_ON;
    root.on_poll = reent_hook;
    root.ud = &r;
    root.ready_at = 1;
    th_probe_init(&fr, &root);
    CHECK_EQ(cf_block_on(env.rt, &fr.base), 0);
    CHECK_EQ(r.rc1, CF_EDEADLK);
    cf_future_drop(&fr.base);
    memset(&root, 0, sizeof root);
    memset(&r, 0, sizeof r);
    r.action = A_TURN;
    root.on_poll = reent_hook;
    root.ud = &r;
    root.ready_at = 1;
    th_probe_init(&fr, &root);
    CHECK_EQ(cf_block_on(env.rt, &fr.base), 0);
    CHECK_EQ(r.rc1, CF_EDEADLK);
    CHECK_EQ(r.rc2, CF_EDEADLK);
    cf_future_drop(&fr.base);
  }
  th_env_close(&env);
}

/* ---- the abort matrix ---- */

static void abort_before_first_poll(void) {
  th_env_t env;
  th_probe_t p = {0};
  cf_poll_fn_t f;
  cf_join_handle_t h;
  th_env_open(&env);
  th_probe_init(&f, &p);
  CHECK_EQ(CF_SPAWN(env.rt, &f, NULL, &h), 0);
  CHECK_EQ(cf_task_abort(&h), 0);
  CHECK_EQ(p.drops, 1);
  CHECK_EQ(cf_task_abort(&h), CF_EAGAIN);
  CHECK_EQ(cf_runtime_run_until_stalled(env.rt), 0);
  CHECK_EQ(p.polls, 0);
  CHECK_EQ(cf_block_on(env.rt, &h.base), CF_ECANCELED);
  cf_future_drop(&h.base);
  th_env_close(&env);
}

static void abort_while_pending_and_queued(void) {
  th_env_t env;
  th_probe_t p = {0}, q = {0};
  cf_poll_fn_t f, g;
  cf_join_handle_t h, hq;
  th_env_open(&env);
  th_probe_init(&f, &p);
  th_probe_init(&g, &q);
  CHECK_EQ(CF_SPAWN(env.rt, &f, NULL, &h), 0);
  CHECK_EQ(CF_SPAWN(env.rt, &g, NULL, &hq), 0);
  cf_runtime_run_until_stalled(env.rt);
  CHECK_EQ(cf_task_abort(&h), 0); /* idle */
  CHECK_EQ(p.drops, 1);
  th_probe_wake(&q); /* queued, then aborted before its poll */
  CHECK_EQ(cf_task_abort(&hq), 0);
  CHECK_EQ(q.drops, 1);
  CHECK_EQ(cf_runtime_run_until_stalled(env.rt), 0);
  CHECK_EQ(p.polls, 1);
  CHECK_EQ(q.polls, 1);
  CHECK_EQ(cf_task_abort(&h), CF_EAGAIN);
  CHECK_EQ(cf_block_on(env.rt, &h.base), CF_ECANCELED);
  CHECK_EQ(cf_block_on(env.rt, &hq.base), CF_ECANCELED);
  cf_future_drop(&h.base);
  cf_future_drop(&hq.base);
  th_env_close(&env);
}

/* Abort during the poll in which the task completes: the abort call
 * reported success, so the task ends canceled. */
static void abort_during_completing_poll(void) {
  th_env_t env;
  reent_t r;
  th_probe_t self, other;
  cf_join_handle_t hs, ho;
  cf_poll_fn_t fs, fo;
  th_env_open(&env);
  reent_setup(&env, &r, &self, &other, &hs, &ho, &fs, &fo, A_ABORT_SELF);
  self.ready_at = 1;
  self.rc = 9;
  cf_runtime_turn(env.rt);
  CHECK_EQ(r.rc1, 0);
  CHECK_EQ(cf_block_on(env.rt, &hs.base), CF_ECANCELED);
  CHECK(cf_join_handle_output(&hs) == NULL);
  CHECK_EQ(self.drops, 1);
  cf_future_drop(&hs.base);
  cf_future_drop(&ho.base);
  th_env_close(&env);
}

static void abort_after_completion_keeps_outcome(void) {
  th_env_t env;
  th_probe_t p = {0};
  cf_poll_fn_t f;
  cf_join_handle_t h;
  th_env_open(&env);
  p.ready_at = 1;
  p.rc = -1234;
  th_probe_init(&f, &p);
  CHECK_EQ(CF_SPAWN(env.rt, &f, NULL, &h), 0);
  cf_runtime_run_until_stalled(env.rt);
  CHECK_EQ(cf_task_abort(&h), CF_EINVAL);
  CHECK_EQ(cf_task_abort(&h), CF_EINVAL);
  CHECK_EQ(p.drops, 0); /* output kept for the handle */
  CHECK(cf_join_handle_output(&h) != NULL);
  CHECK_EQ(cf_block_on(env.rt, &h.base), -1234);
  CHECK(cf_join_handle_output(&h) != NULL);
  cf_future_drop(&h.base);
  CHECK_EQ(p.drops, 1);
  CHECK_EQ(cf_task_abort(&h), CF_EINVAL); /* released handle */
  CHECK_EQ(cf_task_abort(NULL), CF_EINVAL);
  th_env_close(&env);
}

static void drop_handle_of_pending_task_aborts(void) {
  th_env_t env;
  th_probe_t p = {0};
  cf_poll_fn_t f;
  cf_join_handle_t h;
  cf_runtime_stats_t st;
  th_env_open(&env);
  th_probe_init(&f, &p);
  CHECK_EQ(CF_SPAWN(env.rt, &f, NULL, &h), 0);
  cf_runtime_run_until_stalled(env.rt);
  cf_future_drop(&h.base);
  CHECK_EQ(p.drops, 1);
  cf_runtime_stats(env.rt, &st);
  CHECK_EQ(st.live_tasks, 0);
  /* Dropping the handle of a never-polled task aborts it too. */
  memset(&p, 0, sizeof p);
  th_probe_init(&f, &p);
  CHECK_EQ(CF_SPAWN(env.rt, &f, NULL, &h), 0);
  cf_future_drop(&h.base);
  CHECK_EQ(p.drops, 1);
  CHECK_EQ(cf_runtime_run_until_stalled(env.rt), 0);
  CHECK_EQ(p.polls, 0);
  th_env_close(&env);
}

static void detach_runs_to_completion(void) {
  th_env_t env;
  th_probe_t p = {0};
  cf_poll_fn_t f;
  cf_join_handle_t h;
  cf_runtime_stats_t st;
  th_env_open(&env);
  p.ready_at = 3;
  th_probe_init(&f, &p);
  CHECK_EQ(CF_SPAWN(env.rt, &f, NULL, &h), 0);
  cf_runtime_turn(env.rt);
  CHECK_EQ(p.polls, 1);
  cf_task_detach(&h);
  CHECK_EQ(cf_task_abort(&h), CF_EINVAL);
  cf_task_detach(&h);      /* idempotent */
  cf_future_drop(&h.base); /* no-op after detach */
  CHECK_EQ(p.drops, 0);
  th_probe_wake(&p);
  cf_runtime_run_until_stalled(env.rt);
  th_probe_wake(&p);
  cf_runtime_run_until_stalled(env.rt);
  CHECK_EQ(p.polls, 3);
  CHECK_EQ(p.drops, 1);
  cf_runtime_stats(env.rt, &st);
  CHECK_EQ(st.live_tasks, 0);
  /* Spawning without a handle is a detached spawn. */
  memset(&p, 0, sizeof p);
  p.ready_at = 1;
  th_probe_init(&f, &p);
  CHECK_EQ(CF_SPAWN(env.rt, &f, NULL, NULL), 0);
  cf_runtime_run_until_stalled(env.rt);
  CHECK_EQ(p.drops, 1);
  th_env_close(&env);
}

/* A task holding a timer is aborted while a joiner awaits it: by the time
 * the joiner sees CF_ECANCELED the timer is gone. */
typedef struct {
  cf_async_t co;
  cf_sleep_t nap;
} napper_t;
static cf_poll_t napper_poll(cf_future_t *f, cf_context_t *cx) {
  napper_t *self = (napper_t *)f;
  CF_BEGIN(self);
  cf_sleep_init(&self->nap, 1000);
  CF_AWAIT(self, &self->nap);
  CF_END(self, 0);
}
static void napper_cleanup(cf_future_t *f) {
  cf_future_drop(&((napper_t *)f)->nap.base);
}
CF_ASYNC_VTABLE(napper_vt, "napper", napper_poll, napper_cleanup);

typedef struct {
  cf_async_t co;
  cf_join_handle_t target; /* moved in before spawn */
  th_env_t *env;
  size_t timers_seen;
  int rc_seen;
} joiner_t;
static cf_poll_t joiner_poll(cf_future_t *f, cf_context_t *cx) {
  joiner_t *self = (joiner_t *)f;
  cf_runtime_stats_t st;
  CF_BEGIN(self);
  CF_AWAIT(self, &self->target);
  cf_runtime_stats(cx->rt, &st);
  self->timers_seen = st.live_timers;
  self->rc_seen = self->target.base.rc;
  CF_END(self, 0);
}
static void joiner_cleanup(cf_future_t *f) {
  cf_future_drop(&((joiner_t *)f)->target.base);
}
CF_ASYNC_VTABLE(joiner_vt, "joiner", joiner_poll, joiner_cleanup);

static void abort_releases_resources_before_joiner_sees_it(void) {
  th_env_t env;
  napper_t n;
  joiner_t j;
  cf_join_handle_t hn, hj, hn_copy;
  joiner_t *out;
  cf_runtime_stats_t st;
  th_env_open(&env);
  CF_ASYNC_INIT(&n, &napper_vt);
  CHECK_EQ(CF_SPAWN(env.rt, &n, "napper", &hn), 0);
  hn_copy = hn; /* a second handle view, only for cf_task_abort below */
  CF_ASYNC_INIT(&j, &joiner_vt);
  j.target = hn; /* the joiner owns the handle now */
  CHECK_EQ(CF_SPAWN(env.rt, &j, "joiner", &hj), 0);
  cf_runtime_run_until_stalled(env.rt);
  cf_runtime_stats(env.rt, &st);
  CHECK_EQ(st.live_timers, 1);
  CHECK_EQ(cf_task_abort(&hn_copy), 0);
  cf_runtime_stats(env.rt, &st);
  CHECK_EQ(st.live_timers, 0);
  CHECK_EQ(cf_block_on(env.rt, &hj.base), 0);
  out = (joiner_t *)cf_join_handle_output(&hj);
  CHECK(out != NULL);
  if (out) {
    CHECK_EQ(out->rc_seen, CF_ECANCELED);
    CHECK_EQ(out->timers_seen, 0);
  }
  CHECK_EQ(th_now(&env), 0); /* nothing waited for the sleep */
  cf_future_drop(&hj.base);
  th_env_close(&env);
}

/* ---- chains ---- */

/* Task i awaits task i-1's handle, kept in its frame until the frame is
 * dropped (the natural way to write it). Task 0 waits for a probe. */
typedef struct {
  cf_async_t co;
  cf_join_handle_t prev;
  cf_poll_fn_t gate;
  int has_prev;
} link_t;
static cf_poll_t link_poll(cf_future_t *f, cf_context_t *cx) {
  link_t *self = (link_t *)f;
  CF_BEGIN(self);
  if (self->has_prev) {
    CF_AWAIT(self, &self->prev);
    CF_RETURN(self, self->prev.base.rc + 1);
  }
  CF_AWAIT(self, &self->gate);
  CF_END(self, 1);
}
static void link_cleanup(cf_future_t *f) {
  link_t *self = (link_t *)f;
  cf_future_drop(&self->prev.base);
  cf_future_drop(&self->gate.base);
}
CF_ASYNC_VTABLE(link_vt, "link", link_poll, link_cleanup);

static void chain_of_join_handles(void) {
  th_env_t env;
  th_probe_t gate = {0};
  cf_join_handle_t h;
  long i, n = th_scaled(100000);
  cf_runtime_stats_t st;
  th_env_open(&env);
  for (i = 0; i < n; i++) {
    link_t l;
    CF_ASYNC_INIT(&l, &link_vt);
    if (i == 0) {
      th_probe_init(&l.gate, &gate);
    } else {
      l.prev = h;
      l.has_prev = 1;
    }
    CHECK_EQ(CF_SPAWN(env.rt, &l, NULL, &h), 0);
  }
  cf_runtime_run_until_stalled(env.rt);
  CHECK_EQ(gate.polls, 1);
  cf_runtime_stats(env.rt, &st);
  CHECK_EQ(st.live_tasks, (size_t)n);
  gate.ready = 1;
  th_probe_wake(&gate);
  CHECK_EQ(cf_block_on(env.rt, &h.base), n);
  /* Freeing the last frees the whole chain, each frame dropping the
   * previous handle: must not recurse n deep. */
  cf_future_drop(&h.base);
  cf_runtime_stats(env.rt, &st);
  CHECK_EQ(st.live_tasks, 0);
  CHECK_EQ(gate.drops, 1);
  th_env_close(&env);
}

/* The same chain aborted from its end before anything completed: each
 * dropped frame drops (and so aborts) the previous task. */
static void chain_of_join_handles_aborted(void) {
  th_env_t env;
  th_probe_t gate = {0};
  cf_join_handle_t h;
  long i, n = th_scaled(100000);
  cf_runtime_stats_t st;
  th_env_open(&env);
  for (i = 0; i < n; i++) {
    link_t l;
    CF_ASYNC_INIT(&l, &link_vt);
    if (i == 0) {
      th_probe_init(&l.gate, &gate);
    } else {
      l.prev = h;
      l.has_prev = 1;
    }
    CHECK_EQ(CF_SPAWN(env.rt, &l, NULL, &h), 0);
  }
  cf_runtime_run_until_stalled(env.rt);
  CHECK_EQ(cf_task_abort(&h), 0);
  cf_runtime_stats(env.rt, &st);
  CHECK_EQ(st.live_tasks, 1); /* only the last, held by h */
  CHECK_EQ(gate.drops, 1);
  CHECK_EQ(cf_block_on(env.rt, &h.base), CF_ECANCELED);
  cf_future_drop(&h.base);
  th_env_close(&env);
}

/* Each task, when it completes, completes the next one's gate and wakes
 * it: 1e5 completions, each one poll, in order, none inside another. */
typedef struct {
  th_probe_t *probes;
  long n, next_expected;
  int out_of_order;
} relay_t;
static void relay_hook(th_probe_t *p, cf_context_t *cx) {
  relay_t *r = p->ud;
  long i = p - r->probes;
  (void)cx;
  if (!p->ready)
    return;
  if (i != r->next_expected)
    r->out_of_order++;
  r->next_expected = i + 1;
  if (i + 1 < r->n) {
    r->probes[i + 1].ready = 1;
    th_probe_wake(&r->probes[i + 1]);
    if (r->probes[i + 1].polls != 1)
      r->out_of_order++; /* polled inside the wake */
  }
}

static void chain_of_wakes(void) {
  th_env_t env;
  relay_t r;
  long i, n = th_scaled(100000);
  cf_runtime_stats_t st;
  th_env_open(&env);
  r.n = n;
  r.next_expected = 0;
  r.out_of_order = 0;
  r.probes = calloc((size_t)n, sizeof *r.probes);
  for (i = 0; i < n; i++) {
    cf_poll_fn_t f;
    r.probes[i].on_poll = relay_hook;
    r.probes[i].ud = &r;
    th_probe_init(&f, &r.probes[i]);
    CHECK_EQ(CF_SPAWN(env.rt, &f, NULL, NULL), 0);
  }
  cf_runtime_run_until_stalled(env.rt);
  r.probes[0].ready = 1;
  th_probe_wake(&r.probes[0]);
  CHECK_EQ(cf_runtime_run_until_stalled(env.rt), n);
  CHECK_EQ(r.next_expected, n);
  CHECK_EQ(r.out_of_order, 0);
  cf_runtime_stats(env.rt, &st);
  CHECK_EQ(st.live_tasks, 0);
  for (i = 0; i < n; i++)
    if (r.probes[i].polls != 2 || r.probes[i].drops != 1)
      break;
  CHECK_EQ(i, n);
  free(r.probes);
  th_env_close(&env);
}

static void task_ids_names_and_inspector(void) {
  th_env_t env;
  th_probe_t a = {0}, b = {0};
  cf_poll_fn_t fa, fb;
  cf_join_handle_t ha, hb;
  cf_task_info_t info[4];
  th_env_open(&env);
  b.ready_at = 1;
  th_probe_init(&fa, &a);
  th_probe_init(&fb, &b);
  CHECK_EQ(CF_SPAWN(env.rt, &fa, "alpha", &ha), 0);
  CHECK_EQ(CF_SPAWN(env.rt, &fb, NULL, &hb), 0);
  CHECK_EQ(cf_task_id(&ha), 1);
  CHECK_EQ(cf_task_id(&hb), 2);
  CHECK_STR(cf_task_name(&ha), "alpha");
  CHECK(cf_task_name(&hb) == NULL);
  CHECK_EQ(cf_runtime_tasks(env.rt, info, 4), 2);
  CHECK_EQ(info[0].state, CF_TASK_QUEUED);
  cf_runtime_run_until_stalled(env.rt);
  CHECK_EQ(cf_runtime_tasks(env.rt, info, 1), 2);
  CHECK_EQ(info[0].id, 1);
  CHECK_EQ(info[0].state, CF_TASK_IDLE);
  CHECK_STR(info[0].awaits, "poll_fn");
  CHECK_EQ(cf_runtime_tasks(env.rt, info, 4), 2);
  CHECK_EQ(info[1].state, CF_TASK_FINISHED);
  cf_task_abort(&ha);
  CHECK_EQ(cf_runtime_tasks(env.rt, info, 4), 2);
  CHECK_EQ(info[0].state, CF_TASK_CANCELED);
  CHECK_EQ(info[0].rc, CF_ECANCELED);
  cf_future_drop(&ha.base);
  cf_future_drop(&hb.base);
  CHECK_EQ(cf_runtime_tasks(env.rt, info, 4), 0);
  th_env_close(&env);
}

/* ---- the task slab ---- */

/* A future of `PAD` extra bytes that records its alignment and size. */
#define SLAB_FUT(name, member)                                                 \
  typedef struct name {                                                        \
    cf_future_t base;                                                          \
    member;                                                                    \
    size_t *misaligned;                                                        \
  } name##_t;                                                                  \
  static cf_poll_t name##_poll(cf_future_t *f, cf_context_t *cx) {             \
    name##_t *x = (name##_t *)f;                                               \
    (void)cx;                                                                  \
    if ((uintptr_t)x % _Alignof(name##_t))                                     \
      ++*x->misaligned;                                                        \
    f->rc = (int)sizeof(name##_t);                                             \
    return CF_READY;                                                           \
  }                                                                            \
  static const cf_future_vtable_t name##_vt = {#name, name##_poll, NULL, 0};

SLAB_FUT(fut_ptr, void *p)
SLAB_FUT(fut_maxal, max_align_t m)
SLAB_FUT(fut_odd, char c[37])
SLAB_FUT(fut_big, max_align_t m[40])

/* Every class and a big block: each copy aligned for its type, each task
 * joins with its own outcome, and many tasks alive at once (several
 * chunks per class) all run. Afterwards the idle runtime has returned
 * every chunk: live bytes are back to what they were before. */
static void slab_classes_alignment_and_idle_release(void) {
  th_env_t env;
  enum { N = 300 };
  cf_join_handle_t *h = calloc(4 * N, sizeof *h);
  size_t misaligned = 0, before;
  int i, k;
  CHECK(h != NULL);
  th_env_open(&env);
  before = th_live_bytes();
  for (i = 0; i < N; i++) {
    fut_ptr_t a;
    fut_maxal_t b;
    fut_odd_t c;
    fut_big_t d;
    cf_future_init(&a.base, &fut_ptr_vt);
    a.misaligned = &misaligned;
    cf_future_init(&b.base, &fut_maxal_vt);
    b.misaligned = &misaligned;
    cf_future_init(&c.base, &fut_odd_vt);
    c.misaligned = &misaligned;
    cf_future_init(&d.base, &fut_big_vt);
    d.misaligned = &misaligned;
    CHECK_EQ(CF_SPAWN(env.rt, &a, NULL, &h[4 * i]), 0);
    CHECK_EQ(CF_SPAWN(env.rt, &b, NULL, &h[4 * i + 1]), 0);
    CHECK_EQ(CF_SPAWN(env.rt, &c, NULL, &h[4 * i + 2]), 0);
    CHECK_EQ(CF_SPAWN(env.rt, &d, NULL, &h[4 * i + 3]), 0);
  }
  CHECK(th_live_bytes() > before);
  cf_runtime_run_until_stalled(env.rt);
  for (i = 0; i < N; i++)
    for (k = 0; k < 4; k++) {
      static const int sizes[4] = {sizeof(fut_ptr_t), sizeof(fut_maxal_t),
                                   sizeof(fut_odd_t), sizeof(fut_big_t)};
      CHECK_EQ(cf_block_on(env.rt, &h[4 * i + k].base), sizes[k]);
      cf_future_drop(&h[4 * i + k].base);
    }
  CHECK_EQ(misaligned, 0);
  cf_runtime_run_until_stalled(env.rt); /* idle, no task, no waker */
  CHECK_EQ(th_live_bytes(), before);
  free(h);
  th_env_close(&env);
}

/* A waker kept past its task keeps the slab (it may point at any block)
 * and stays a no-op, also while a big task comes and goes; once it is
 * consumed, the idle runtime returns the slab. */
static void slab_stale_waker_keeps_chunks_and_is_a_noop(void) {
  th_env_t env;
  th_probe_t p = {0};
  cf_poll_fn_t f;
  cf_join_handle_t h, h2;
  cf_waker_t stale;
  size_t misaligned = 0, before;
  fut_big_t big;
  th_env_open(&env);
  before = th_live_bytes();
  th_probe_init(&f, &p);
  CHECK_EQ(CF_SPAWN(env.rt, &f, NULL, &h), 0);
  cf_runtime_run_until_stalled(env.rt);
  stale = cf_waker_clone(&p.waker);
  p.ready = 1;
  th_probe_wake(&p);
  cf_runtime_run_until_stalled(env.rt);
  cf_future_drop(&h.base);
  cf_runtime_run_until_stalled(env.rt);
  CHECK(th_live_bytes() > before); /* a waker is out: chunks stay */
  cf_waker_wake_by_ref(&stale);    /* its task is gone: nothing happens */
  CHECK_EQ(cf_runtime_run_until_stalled(env.rt), 0);
  cf_future_init(&big.base, &fut_big_vt);
  big.misaligned = &misaligned;
  CHECK_EQ(CF_SPAWN(env.rt, &big, NULL, &h2), 0);
  CHECK_EQ(cf_block_on(env.rt, &h2.base), (int)sizeof big);
  cf_future_drop(&h2.base);
  cf_waker_wake(&stale); /* consumes it */
  CHECK_EQ(cf_runtime_run_until_stalled(env.rt), 0);
  CHECK_EQ(th_live_bytes(), before);
  CHECK_EQ(misaligned, 0);
  th_env_close(&env);
}

TH_MAIN(TH_CASE(reentrancy_wake_self), TH_CASE(reentrancy_wake_other),
        TH_CASE(reentrancy_spawn), TH_CASE(reentrancy_abort_self),
        TH_CASE(reentrancy_abort_other), TH_CASE(reentrancy_drop_own_handle),
        TH_CASE(reentrancy_nested_block_on_and_turn),
        TH_CASE(abort_before_first_poll),
        TH_CASE(abort_while_pending_and_queued),
        TH_CASE(abort_during_completing_poll),
        TH_CASE(abort_after_completion_keeps_outcome),
        TH_CASE(drop_handle_of_pending_task_aborts),
        TH_CASE(detach_runs_to_completion),
        TH_CASE(abort_releases_resources_before_joiner_sees_it),
        TH_CASE(chain_of_join_handles), TH_CASE(chain_of_join_handles_aborted),
        TH_CASE(chain_of_wakes), TH_CASE(task_ids_names_and_inspector),
        TH_CASE(slab_classes_alignment_and_idle_release),
        TH_CASE(slab_stale_waker_keeps_chunks_and_is_a_noop))
