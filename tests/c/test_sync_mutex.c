/* test_sync_mutex.c: async mutex and rwlock: FIFO hand-off, try_lock
 * respecting the queue, cancel-safety (a dropped lock future that was
 * handed the lock passes it on), unlock misuse, rwlock writer priority. */
#include "harness.h"
#include "sync_probe.h"

static void fifo_handoff(void) {
  cf_mutex_t m;
  cf_mutex_lock_t l[3];
  probe_t p[3] = {{0}};
  int i;
  cf_mutex_init(&m);
  CHECK_EQ(cf_mutex_try_lock(&m), 0);
  for (i = 0; i < 3; i++) {
    cf_mutex_lock_init(&l[i], &m);
    CHECK_EQ(probe_poll(&p[i], &l[i].base), CF_PENDING);
  }
  for (i = 0; i < 3; i++) {
    CHECK_EQ(cf_mutex_unlock(&m), 0); /* straight to waiter i */
    CHECK_EQ(p[i].wakes, 1);
    CHECK(cf_mutex_is_locked(&m));
    CHECK_EQ(cf_mutex_try_lock(&m), CF_EBUSY);
    CHECK_EQ(probe_poll(&p[i], &l[i].base), CF_READY);
    cf_future_drop(&l[i].base);
  }
  CHECK_EQ(cf_mutex_unlock(&m), 0);
  CHECK_EQ(cf_mutex_unlock(&m), CF_EINVAL);
  CHECK(!cf_mutex_is_locked(&m));
  for (i = 0; i < 3; i++)
    CHECK_EQ(p[i].live, 0);
}

static void try_lock_respects_queue(void) {
  cf_mutex_t m;
  cf_mutex_lock_t l;
  probe_t p = {0};
  cf_mutex_init(&m);
  CHECK_EQ(cf_mutex_try_lock(&m), 0);
  cf_mutex_lock_init(&l, &m);
  CHECK_EQ(probe_poll(&p, &l.base), CF_PENDING);
  cf_mutex_unlock(&m);
  /* The lock belongs to the waiter now, even before it polls. */
  CHECK_EQ(cf_mutex_try_lock(&m), CF_EBUSY);
  CHECK_EQ(probe_poll(&p, &l.base), CF_READY);
  cf_future_drop(&l.base);
  cf_mutex_unlock(&m);
  CHECK_EQ(p.live, 0);
}

static void dropped_lock_passes_it_on(void) {
  cf_mutex_t m;
  cf_mutex_lock_t a, b;
  probe_t pa = {0}, pb = {0};
  cf_mutex_init(&m);
  CHECK_EQ(cf_mutex_try_lock(&m), 0);
  cf_mutex_lock_init(&a, &m);
  cf_mutex_lock_init(&b, &m);
  CHECK_EQ(probe_poll(&pa, &a.base), CF_PENDING);
  CHECK_EQ(probe_poll(&pb, &b.base), CF_PENDING);
  cf_mutex_unlock(&m);     /* handed to a */
  cf_future_drop(&a.base); /* a is cancelled before it saw it */
  CHECK_EQ(pb.wakes, 1);
  CHECK_EQ(probe_poll(&pb, &b.base), CF_READY);
  cf_future_drop(&b.base);
  CHECK_EQ(cf_mutex_unlock(&m), 0);
  CHECK(!cf_mutex_is_locked(&m));
  /* Dropping a pending waiter with nobody behind it leaves it unlocked. */
  cf_mutex_try_lock(&m);
  cf_mutex_lock_init(&a, &m);
  CHECK_EQ(probe_poll(&pa, &a.base), CF_PENDING);
  cf_future_drop(&a.base);
  cf_mutex_unlock(&m);
  CHECK(!cf_mutex_is_locked(&m));
  CHECK_EQ(pa.live + pb.live, 0);
}

/* Two tasks increment a shared counter across an await while holding the
 * lock: no lost update, strict alternation (FIFO). */
typedef struct {
  cf_async_t co;
  cf_mutex_t *m;
  cf_mutex_lock_t lock;
  cf_sleep_t nap;
  int *shared, i, id, v;
  th_log_t *log;
} incr_t;
static cf_poll_t incr_poll(cf_future_t *f, cf_context_t *cx) {
  incr_t *self = (incr_t *)f;
  CF_BEGIN(self);
  for (self->i = 0; self->i < 3; self->i++) {
    cf_mutex_lock_init(&self->lock, self->m);
    CF_AWAIT(self, &self->lock);
    cf_future_drop(&self->lock.base);
    th_logf(self->log, "%d", self->id);
    self->v = *self->shared; /* held across the await below */
    cf_sleep_init(&self->nap, 5);
    CF_AWAIT(self, &self->nap);
    cf_future_drop(&self->nap.base);
    *self->shared = self->v + 1;
    cf_mutex_unlock(self->m);
  }
  CF_END(self, 0);
}
static void incr_cleanup(cf_future_t *f) {
  incr_t *self = (incr_t *)f;
  cf_future_drop(&self->lock.base);
  cf_future_drop(&self->nap.base);
}
CF_ASYNC_VTABLE(incr_vt, "incr", incr_poll, incr_cleanup);

