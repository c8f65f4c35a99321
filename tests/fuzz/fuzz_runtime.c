/* fuzz_runtime.c: libFuzzer target for the executor, tasks and timers.
 *
 * The input is a program: each byte picks an operation (spawn, spawn under
 * allocation failure, wake, finish, abort, drop handle, detach, await a
 * finished handle, start / cancel a standalone timer, select over two
 * sleeps, advance the virtual clock, run a turn) and the next bytes its
 * arguments. Every operation is mirrored in a small reference model, and
 * the runtime must agree with it:
 *   - a task is never polled after it completed or was aborted, and its
 *     future is dropped exactly once;
 *   - a task that was woken (or spawned) is polled in the next turn;
 *   - a task whose sleep is due at the start of a turn completes in it,
 *     and no sleep completes before its deadline;
 *   - an awaited handle yields CF_ECANCELED exactly for tasks aborted
 *     before they finished, else the task's own outcome;
 *   - cf_task_abort returns 0 / CF_EAGAIN / CF_EINVAL as the model says;
 *   - the driver's one host timer is armed for the earliest live deadline;
 *   - at the end everything is released: zero tasks, wakers, timers and
 *     zero live bytes in the counting allocator.
 * A divergence calls abort(), which libFuzzer reports as a crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfuture.h"
#include "fuzz_alloc.h"

#define MAX_TASKS 64
#define MAX_SLEEPS 8

#define EXPECT(cond)                                                           \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "fuzz_runtime: model divergence at %s:%d: %s\n",         \
              __FILE__, __LINE__, #cond);                                      \
      abort();                                                                 \
    }                                                                          \
  } while (0)

/* ---- the model ---- */

typedef struct mtask {
  int used, id;
  int has_handle;  /* h is ours to drop */
  int completed;   /* returned READY */
  int aborted;     /* aborted before completing */
  int finish;      /* next poll completes */
  int expect_poll; /* woken or spawned: must be polled next turn */
  int polls, drops;
  int64_t nap_ms; /* 0: no sleep; else sleeps this long from 1st poll */
  int64_t nap_deadline;
  int nap_armed;
  cf_waker_t waker;
  cf_join_handle_t h;
} mtask_t;

typedef struct fz_fut {
  cf_future_t base;
  mtask_t *m;
  cf_sleep_t nap;
} fz_fut_t;

static cf_driver_t *drv;
static cf_runtime_t *rt;
static mtask_t tasks[MAX_TASKS];
static int ntasks;
static cf_sleep_t sleeps[MAX_SLEEPS];
static int sleep_live[MAX_SLEEPS];

static int64_t now(void) {
  return cf_virtual_driver_now(drv);
}

static cf_poll_t fz_poll(cf_future_t *f, cf_context_t *cx) {
  fz_fut_t *self = (fz_fut_t *)f;
  mtask_t *m = self->m;
  EXPECT(!m->completed && !m->aborted); /* never polled after the end */
  EXPECT(cx->task != NULL);
  m->polls++;
  if (m->nap_ms > 0) {
    cf_poll_t r = cf_future_poll(&self->nap.base, cx);
    m->nap_deadline = cf_sleep_deadline(&self->nap);
    m->nap_armed = cf_timer_is_armed(&self->nap.timer);
    if (r == CF_READY) {
      EXPECT(self->nap.base.rc == 0);
      EXPECT(now() >= m->nap_deadline); /* never early */
      m->nap_armed = 0;
      m->finish = 1;
    }
  }
  if (m->finish) {
    /* The protocol: a ready future has released its transient resources. */
    cf_future_drop(&self->nap.base);
    m->nap_armed = 0;
    m->completed = 1;
    cf_waker_drop(&m->waker);
    f->rc = m->id;
    return CF_READY;
  }
  cf_waker_register(&m->waker, cx->waker);
  return CF_PENDING;
}

