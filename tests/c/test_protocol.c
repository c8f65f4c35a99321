/* test_protocol.c: the future protocol and wakers. Stale task wakers used
 * long after their task was freed; misuse detection (poll after ready, poll
 * of a moved copy, poll after drop); idempotent drop; a user-built waker
 * driving a cf_poll_fn future from a tiny user executor; the error table. */
#include "harness.h"

/* ---- stale wakers ---- */

static void stale_waker_is_a_noop(void) {
  th_env_t env;
  th_probe_t p = {0}, q = {0};
  cf_poll_fn_t f, g;
  cf_join_handle_t h, hq;
  cf_waker_t stale, c;
  cf_runtime_stats_t st;
  long i, n = th_scaled(100000);
  uint64_t polls_before;

  th_env_open(&env);
  th_probe_init(&f, &p);
  CHECK_EQ(CF_SPAWN(env.rt, &f, "victim", &h), 0);
  CHECK_EQ(cf_runtime_run_until_stalled(env.rt), 1);
  stale = cf_waker_clone(&p.waker); /* our own reference to its waker */
  p.ready = 1;
  th_probe_wake(&p);
  cf_runtime_run_until_stalled(env.rt);
  CHECK(cf_task_is_finished(&h));
  cf_future_drop(&h.base); /* frees the task: `stale` now outlives it */
  cf_runtime_stats(env.rt, &st);
  CHECK_EQ(st.live_tasks, 0);
  CHECK_EQ(st.live_wakers, 1);

  /* A new task reuses the block: the stale waker must not wake it. */
  th_probe_init(&g, &q);
  CHECK_EQ(CF_SPAWN(env.rt, &g, "reuser", &hq), 0);
  cf_runtime_run_until_stalled(env.rt);
  CHECK_EQ(q.polls, 1);
  cf_runtime_stats(env.rt, &st);
  polls_before = st.polls;

  for (i = 0; i < n; i++) {
    cf_waker_wake_by_ref(&stale);
    c = cf_waker_clone(&stale);
    CHECK(c.vt != NULL);
    if ((i & 1) == 0)
      cf_waker_wake(&c);
    else
      cf_waker_drop(&c);
    CHECK(c.vt == NULL);
  }
  CHECK_EQ(cf_runtime_run_until_stalled(env.rt), 0);
  cf_runtime_stats(env.rt, &st);
  CHECK_EQ(st.polls, polls_before);
  CHECK_EQ(st.queued_tasks, 0);
  CHECK_EQ(q.polls, 1);
  CHECK_EQ(p.polls, 2);
  CHECK_EQ(p.late_polls, 0);
  cf_waker_drop(&stale);
  cf_waker_drop(&stale); /* dropping the empty waker is a no-op */
  cf_future_drop(&hq.base);
  CHECK_EQ(q.drops, 1);
  th_env_close(&env);
}

/* Wakers of a task that was aborted (not completed) are stale too. */
static void stale_waker_after_abort(void) {
  th_env_t env;
  th_probe_t p = {0};
  cf_poll_fn_t f;
  cf_join_handle_t h;
  cf_waker_t stale;
  long i, n = th_scaled(100000);
  th_env_open(&env);
  th_probe_init(&f, &p);
  CHECK_EQ(CF_SPAWN(env.rt, &f, NULL, &h), 0);
  cf_runtime_run_until_stalled(env.rt);
  stale = cf_waker_clone(&p.waker);
  CHECK_EQ(cf_task_abort(&h), 0);
  CHECK_EQ(p.drops, 1);
  cf_future_drop(&h.base);
  for (i = 0; i < n; i++)
    cf_waker_wake_by_ref(&stale);
  CHECK_EQ(cf_runtime_run_until_stalled(env.rt), 0);
  CHECK_EQ(p.polls, 1);
  cf_waker_wake(&stale);
  th_env_close(&env);
}

/* ---- misuse ---- */

static int misuse_seen, misuse_last;
static void count_misuse(const cf_future_t *f, int err, void *ud) {
  (void)f;
  (void)ud;
  misuse_seen++;
  misuse_last = err;
}

