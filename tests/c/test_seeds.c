/* test_seeds.c: the seed examples (Rust book, Tokio, Rune) in cfuture form,
 * on the virtual clock, with their observable semantics asserted: laziness,
 * ordering, total durations of join / select / timeout. */
#include "harness.h"

static th_log_t out;

/* ---- "no await" pitfall and hello/world ---- */

typedef struct {
  cf_async_t co;
  cf_sleep_t nap;
  const char *text;
  int64_t delay;
} say_t;

static cf_poll_t say_poll(cf_future_t *f, cf_context_t *cx) {
  say_t *self = (say_t *)f;
  CF_BEGIN(self);
  cf_sleep_init(&self->nap, self->delay);
  CF_AWAIT(self, &self->nap);
  th_logf(&out, "%s\n", self->text);
  CF_END(self, 0);
}
static void say_cleanup(cf_future_t *f) {
  cf_future_drop(&((say_t *)f)->nap.base);
}
CF_ASYNC_VTABLE(say_vt, "say", say_poll, say_cleanup);

static void say(say_t *s, const char *text, int64_t delay) {
  CF_ASYNC_INIT(s, &say_vt);
  s->text = text;
  s->delay = delay;
}

static void never_awaited_never_runs(void) {
  th_env_t env;
  say_t task;
  th_env_open(&env);
  th_log_clear(&out);
  say(&task, "This line will never be printed.", 1000);
  cf_runtime_run_until_stalled(env.rt);
  cf_future_drop(&task.co.base); /* dropped without being awaited */
  CHECK_STR(out.text, "");
  CHECK_EQ(th_now(&env), 0);
  th_env_close(&env);
}

typedef struct {
  cf_async_t co;
  say_t op;
} hello_main_t;

static cf_poll_t hello_main_poll(cf_future_t *f, cf_context_t *cx) {
  hello_main_t *self = (hello_main_t *)f;
  CF_BEGIN(self);
  say(&self->op, "world", 0); /* calling it does not run it */
  th_logf(&out, "hello\n");
  CF_AWAIT(self, &self->op);
  CF_END(self, 0);
}
CF_ASYNC_VTABLE(hello_main_vt, "main", hello_main_poll, NULL);

static void hello_before_world(void) {
  th_env_t env;
  hello_main_t m;
  th_env_open(&env);
  th_log_clear(&out);
  CF_ASYNC_INIT(&m, &hello_main_vt);
  CHECK_EQ(cf_block_on(env.rt, &m.co.base), 0);
  CHECK_STR(out.text, "hello\nworld\n");
  cf_future_drop(&m.co.base);
  th_env_close(&env);
}

/* ---- tokio join!: 3 s and 1 s concurrently take 3 s ---- */

typedef struct {
  cf_async_t co;
  say_t user, product;
  cf_join_t both;
  int64_t t0;
} join_main_t;

static int64_t join_elapsed;

static cf_poll_t join_main_poll(cf_future_t *f, cf_context_t *cx) {
  join_main_t *self = (join_main_t *)f;
  CF_BEGIN(self);
  self->t0 = cf_runtime_now(cx->rt);
  say(&self->user, "User data fetched after 3s.", 3000);
  say(&self->product, "Product data fetched after 1s.", 1000);
  cf_join_init(&self->both,
               (cf_future_t *[]){&self->user.co.base, &self->product.co.base},
               2);
  CF_AWAIT(self, &self->both);
  join_elapsed = cf_runtime_now(cx->rt) - self->t0;
  CF_END(self, 0);
}
static void join_main_cleanup(cf_future_t *f) {
  join_main_t *self = (join_main_t *)f;
  cf_future_drop(&self->both.base);
  cf_future_drop(&self->user.co.base);
  cf_future_drop(&self->product.co.base);
}
CF_ASYNC_VTABLE(join_main_vt, "main", join_main_poll, join_main_cleanup);

static void join_takes_the_longest(void) {
  th_env_t env;
  join_main_t m;
  th_env_open(&env);
  th_log_clear(&out);
  CF_ASYNC_INIT(&m, &join_main_vt);
  CHECK_EQ(cf_block_on(env.rt, &m.co.base), 0);
  CHECK_STR(out.text,
            "Product data fetched after 1s.\nUser data fetched after 3s.\n");
  CHECK_EQ(join_elapsed, 3000);
  cf_future_drop(&m.co.base);
  th_env_close(&env);
}

