/* w4_floor.c: the floor for W4, a C task awaiting a JS Promise, with no
 * cfuture at all (bench/README.md, "W4: the floor").
 *
 * A minimal poll executor: a task is a counter and a state; its poll
 * either starts the next await (one call into JS, which calls the host
 * function and attaches one reaction) or finishes. The reaction calls
 * floor_complete, which stores the value and polls the task: directly
 * (mode 0) or through a FIFO run queue (mode 1). So each await has the
 * same two crossings cfuture has and one promise reaction, and nothing
 * else: no handle table, no cancellation, no conversion, no nesting, no
 * fault guard. Not part of `npm run bench` (a one-off measurement):
 *   emcc -O3 -flto bench/wasm/w4_floor.c -sMODULARIZE -sSINGLE_FILE \
 *     -sALLOW_MEMORY_GROWTH=1 -sENVIRONMENT=node \
 *     -sEXPORTED_FUNCTIONS=_floor_complete,_floor_start -o /tmp/w4floor.cjs
 *   node bench/wasm/w4_floor.mjs /tmp/w4floor.cjs */
#include <emscripten.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct task {
  uint32_t state, i, n;
  struct task *next;
  double sum, val;
} task_t;

static task_t *queue_head, *queue_tail;
static uint32_t live;
static double total;
static int via_queue;

EM_JS(void, floor_await, (task_t * t),
      { Module.val().then(function(v) { _floor_complete(t, v); }); });
EM_JS(void, floor_done, (double v), { Module.onDone(v); });

static void task_poll(task_t *t) {
  if (t->state == 1) {
    t->sum += t->val;
    t->i++;
  }
  if (t->i < t->n) {
    t->state = 1;
    floor_await(t);
    return;
  }
  total += t->sum;
  free(t);
  if (--live == 0)
    floor_done(total);
}

static void wake(task_t *t) {
  if (queue_tail)
    queue_tail->next = t;
  else
    queue_head = t;
  queue_tail = t;
}

static void run(void) {
  task_t *t;
  while ((t = queue_head) != NULL) {
    queue_head = t->next;
    if (!queue_head)
      queue_tail = NULL;
    t->next = NULL;
    task_poll(t);
  }
}

EMSCRIPTEN_KEEPALIVE void floor_complete(task_t *t, double v) {
  t->val = v;
  if (via_queue) {
    wake(t);
    run();
  } else {
    task_poll(t);
  }
}

/* `tasks` tasks of `each` awaits; Module.onDone(sum) when all are done. */
EMSCRIPTEN_KEEPALIVE void floor_start(uint32_t tasks, uint32_t each,
                                      int queued) {
  uint32_t k;
  via_queue = queued;
  total = 0;
  live = tasks;
  for (k = 0; k < tasks; k++) {
    task_t *t = calloc(1, sizeof *t);
    if (!t)
      abort();
    t->n = each;
    wake(t);
  }
  run();
}