static void poll_after_ready_is_detected(void) {
  th_env_t env;
  th_probe_t p = {0};
  cf_poll_fn_t f;
  unsigned long before = cf_misuse_count();
  th_env_open(&env);
  cf_set_misuse_hook(count_misuse, NULL);
  misuse_seen = 0;
  p.ready_at = 1;
  p.rc = 7;
  th_probe_init(&f, &p);
  CHECK_EQ(cf_block_on(env.rt, &f.base), 7);
  CHECK_EQ(p.polls, 1);
  /* Polling again: reported, the poll function is not called. */
  CHECK_EQ(cf_block_on(env.rt, &f.base), 7);
  CHECK_EQ(p.polls, 1);
  CHECK_EQ(p.late_polls, 0);
  CHECK_EQ(cf_misuse_count(), before + 1);
  CHECK_EQ(misuse_seen, 1);
  CHECK_EQ(misuse_last, CF_EPOLLED);
  /* Dropped, then polled: also misuse. */
  cf_future_drop(&f.base);
  CHECK_EQ(p.drops, 1);
  CHECK_EQ(cf_block_on(env.rt, &f.base), 7);
  CHECK_EQ(p.polls, 1);
  CHECK_EQ(misuse_seen, 2);
  cf_set_misuse_hook(NULL, NULL);
  th_env_close(&env);
}

static void poll_of_moved_future_is_detected(void) {
  th_env_t env;
  th_probe_t p = {0};
  cf_poll_fn_t f, copy;
  cf_runtime_t *rt;
  cf_context_t cx;
  cf_waker_t none = CF_WAKER_NONE;
  th_env_open(&env);
  rt = env.rt;
  cf_set_misuse_hook(count_misuse, NULL);
  misuse_seen = 0;
  th_probe_init(&f, &p);
  cx.waker = &none;
  cx.rt = rt;
  cx.task = NULL;
  cx.coop = NULL;
  CHECK_EQ(cf_future_poll(&f.base, &cx), CF_PENDING);
  memcpy(&copy, &f, sizeof f); /* moved after pinning */
  CHECK_EQ(cf_future_poll(&copy.base, &cx), CF_READY);
  CHECK_EQ(copy.base.rc, CF_EMOVED);
  CHECK_EQ(misuse_last, CF_EMOVED);
  CHECK_EQ(p.polls, 1);
  /* The original is still pinned where it was and works. */
  p.ready = 1;
  CHECK_EQ(cf_future_poll(&f.base, &cx), CF_READY);
  CHECK_EQ(p.polls, 2);
  CHECK_EQ(misuse_seen, 1);
  cf_future_drop(&f.base);
  cf_set_misuse_hook(NULL, NULL);
  (void)rt;
  th_env_close(&env);
}

static void zeroed_future_poll_is_einval(void) {
  cf_future_t z;
  cf_context_t cx;
  cf_waker_t none = CF_WAKER_NONE;
  memset(&z, 0, sizeof z);
  cf_set_misuse_hook(count_misuse, NULL);
  misuse_seen = 0;
  cx.waker = &none;
  cx.rt = NULL;
  cx.task = NULL;
  cx.coop = NULL;
  CHECK_EQ(cf_future_poll(&z, &cx), CF_READY);
  CHECK_EQ(z.rc, CF_EINVAL);
  CHECK_EQ(misuse_seen, 1);
  memset(&z, 0, sizeof z);
  cf_future_drop(&z); /* a zeroed future is safe to drop */
  cf_future_drop(NULL);
  cf_set_misuse_hook(NULL, NULL);
}

static void drop_is_idempotent(void) {
  th_env_t env;
  th_probe_t p = {0};
  cf_poll_fn_t f;
  cf_sleep_t s;
  cf_runtime_stats_t st;
  th_env_open(&env);
  th_probe_init(&f, &p);
  cf_future_drop(&f.base);
  cf_future_drop(&f.base);
  CHECK_EQ(p.drops, 1);
  CHECK_EQ(p.polls, 0);
  /* A pending sleep: its timer goes away on the first drop only. */
  cf_sleep_init(&s, 100);
  {
    cf_context_t cx;
    cf_waker_t none = CF_WAKER_NONE;
    cx.waker = &none;
    cx.rt = env.rt;
    cx.task = NULL;
    cx.coop = NULL;
    CHECK_EQ(cf_future_poll(&s.base, &cx), CF_PENDING);
  }
  cf_runtime_stats(env.rt, &st);
  CHECK_EQ(st.live_timers, 1);
  cf_future_drop(&s.base);
  cf_future_drop(&s.base);
  cf_runtime_stats(env.rt, &st);
  CHECK_EQ(st.live_timers, 0);
  th_env_close(&env);
}