static void fz_drop(cf_future_t *f) {
  fz_fut_t *self = (fz_fut_t *)f;
  mtask_t *m = self->m;
  EXPECT(++m->drops == 1);
  cf_future_drop(&self->nap.base);
  m->nap_armed = 0;
  cf_waker_drop(&m->waker);
}

static const cf_future_vtable_t fz_vt = {"fz", fz_poll, fz_drop, 0};

/* ---- checks ---- */

static void check_host_timer(void) {
  cf_virtual_driver_stats_t vs;
  int64_t want = CF_TIME_NEVER;
  int i;
  for (i = 0; i < ntasks; i++)
    if (tasks[i].used && tasks[i].nap_armed && tasks[i].nap_deadline < want)
      want = tasks[i].nap_deadline;
  for (i = 0; i < MAX_SLEEPS; i++)
    if (sleep_live[i] && cf_timer_is_armed(&sleeps[i].timer) &&
        cf_sleep_deadline(&sleeps[i]) < want)
      want = cf_sleep_deadline(&sleeps[i]);
  cf_virtual_driver_stats(drv, &vs);
  EXPECT(vs.armed_deadline == want);
}

/* After something that ran at least one full turn. */
static void check_after_turns(const int *polls_before, int64_t turn_start) {
  int i;
  for (i = 0; i < ntasks; i++) {
    mtask_t *m = &tasks[i];
    if (!m->used)
      continue;
    if (m->expect_poll && !m->aborted && !m->completed)
      EXPECT(m->polls > polls_before[i]);
    if (m->expect_poll && !m->aborted)
      EXPECT(m->polls > polls_before[i] || m->completed);
    if (!m->aborted && !m->completed && m->nap_armed)
      EXPECT(m->nap_deadline > turn_start); /* due timers fired */
    if (m->has_handle)
      EXPECT(cf_task_is_finished(&m->h) == (m->completed || m->aborted));
    m->expect_poll = 0;
  }
}

static void snapshot(int *polls) {
  int i;
  for (i = 0; i < ntasks; i++)
    polls[i] = tasks[i].polls;
}

/* ---- operations ---- */

typedef struct {
  const uint8_t *p;
  size_t n;
} input_t;

static unsigned next(input_t *in) {
  if (!in->n)
    return 0;
  in->n--;
  return *in->p++;
}

static mtask_t *pick(input_t *in) {
  if (!ntasks)
    return NULL;
  return &tasks[next(in) % ntasks];
}

static void op_spawn(input_t *in, int under_failure) {
  unsigned a = next(in);
  mtask_t *m;
  fz_fut_t f;
  int err, detached = (a & 3) == 3;
  if (ntasks == MAX_TASKS)
    return;
  m = &tasks[ntasks];
  memset(m, 0, sizeof *m);
  m->id = ntasks + 1;
  m->nap_ms = (a & 4) ? (int64_t)(next(in) % 50) : 0;
  cf_future_init(&f.base, &fz_vt);
  f.m = m;
  cf_sleep_init(&f.nap, m->nap_ms);
  fz_fail_next = under_failure;
  err = cf_spawn(rt, &f.base, sizeof f, NULL, detached ? NULL : &m->h);
  /* A spawn that finds a free slab block allocates nothing, so it cannot
   * fail; one that needs a new chunk must fail cleanly. */
  if (under_failure && (fz_fail_next || err == 0))
    EXPECT(err == 0 && fz_fail_next);
  else if (under_failure) {
    EXPECT(err == CF_ENOMEM);
    EXPECT(f.base.state == CF_FUTURE_UNPOLLED);
    if (!detached)
      cf_future_drop(&m->h.base);
    cf_future_drop(&f.base); /* still ours */
    EXPECT(m->drops == 1);
    return;
  }
  fz_fail_next = 0;
  EXPECT(err == 0);
  m->used = 1;
  m->has_handle = !detached;
  m->expect_poll = 1;
  if (m->has_handle)
    EXPECT(cf_task_id(&m->h) > 0);
  ntasks++;
}

