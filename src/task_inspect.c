/* task_inspect.c: the task inspector (cf_runtime_tasks): a snapshot of
 * every live task with its state, what it awaits and its counters. Kept
 * apart from task.c so that modules that never inspect do not link it (or
 * qsort). Cost: O(slab blocks + n log n); reads only, never wakes or polls. */
#include <stdlib.h>

#include "runtime_internal.h"

const char *const cf_task_state_names[] = {"idle", "queued", "running",
                                           "finished", "canceled"};

static cf_task_state_t task_state(const cf_task_t *t) {
  if (t->flags & CF_T_CANCELED)
    return CF_TASK_CANCELED;
  if (t->flags & CF_T_COMPLETE)
    return CF_TASK_FINISHED;
  if (t->flags & CF_T_RUNNING)
    return CF_TASK_RUNNING;
  if (t->flags & CF_T_QUEUED)
    return CF_TASK_QUEUED;
  return CF_TASK_IDLE;
}

static const char *task_awaits(cf_task_t *t) {
  const cf_future_t *f = cf__task_future(t), *next;
  if (t->flags & CF_T_COMPLETE)
    return NULL;
  while ((next = cf_future_awaiting(f)) != NULL)
    f = next;
  return f->vt ? f->vt->name : NULL;
}

/* Slab blocks are reused, so the copy is sorted to list the oldest task
 * first. */
static int by_id(const void *a, const void *b) {
  uint64_t x = ((const cf_task_info_t *)a)->id;
  uint64_t y = ((const cf_task_info_t *)b)->id;
  return (x > y) - (x < y);
}

typedef struct collect {
  cf_task_info_t *out;
  size_t cap, n;
} collect_t;

static void collect(cf_task_t *t, void *ud) {
  collect_t *c = ud;
  if (c->n < c->cap) {
    cf_task_info_t *info = &c->out[c->n];
    info->id = t->id;
    info->name = t->name;
    info->state = task_state(t);
    info->awaits = task_awaits(t);
    info->polls = t->polls;
    info->wakes = t->wakes;
    info->spawned_at = cf__task_spawned_at(t);
    info->rc = (t->flags & CF_T_COMPLETE) ? cf__task_future(t)->rc : 0;
  }
  c->n++;
}

size_t cf_runtime_tasks(const cf_runtime_t *rt, cf_task_info_t *out,
                        size_t cap) {
  collect_t c;
  c.out = out;
  c.cap = out ? cap : 0;
  c.n = 0;
  cf__task_each((cf_runtime_t *)rt, collect, &c);
  if (out)
    qsort(out, c.n < cap ? c.n : cap, sizeof *out, by_id);
  return c.n;
}