/* ---- Rune: request with a timeout built from select ---- */

/* A stand-in for an HTTP request whose server answers after `latency`. */
typedef struct {
  cf_async_t co;
  cf_sleep_t wire;
  int64_t latency;
  int status;
} request_t;

static cf_poll_t request_poll(cf_future_t *f, cf_context_t *cx) {
  request_t *self = (request_t *)f;
  CF_BEGIN(self);
  cf_sleep_init(&self->wire, self->latency);
  CF_AWAIT(self, &self->wire);
  self->status = 200;
  CF_END(self, 0);
}
static void request_cleanup(cf_future_t *f) {
  cf_future_drop(&((request_t *)f)->wire.base);
}
CF_ASYNC_VTABLE(request_vt, "request", request_poll, request_cleanup);
static void request(request_t *r, int64_t latency) {
  CF_ASYNC_INIT(r, &request_vt);
  r->latency = latency;
  r->status = 0;
}

/* async fn request_with_timeout(latency): select { request, sleep(2000) } */
typedef struct {
  cf_async_t co;
  request_t req;
  cf_sleep_t limit;
  cf_select_t race;
  int64_t latency;
} timed_request_t;

static cf_poll_t timed_request_poll(cf_future_t *f, cf_context_t *cx) {
  timed_request_t *self = (timed_request_t *)f;
  CF_BEGIN(self);
  request(&self->req, self->latency);
  cf_sleep_init(&self->limit, 2000);
  cf_select_init(&self->race,
                 (cf_future_t *[]){&self->req.co.base, &self->limit.base}, 2,
                 CF_SELECT_FAIR);
  CF_AWAIT(self, &self->race);
  if (cf_select_index(&self->race) == 0) {
    th_logf(&out, "%d OK\n", self->req.status);
    CF_RETURN(self, 0);
  }
  th_logf(&out, "Request timed out!\n");
  CF_END(self, CF_ETIMEDOUT);
}
static void timed_request_cleanup(cf_future_t *f) {
  timed_request_t *self = (timed_request_t *)f;
  cf_future_drop(&self->race.base);
  cf_future_drop(&self->req.co.base);
  cf_future_drop(&self->limit.base);
}
CF_ASYNC_VTABLE(timed_request_vt, "request_with_timeout", timed_request_poll,
                timed_request_cleanup);
static void timed_request(timed_request_t *t, int64_t latency) {
  CF_ASYNC_INIT(t, &timed_request_vt);
  t->latency = latency;
}

static void select_timeout_ok_and_timed_out(void) {
  th_env_t env;
  timed_request_t fast, slow;
  th_env_open(&env);
  th_log_clear(&out);
  timed_request(&fast, 1000);
  CHECK_EQ(cf_block_on(env.rt, &fast.co.base), 0);
  CHECK_EQ(th_now(&env), 1000);
  timed_request(&slow, 4000);
  CHECK_EQ(cf_block_on(env.rt, &slow.co.base), CF_ETIMEDOUT);
  CHECK_EQ(th_now(&env), 3000); /* sequential: 1000 + 2000 */
  CHECK_STR(out.text, "200 OK\nRequest timed out!\n");
  cf_future_drop(&fast.co.base);
  cf_future_drop(&slow.co.base);
  th_env_close(&env);
}

/* async_http_concurrent.rn: the two requests joined take 2000 ms. */
typedef struct {
  cf_async_t co;
  timed_request_t a, b;
  cf_join_t both;
} concurrent_t;

static cf_poll_t concurrent_poll(cf_future_t *f, cf_context_t *cx) {
  concurrent_t *self = (concurrent_t *)f;
  CF_BEGIN(self);
  timed_request(&self->a, 1000);
  timed_request(&self->b, 4000);
  cf_join_init(&self->both,
               (cf_future_t *[]){&self->a.co.base, &self->b.co.base}, 2);
  CF_AWAIT(self, &self->both);
  CF_END(self, 0);
}
static void concurrent_cleanup(cf_future_t *f) {
  concurrent_t *self = (concurrent_t *)f;
  cf_future_drop(&self->both.base);
  cf_future_drop(&self->a.co.base);
  cf_future_drop(&self->b.co.base);
}
CF_ASYNC_VTABLE(concurrent_vt, "concurrent", concurrent_poll,
                concurrent_cleanup);