static void op_wake(input_t *in, int finish) {
  mtask_t *m = pick(in);
  if (!m)
    return;
  if (finish)
    m->finish = 1;
  cf_waker_wake_by_ref(&m->waker); /* may be empty or stale: no-op */
  if (m->waker.vt && !m->completed && !m->aborted)
    m->expect_poll = 1;
  else if (finish && !m->completed && !m->aborted && m->polls == 0)
    m->expect_poll = 1; /* still waiting for its first poll */
}

static void op_abort(input_t *in) {
  mtask_t *m = pick(in);
  int rc;
  if (!m || !m->has_handle)
    return;
  rc = cf_task_abort(&m->h);
  if (m->aborted) {
    EXPECT(rc == CF_EAGAIN);
  } else if (m->completed) {
    EXPECT(rc == CF_EINVAL);
  } else {
    EXPECT(rc == 0);
    EXPECT(m->drops == 1); /* not running: dropped at once */
    m->aborted = 1;
    m->expect_poll = 0;
  }
}

static void op_drop_handle(input_t *in) {
  mtask_t *m = pick(in);
  if (!m || !m->has_handle)
    return;
  cf_future_drop(&m->h.base);
  m->has_handle = 0;
  if (!m->completed && !m->aborted) {
    m->aborted = 1; /* dropping the handle of a running task aborts it */
    m->expect_poll = 0;
  }
  EXPECT(m->drops == 1);
}

static void op_detach(input_t *in) {
  mtask_t *m = pick(in);
  if (!m || !m->has_handle)
    return;
  cf_task_detach(&m->h);
  m->has_handle = 0;
  EXPECT(m->drops == ((m->completed || m->aborted) ? 1 : 0));
}

static void op_join(input_t *in) {
  mtask_t *m = pick(in);
  int rc;
  if (!m || !m->has_handle || !(m->completed || m->aborted))
    return;
  rc = cf_block_on(rt, &m->h.base);
  EXPECT(rc == (m->aborted ? CF_ECANCELED : m->id));
  EXPECT((cf_join_handle_output(&m->h) != NULL) == !m->aborted);
  cf_future_drop(&m->h.base);
  m->has_handle = 0;
  EXPECT(m->drops == 1);
}

static cf_waker_t no_waker = {NULL, NULL, 0};

static void op_timer(input_t *in) {
  unsigned a = next(in);
  int i = (int)(a % MAX_SLEEPS);
  if (sleep_live[i]) {
    cf_future_drop(&sleeps[i].base);
    sleep_live[i] = 0;
  } else {
    cf_context_t cx;
    cf_poll_t r;
    cx.waker = &no_waker;
    cx.rt = rt;
    cx.task = NULL;
    cx.coop = NULL;
    if (a & 0x80)
      cf_sleep_until_init(&sleeps[i], now() - 5 + (int64_t)(next(in) % 100));
    else
      cf_sleep_init(&sleeps[i], (int64_t)(next(in) % 100) - 5);
    r = cf_future_poll(&sleeps[i].base, &cx);
    EXPECT((r == CF_READY) == (cf_sleep_deadline(&sleeps[i]) <= now()));
    sleep_live[i] = 1;
  }
}

