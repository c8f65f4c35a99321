/* demo/stress.c: the page's stress card (and `--cli stress`): spawn N
 * tasks (default 100,000) into a join set, each yielding once and sleeping
 * 1 ms, then join them all, reporting progress every tenth.
 *
 * Spawning is itself sliced (a yield every 1,000 spawns) so that creating
 * 1e5 tasks does not become one long host task; the executor's per-turn
 * budget does the same for running them. Owns the join set; cleanup drops
 * it, which aborts every task still in it. */
#include "demo.h"

#include <string.h>

typedef struct {
  cf_async_t co;
  cf_yield_t yield;
  cf_sleep_t nap;
} stress_task_t;

static cf_poll_t stress_task_poll(cf_future_t *f, cf_context_t *cx) {
  stress_task_t *self = (stress_task_t *)f;
  CF_BEGIN(self);
  cf_yield_init(&self->yield);
  CF_AWAIT(self, &self->yield);
  cf_sleep_init(&self->nap, 1);
  CF_AWAIT(self, &self->nap);
  CF_END(self, 0);
}
static void stress_task_cleanup(cf_future_t *f) {
  cf_future_drop(&((stress_task_t *)f)->nap.base);
}
CF_ASYNC_VTABLE(stress_task_vt, "stress task", stress_task_poll,
                stress_task_cleanup);

typedef struct {
  cf_async_t co;
  uint32_t n, spawned, joined, failed;
  int rc;
  int set_live;
  cf_join_set_t set;
  stress_task_t proto;
  cf_yield_t yield;
  cf_join_next_t next;
} stress_demo_t;

static cf_poll_t stress_poll(cf_future_t *f, cf_context_t *cx) {
  stress_demo_t *self = (stress_demo_t *)f;
  CF_BEGIN(self);
  if (!cx->rt)
    CF_RETURN(self, CF_EINVAL);
  cf_join_set_init(&self->set, cx->rt);
  self->set_live = 1;
  while (self->spawned < self->n) {
    memset(&self->proto, 0, sizeof self->proto);
    cf_async_init(&self->proto.co, &stress_task_vt);
    self->rc = CF_JOIN_SET_SPAWN(&self->set, &self->proto, "stress task", NULL);
    if (self->rc < 0) {
      demo_line("spawn failed after %u tasks: %s", self->spawned,
                cf_err_name(self->rc));
      CF_RETURN(self, self->rc);
    }
    if (++self->spawned % 1000 == 0) {
      cf_yield_init(&self->yield);
      CF_AWAIT(self, &self->yield);
    }
  }
  demo_line("spawned %u tasks", self->n);
  while (self->joined < self->n) {
    cf_join_next_init(&self->next, &self->set);
    CF_AWAIT(self, &self->next);
    if (self->next.base.rc == CF_EEMPTY)
      break;
    if (self->next.base.rc < 0)
      self->failed++;
    cf_future_drop(&self->next.base);
    if (++self->joined % (self->n >= 10 ? self->n / 10 : 1) == 0 &&
        self->joined < self->n)
      demo_line("joined %u/%u", self->joined, self->n);
  }
  demo_line("all %u tasks joined, %u failed", self->joined, self->failed);
  CF_END(self, self->failed ? CF_EHOST : 0);
}

static void stress_cleanup(cf_future_t *f) {
  stress_demo_t *self = (stress_demo_t *)f;
  cf_future_drop(&self->next.base);
  cf_future_drop(&self->proto.co.base);
  if (self->set_live) {
    self->set_live = 0;
    cf_join_set_drop(&self->set);
  }
}

CF_ASYNC_VTABLE(stress_vt, "stress", stress_poll, stress_cleanup);

static void stress_demo_init(stress_demo_t *self, uint32_t n) {
  memset(self, 0, sizeof *self);
  cf_async_init(&self->co, &stress_vt);
  self->n = n;
}

#ifdef __EMSCRIPTEN__
static int stress_export_init(cf_future_t *f, const cf_args_t *args) {
  double n = cf_args_type(args, 0) == CF_JS_NUMBER ? cf_args_number(args, 0)
                                                   : 100000.0;
  if (!(n >= 1 && n <= 1000000))
    return CF_EINVAL;
  stress_demo_init((stress_demo_t *)f, (uint32_t)n);
  return 0;
}
CF_EXPORT_ASYNC(demo_stress_export, "demo_stress", stress_demo_t,
                stress_export_init, NULL);
#else
#include <stdlib.h>
int main(int argc, char **argv) {
  stress_demo_t d;
  long n = argc > 1 ? strtol(argv[1], NULL, 10) : 100000;
  if (n < 1 || n > 1000000)
    return 2;
  stress_demo_init(&d, (uint32_t)n);
  return demo_native_run(&d.co.base, sizeof d, "demo_stress") < 0 ? 1 : 0;
}
#endif