/* A spawned future's original is inert: dropping it does not run its drop,
 * polling it is misuse, spawning it again is CF_EINVAL. */
static void spawned_original_is_inert(void) {
  th_env_t env;
  th_probe_t p = {0};
  cf_poll_fn_t f;
  cf_join_handle_t h, h2;
  th_env_open(&env);
  cf_set_misuse_hook(count_misuse, NULL);
  misuse_seen = 0;
  p.ready_at = 1;
  th_probe_init(&f, &p);
  CHECK_EQ(CF_SPAWN(env.rt, &f, NULL, &h), 0);
  cf_future_drop(&f.base);
  CHECK_EQ(p.drops, 0);
  CHECK_EQ(CF_SPAWN(env.rt, &f, NULL, &h2), CF_EINVAL);
  cf_future_drop(&h2.base);
  CHECK_EQ(cf_block_on(env.rt, &h.base), 0);
  CHECK_EQ(p.polls, 1);
  cf_future_drop(&h.base);
  CHECK_EQ(p.drops, 1);
  cf_set_misuse_hook(NULL, NULL);
  th_env_close(&env);
}

/* ---- a user executor with its own waker vtable ---- */

typedef struct user_exec {
  int woken, clones, drops, wakes;
} user_exec_t;

static cf_waker_t ue_clone(const cf_waker_t *w) {
  ((user_exec_t *)w->data)->clones++;
  return *w;
}
static void ue_wake_by_ref(const cf_waker_t *w) {
  user_exec_t *e = w->data;
  e->woken = 1;
  e->wakes++;
}
static void ue_drop(cf_waker_t *w) {
  ((user_exec_t *)w->data)->drops++;
}
static void ue_wake(cf_waker_t *w) {
  ue_wake_by_ref(w);
  ue_drop(w);
}
static const cf_waker_vtable_t ue_vt = {ue_clone, ue_wake, ue_wake_by_ref,
                                        ue_drop};

/* The seeds' block_on: poll, and poll again only when woken. */
static int user_block_on(user_exec_t *e, cf_future_t *f, int *polls) {
  cf_waker_t w = cf_waker_from_raw(&ue_vt, e, 42);
  cf_context_t cx;
  cx.waker = &w;
  cx.rt = NULL;
  cx.task = NULL;
  cx.coop = NULL;
  e->woken = 1;
  *polls = 0;
  while (e->woken) {
    e->woken = 0;
    ++*polls;
    if (cf_future_poll(f, &cx) == CF_READY)
      return f->rc;
  }
  return CF_EDEADLK; /* nobody will wake it */
}

/* A countdown that wakes itself until it reaches zero. */
typedef struct {
  int left;
} countdown_env_t;
static cf_poll_t countdown(void *env, cf_context_t *cx, int *rc) {
  countdown_env_t *c = env;
  if (c->left == 0) {
    *rc = 5;
    return CF_READY;
  }
  c->left--;
  cf_waker_t mine = cf_waker_clone(cx->waker);
  CHECK(cf_waker_will_wake(&mine, cx->waker));
  cf_waker_wake(&mine); /* consumes the clone */
  return CF_PENDING;
}

static void user_executor_drives_poll_fn(void) {
  user_exec_t e = {0};
  countdown_env_t c = {3};
  cf_poll_fn_t f;
  int polls;
  cf_waker_t a, b;
  cf_poll_fn_init(&f, countdown, &c, NULL);
  CHECK_EQ(user_block_on(&e, &f.base, &polls), 5);
  CHECK_EQ(polls, 4);
  CHECK_EQ(e.clones, 3);
  CHECK_EQ(e.drops, 3);
  CHECK_EQ(e.wakes, 3);
  cf_future_drop(&f.base);

  /* A future that never wakes: the user executor sees the stall. */
  {
    th_probe_t p = {0};
    cf_poll_fn_t g;
    th_probe_init(&g, &p);
    CHECK_EQ(user_block_on(&e, &g.base, &polls), CF_EDEADLK);
    CHECK_EQ(polls, 1);
    cf_future_drop(&g.base);
    CHECK_EQ(p.drops, 1);
  }

  /* will_wake compares the whole waker. */
  a = cf_waker_from_raw(&ue_vt, &e, 1);
  b = cf_waker_from_raw(&ue_vt, &e, 2);
  CHECK(!cf_waker_will_wake(&a, &b));
  b.tag = 1;
  CHECK(cf_waker_will_wake(&a, &b));
}