static void op_select(input_t *in) {
  int64_t a = (int64_t)(next(in) % 20), b = (int64_t)(next(in) % 20);
  int64_t t0 = now();
  cf_sleep_t sa, sb;
  cf_select_t sel;
  int polls[MAX_TASKS], rc;
  snapshot(polls);
  cf_sleep_init(&sa, a);
  cf_sleep_init(&sb, b);
  cf_select_init(&sel, (cf_future_t *[]){&sa.base, &sb.base}, 2,
                 (a ^ b) & 1 ? CF_SELECT_BIASED : CF_SELECT_FAIR);
  rc = cf_block_on(rt, &sel.base);
  if (rc == CF_EDEADLK) {
    /* impossible: the sleeps can always fire */
    EXPECT(0);
  }
  EXPECT(rc == 0);
  EXPECT(sel.index == 0 || sel.index == 1);
  EXPECT(now() - t0 >= (a < b ? a : b));
  if (a != b)
    EXPECT(sel.index == (a < b ? 0 : 1));
  EXPECT(!cf_timer_is_armed(&sa.timer) && !cf_timer_is_armed(&sb.timer));
  cf_future_drop(&sel.base);
  cf_future_drop(&sa.base);
  cf_future_drop(&sb.base);
  /* Unless the select was ready at its first poll (a zero sleep), block_on
   * ran at least one turn: the woken tasks were polled. The clock may have
   * jumped meanwhile, so the due-timer check uses t0. */
  if (a > 0 && b > 0)
    check_after_turns(polls, t0);
}

static void op_turn(void) {
  int polls[MAX_TASKS], n;
  int64_t t0 = now();
  snapshot(polls);
  n = cf_runtime_turn(rt);
  EXPECT(n >= 0);
  check_after_turns(polls, t0);
}

/* ---- teardown ---- */

static void teardown(void) {
  cf_runtime_stats_t st;
  int i;
  for (i = 0; i < MAX_SLEEPS; i++)
    if (sleep_live[i]) {
      cf_future_drop(&sleeps[i].base);
      sleep_live[i] = 0;
    }
  for (i = 0; i < ntasks; i++)
    if (tasks[i].has_handle) {
      cf_future_drop(&tasks[i].h.base);
      tasks[i].has_handle = 0;
      if (!tasks[i].completed)
        tasks[i].aborted = 1;
    }
  /* Detached tasks still pending are aborted by cf_runtime_free; first
   * let queued ones be unlinked so the stats below are exact. */
  EXPECT(cf_runtime_run_until_stalled(rt) >= 0);
  cf_runtime_stats(rt, &st);
  {
    size_t pending = 0;
    for (i = 0; i < ntasks; i++)
      pending += !tasks[i].completed && !tasks[i].aborted;
    EXPECT(st.live_tasks == pending);
  }
  cf_runtime_free(rt);
  cf_virtual_driver_free(drv);
  for (i = 0; i < ntasks; i++) {
    EXPECT(tasks[i].drops == 1);
    EXPECT(tasks[i].waker.vt == NULL);
  }
  EXPECT(fz_live_bytes == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  input_t in;
  cf_runtime_options_t opts;
  fz_alloc_install();
  ntasks = 0;
  memset(tasks, 0, sizeof tasks);
  memset(sleep_live, 0, sizeof sleep_live);
  if (cf_virtual_driver_new(&drv, 0) != 0)
    abort();
  memset(&opts, 0, sizeof opts);
  opts.driver = drv;
  if (cf_runtime_new(&rt, &opts) != 0)
    abort();
  in.p = data;
  in.n = size;
  while (in.n) {
    unsigned op = next(&in) % 13;
    switch (op) {
    case 0:
    case 1:
      op_spawn(&in, 0);
      break;
    case 2:
      op_spawn(&in, 1);
      break;
    case 3:
      op_wake(&in, 0);
      break;
    case 4:
      op_wake(&in, 1);
      break;
    case 5:
      op_abort(&in);
      break;
    case 6:
      op_drop_handle(&in);
      break;
    case 7:
      op_detach(&in);
      break;
    case 8:
      op_join(&in);
      break;
    case 9:
      op_timer(&in);
      break;
    case 10:
      op_select(&in);
      break;
    case 11:
      cf_virtual_driver_advance(drv, (int64_t)(next(&in) % 64));
      break;
    default:
      op_turn();
      break;
    }
    check_host_timer();
  }
  teardown();
  return 0;
}