static void concurrent_requests_take_two_seconds(void) {
  th_env_t env;
  concurrent_t c;
  th_env_open(&env);
  th_log_clear(&out);
  CF_ASYNC_INIT(&c, &concurrent_vt);
  CHECK_EQ(cf_block_on(env.rt, &c.co.base), 0);
  CHECK_EQ(th_now(&env), 2000);
  CHECK_EQ(c.a.co.base.rc, 0);
  CHECK_EQ(c.b.co.base.rc, CF_ETIMEDOUT);
  CHECK_STR(out.text, "200 OK\nRequest timed out!\n");
  cf_future_drop(&c.co.base);
  th_env_close(&env);
}

/* ---- async closure and async block ---- */

/* An async closure: `let get_status = async |url| { request(url).await }`.
 * In C the closure's captured environment and its future are one struct;
 * calling the closure initialises it. */
typedef struct {
  cf_async_t co;
  const char *url; /* captured */
  request_t req;
  int status; /* output */
} get_status_t;

static cf_poll_t get_status_poll(cf_future_t *f, cf_context_t *cx) {
  get_status_t *self = (get_status_t *)f;
  CF_BEGIN(self);
  request(&self->req, (int64_t)strlen(self->url) * 10);
  CF_AWAIT(self, &self->req);
  self->status = self->req.status;
  CF_END(self, 0);
}
static void get_status_cleanup(cf_future_t *f) {
  cf_future_drop(&((get_status_t *)f)->req.co.base);
}
CF_ASYNC_VTABLE(get_status_vt, "async_closure", get_status_poll,
                get_status_cleanup);
static void get_status(get_status_t *c, const char *url) {
  CF_ASYNC_INIT(c, &get_status_vt);
  c->url = url;
}

static void async_closure_captures_and_returns(void) {
  th_env_t env;
  get_status_t call;
  cf_join_handle_t h;
  get_status_t *done;
  th_env_open(&env);
  get_status(&call, "http://example.invalid/");
  CHECK_EQ(CF_SPAWN(env.rt, &call, "closure", &h), 0);
  CHECK_EQ(cf_block_on(env.rt, &h.base), 0);
  done = (get_status_t *)cf_join_handle_output(&h);
  CHECK(done != NULL);
  if (done)
    CHECK_EQ(done->status, 200);
  CHECK_EQ(th_now(&env), 230);
  cf_future_drop(&h.base);
  th_env_close(&env);
}

/* An async block: `let block = async { request(url).await.status }`. It
 * takes no arguments and captures its environment (`scale` by reference);
 * C has no nested functions, so the block's frame and body sit beside the
 * code that creates it. */
typedef struct {
  cf_async_t co;
  const int *scale; /* captured by reference */
  request_t req;
} async_block_t;

static cf_poll_t async_block_poll(cf_future_t *f, cf_context_t *cx) {
  async_block_t *self = (async_block_t *)f;
  CF_BEGIN(self);
  request(&self->req, *self->scale * 100);
  CF_AWAIT(self, &self->req);
  CF_END(self, self->req.status);
}
static void async_block_cleanup(cf_future_t *f) {
  cf_future_drop(&((async_block_t *)f)->req.co.base);
}
CF_ASYNC_VTABLE(async_block_vt, "async_block", async_block_poll,
                async_block_cleanup);

static void async_block_captures_environment(void) {
  th_env_t env;
  int scale = 5;
  async_block_t block;
  th_env_open(&env);
  CF_ASYNC_INIT(&block, &async_block_vt);
  block.scale = &scale;
  scale = 7; /* captured by reference: the block sees the later value */
  CHECK_EQ(cf_block_on(env.rt, &block.co.base), 200);
  CHECK_EQ(th_now(&env), 700);
  cf_future_drop(&block.co.base);
  th_env_close(&env);
}

TH_MAIN(TH_CASE(never_awaited_never_runs), TH_CASE(hello_before_world),
        TH_CASE(join_takes_the_longest),
        TH_CASE(select_timeout_ok_and_timed_out),
        TH_CASE(concurrent_requests_take_two_seconds),
        TH_CASE(async_closure_captures_and_returns),
        TH_CASE(async_block_captures_environment))
