/* demo/lazy.c: `lazy`, from the Tokio tutorial and the "no await" pitfall.
 *
 *   let op = say_world();  println!("hello");  op.await;   // hello, world
 *
 *   my_task();  // created and dropped, never awaited: never runs
 *
 * Futures are lazy: initialising a frame runs none of its body. The frames
 * count their polls, so the demo can show that the dropped one was never
 * polled, rather than just not print. Built for wasm (export "demo_lazy")
 * and natively (`demo_lazy`).
 *
 * Owns both child frames; cleanup drops them (dropping an unpolled frame
 * releases nothing and runs nothing). */
#include "demo.h"

#include <string.h>

typedef struct {
  cf_async_t co;
  unsigned polls;
} say_world_t;

static cf_poll_t say_world_poll(cf_future_t *f, cf_context_t *cx) {
  say_world_t *self = (say_world_t *)f;
  (void)cx; /* it awaits nothing */
  self->polls++;
  CF_BEGIN(self);
  demo_line("world");
  CF_END(self, 0);
}
CF_ASYNC_VTABLE(say_world_vt, "say_world", say_world_poll, NULL);

/* async fn my_task() { sleep(1s).await; println!("This line will never be
 * printed."); } */
typedef struct {
  cf_async_t co;
  unsigned polls;
  int printed;
  cf_sleep_t nap;
} my_task_t;

static cf_poll_t my_task_poll(cf_future_t *f, cf_context_t *cx) {
  my_task_t *self = (my_task_t *)f;
  self->polls++;
  CF_BEGIN(self);
  cf_sleep_init(&self->nap, 1000);
  CF_AWAIT(self, &self->nap);
  demo_line("This line will never be printed.");
  self->printed = 1;
  CF_END(self, 0);
}
static void my_task_cleanup(cf_future_t *f) {
  cf_future_drop(&((my_task_t *)f)->nap.base);
}
CF_ASYNC_VTABLE(my_task_vt, "my_task", my_task_poll, my_task_cleanup);

typedef struct {
  cf_async_t co;
  say_world_t op;
  my_task_t task;
} lazy_demo_t;

static cf_poll_t lazy_poll(cf_future_t *f, cf_context_t *cx) {
  lazy_demo_t *self = (lazy_demo_t *)f;
  CF_BEGIN(self);
  /* let op = say_world(); -- creates the future, runs nothing */
  memset(&self->op, 0, sizeof self->op);
  cf_async_init(&self->op.co, &say_world_vt);
  demo_line("hello");
  CF_AWAIT(self, &self->op); /* op.await */

  demo_line("Starting program.");
  /* my_task(); -- the future is created and dropped at once */
  memset(&self->task, 0, sizeof self->task);
  cf_async_init(&self->task.co, &my_task_vt);
  cf_future_drop(&self->task.co.base);
  demo_line("Finished program.");
  demo_line("my_task was dropped unawaited: polled %u times, %s.",
            self->task.polls, self->task.printed ? "printed" : "never printed");
  CF_END(self, 0);
}

static void lazy_cleanup(cf_future_t *f) {
  lazy_demo_t *self = (lazy_demo_t *)f;
  cf_future_drop(&self->op.co.base);
  cf_future_drop(&self->task.co.base);
}

CF_ASYNC_VTABLE(lazy_vt, "lazy", lazy_poll, lazy_cleanup);

static void lazy_demo_init(lazy_demo_t *self) {
  memset(self, 0, sizeof *self);
  cf_async_init(&self->co, &lazy_vt);
}

#ifdef __EMSCRIPTEN__
static int lazy_export_init(cf_future_t *f, const cf_args_t *args) {
  (void)args;
  lazy_demo_init((lazy_demo_t *)f);
  return 0;
}
CF_EXPORT_ASYNC(demo_lazy_export, "demo_lazy", lazy_demo_t, lazy_export_init,
                NULL);
#else
int main(void) {
  lazy_demo_t d;
  lazy_demo_init(&d);
  return demo_native_run(&d.co.base, sizeof d, "demo_lazy") < 0 ? 1 : 0;
}
#endif