/* ---- the error table ---- */

static void error_names_and_messages(void) {
  int count = 0;
#define CHECK_ERR(name, value, msg)                                            \
  CHECK_EQ(CF_##name, value);                                                  \
  CHECK_STR(cf_err_name(value), "CF_" #name);                                  \
  CHECK_STR(cf_strerror(value), msg);                                          \
  CHECK(value < 0);                                                            \
  count++;
  CF_ERRNO_MAP(CHECK_ERR)
#undef CHECK_ERR
  CHECK(count >= 19);
  CHECK_STR(cf_err_name(0), "CF_OK");
  CHECK_STR(cf_strerror(0), "success");
  CHECK_STR(cf_err_name(-999999), "CF_EUNKNOWN");
  CHECK_STR(cf_strerror(-999999), "unknown error");
  CHECK_STR(cf_err_name(1), "CF_EUNKNOWN");
  CHECK_STR(cf_strerror(CF_ETIMEDOUT), "timed out");
  CHECK_STR(cf_err_name(CF_ECANCELED), "CF_ECANCELED");
}

/* Every code is distinct (the X-macro would compile duplicates silently
 * into the enum, but the switch in error.c would not compile). */
static void error_codes_are_distinct(void) {
  static const int codes[] = {
#define CODE(name, value, msg) value,
      CF_ERRNO_MAP(CODE)
#undef CODE
  };
  size_t i, j, n = sizeof codes / sizeof codes[0];
  for (i = 0; i < n; i++)
    for (j = i + 1; j < n; j++)
      CHECK(codes[i] != codes[j]);
}

/* CF_VT_DONE_DROP_NOOP: a drop after READY is skipped (counted here, so a
 * skipped call shows), a drop before it still runs, and either way the
 * future reads as dropped and a second drop does nothing. */
typedef struct counted {
  cf_future_t base;
  int drops, ready;
} counted_t;
static cf_poll_t counted_poll(cf_future_t *f, cf_context_t *cx) {
  (void)cx;
  return ((counted_t *)f)->ready ? CF_READY : CF_PENDING;
}
static void counted_drop(cf_future_t *f) {
  ((counted_t *)f)->drops++;
}
static const cf_future_vtable_t counted_noop_vt = {
    "counted", counted_poll, counted_drop, CF_VT_DONE_DROP_NOOP};
static const cf_future_vtable_t counted_vt = {"counted", counted_poll,
                                              counted_drop, 0};

static void done_drop_noop_flag(void) {
  cf_context_t cx = {0};
  cf_waker_t w = CF_WAKER_NONE;
  counted_t a = {0}, b = {0}, c = {0};
  cx.waker = &w;
  cf_future_init(&a.base, &counted_noop_vt);
  a.ready = 1;
  CHECK_EQ(cf_future_poll(&a.base, &cx), CF_READY);
  cf_future_drop(&a.base);
  CHECK_EQ(a.drops, 0); /* skipped: done and flagged */
  CHECK_EQ(a.base.state, CF_FUTURE_DROPPED);
  cf_future_init(&b.base, &counted_noop_vt);
  CHECK_EQ(cf_future_poll(&b.base, &cx), CF_PENDING);
  cf_future_drop(&b.base);
  cf_future_drop(&b.base);
  CHECK_EQ(b.drops, 1); /* pending: the drop runs, once */
  cf_future_init(&c.base, &counted_vt);
  c.ready = 1;
  CHECK_EQ(cf_future_poll(&c.base, &cx), CF_READY);
  cf_future_drop(&c.base);
  CHECK_EQ(c.drops, 1); /* not flagged: runs after READY too */
}

TH_MAIN(TH_CASE(stale_waker_is_a_noop), TH_CASE(stale_waker_after_abort),
        TH_CASE(poll_after_ready_is_detected),
        TH_CASE(poll_of_moved_future_is_detected),
        TH_CASE(zeroed_future_poll_is_einval), TH_CASE(drop_is_idempotent),
        TH_CASE(spawned_original_is_inert),
        TH_CASE(user_executor_drives_poll_fn),
        TH_CASE(error_names_and_messages), TH_CASE(error_codes_are_distinct),
        TH_CASE(done_drop_noop_flag))