static void tasks_alternate_without_lost_updates(void) {
  th_env_t env;
  cf_mutex_t m;
  incr_t a, b;
  cf_join_handle_t ha, hb;
  int shared = 0;
  th_log_t log;
  cf_join_t both;
  th_env_open(&env);
  th_log_clear(&log);
  cf_mutex_init(&m);
  CF_ASYNC_INIT(&a, &incr_vt);
  CF_ASYNC_INIT(&b, &incr_vt);
  a.m = b.m = &m;
  a.shared = b.shared = &shared;
  a.log = b.log = &log;
  a.id = 0;
  b.id = 1;
  CHECK_EQ(CF_SPAWN(env.rt, &a, "a", &ha), 0);
  CHECK_EQ(CF_SPAWN(env.rt, &b, "b", &hb), 0);
  cf_join_init(&both, (cf_future_t *[]){&ha.base, &hb.base}, 2);
  CHECK_EQ(cf_block_on(env.rt, &both.base), 0);
  CHECK_EQ(shared, 6);
  CHECK_STR(log.text, "010101");
  CHECK_EQ(th_now(&env), 30);
  cf_future_drop(&both.base);
  cf_future_drop(&ha.base);
  cf_future_drop(&hb.base);
  th_env_close(&env);
}

static void rwlock_readers_share_writer_is_fair(void) {
  cf_rwlock_t l;
  cf_rwlock_read_t r1, r2;
  cf_rwlock_write_t w;
  probe_t p1 = {0}, p2 = {0}, pw = {0};
  cf_rwlock_init(&l);
  cf_rwlock_read_init(&r1, &l);
  CHECK_EQ(probe_poll(&p1, &r1.base), CF_READY);
  CHECK_EQ(cf_rwlock_try_read(&l), 0); /* readers share */
  CHECK_EQ(cf_rwlock_held(&l), 2);
  cf_rwlock_write_init(&w, &l);
  CHECK_EQ(probe_poll(&pw, &w.base), CF_PENDING);
  /* A reader after a queued writer waits (no writer starvation). */
  CHECK_EQ(cf_rwlock_try_read(&l), CF_EBUSY);
  cf_rwlock_read_init(&r2, &l);
  CHECK_EQ(probe_poll(&p2, &r2.base), CF_PENDING);
  CHECK_EQ(cf_rwlock_held(&l), 2);
  cf_rwlock_unlock_read(&l);
  CHECK_EQ(pw.wakes, 0);
  cf_rwlock_unlock_read(&l);
  CHECK_EQ(pw.wakes, 1);
  CHECK_EQ(p2.wakes, 0);
  CHECK_EQ(probe_poll(&pw, &w.base), CF_READY);
  CHECK_EQ(cf_rwlock_held(&l), CF_RWLOCK_MAX_READERS);
  CHECK_EQ(cf_rwlock_try_write(&l), CF_EBUSY);
  cf_rwlock_unlock_write(&l);
  CHECK_EQ(p2.wakes, 1);
  CHECK_EQ(probe_poll(&p2, &r2.base), CF_READY);
  cf_rwlock_unlock_read(&l);
  CHECK_EQ(cf_rwlock_try_write(&l), 0);
  cf_rwlock_unlock_write(&l);
  cf_future_drop(&r1.base);
  cf_future_drop(&r2.base);
  cf_future_drop(&w.base);
  CHECK_EQ(p1.live + p2.live + pw.live, 0);
}

static void rwlock_dropped_writer_unblocks_readers(void) {
  cf_rwlock_t l;
  cf_rwlock_write_t w;
  cf_rwlock_read_t r;
  probe_t pw = {0}, pr = {0};
  cf_rwlock_init(&l);
  CHECK_EQ(cf_rwlock_try_read(&l), 0);
  cf_rwlock_write_init(&w, &l);
  cf_rwlock_read_init(&r, &l);
  CHECK_EQ(probe_poll(&pw, &w.base), CF_PENDING); /* holds max-1 permits */
  CHECK_EQ(probe_poll(&pr, &r.base), CF_PENDING);
  cf_future_drop(&w.base);
  CHECK_EQ(pr.wakes, 1);
  CHECK_EQ(probe_poll(&pr, &r.base), CF_READY);
  CHECK_EQ(cf_rwlock_held(&l), 2);
  cf_rwlock_unlock_read(&l);
  cf_rwlock_unlock_read(&l);
  CHECK_EQ(cf_rwlock_held(&l), 0);
  cf_future_drop(&r.base);
  CHECK_EQ(pw.live + pr.live, 0);
}

TH_MAIN(TH_CASE(fifo_handoff), TH_CASE(try_lock_respects_queue),
        TH_CASE(dropped_lock_passes_it_on),
        TH_CASE(tasks_alternate_without_lost_updates),
        TH_CASE(rwlock_readers_share_writer_is_fair),
        TH_CASE(rwlock_dropped_writer_unblocks_readers))
