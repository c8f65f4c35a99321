/* cfuture/sync.h: Notify, Mutex, RwLock and Semaphore for tasks.
 *
 * All four are caller-allocated structs (embed them in your own state):
 * cf_<x>_init, no allocation ever, nothing to free. They must outlive every
 * future that refers to them. They are single-threaded, like the runtime.
 *
 * Waiting is done by futures (cf_<x>_<op>_init + await + cf_future_drop).
 * Each such future embeds its waiter node (cf_wait_node_t), so waiting never
 * allocates: the node is linked in the primitive's FIFO queue at the first
 * pending poll and unlinked by drop.
 *
 * Fairness: waiters are served strictly first come, first served. A waiter
 * that wants more than is available blocks everyone behind it (tokio's
 * semantics), so a large acquire cannot be starved by small ones.
 *
 * Cancel safety (what dropping a pending future does):
 *   - Acquire / lock / read / write: cancel-safe. The waiter leaves the
 *     queue; permits already assigned to it (partially, or fully but not
 *     yet observed by a poll) go to the next waiter or back to the pool.
 *     Nothing is held after the drop, and nobody behind it stalls.
 *   - Notified: cancel-safe. A notify_one already assigned to the dropped
 *     waiter is passed to the next waiter (or stored as the permit), so no
 *     notification is lost.
 *
 * Closing: cf_semaphore_close wakes every waiter with CF_ECLOSED and makes
 * later acquires fail with CF_ECLOSED (releases still count).
 *
 * Budget: a ready acquire/lock/notified spends one cf_coop_proceed unit, so
 * a task that keeps finding them ready yields to others.
 */
#ifndef CFUTURE_SYNC_H
#define CFUTURE_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "future.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- waiter nodes (shared by every primitive and channel) ------------- */

/* A waiter embedded in a pending future. Fields are internal. */
typedef struct cf_wait_node {
  struct cf_wait_node *prev, *next;
  cf_waker_t waker;
  size_t want, got; /* permits wanted / assigned so far */
  int32_t rc;       /* outcome assigned by the waking side */
  uint8_t state;    /* idle, queued, assigned, delivered */
  uint8_t kind;     /* per-primitive detail (notify: one vs all) */
} cf_wait_node_t;

typedef struct cf_wait_list {
  cf_wait_node_t *head, *tail;
  size_t len;
} cf_wait_list_t;

/* ---- semaphore -------------------------------------------------------- */

typedef struct cf_semaphore {
  size_t permits;         /* free permits; 0 whenever waiters is non-empty */
  cf_wait_list_t waiters; /* FIFO; only the head holds partial permits */
  uint8_t closed;
} cf_semaphore_t;

void cf_semaphore_init(cf_semaphore_t *s, size_t permits);
/* Free permits right now. */
size_t cf_semaphore_available(const cf_semaphore_t *s);
/* Take n permits without waiting: 0, CF_EAGAIN (not enough, or others are
 * queued: FIFO), CF_ECLOSED. n == 0 always succeeds (unless closed). */
int cf_semaphore_try_acquire(cf_semaphore_t *s, size_t n);
/* Return (or add) n permits; wakes queued acquirers that become satisfied,
 * in order. Never fails; O(waiters served). */
void cf_semaphore_release(cf_semaphore_t *s, size_t n);
/* Wake every waiter with CF_ECLOSED; later acquires fail. Idempotent. */
void cf_semaphore_close(cf_semaphore_t *s);
int cf_semaphore_is_closed(const cf_semaphore_t *s);

/* Acquire n permits. Ready with rc 0 (the caller now owns n permits and
 * gives them back with cf_semaphore_release), CF_ECLOSED. Dropping it after
 * ready does not release the permits; dropping it while pending releases
 * whatever was assigned to it (cancel-safe). */
typedef struct cf_semaphore_acquire {
  cf_future_t base;
  cf_semaphore_t *sem;
  cf_wait_node_t node;
} cf_semaphore_acquire_t;
void cf_semaphore_acquire_init(cf_semaphore_acquire_t *a, cf_semaphore_t *s,
                               size_t n);

/* ---- mutex ------------------------------------------------------------ */

/* An async mutex, FIFO fair: lock futures get the lock in the order they
 * first polled. It protects no data itself: guard your own fields. */
typedef struct cf_mutex {
  cf_semaphore_t sem; /* one permit */
} cf_mutex_t;

void cf_mutex_init(cf_mutex_t *m);
/* 0 (locked it), CF_EBUSY (held, or others are waiting). */
int cf_mutex_try_lock(cf_mutex_t *m);
/* Release the lock; hands it straight to the oldest waiter. Returns 0, or
 * CF_EINVAL if the mutex was not locked. */
int cf_mutex_unlock(cf_mutex_t *m);
int cf_mutex_is_locked(const cf_mutex_t *m);

/* Ready with rc 0 once the caller holds the lock (call cf_mutex_unlock
 * when done). Cancel-safe: see the header comment. */
typedef cf_semaphore_acquire_t cf_mutex_lock_t;
void cf_mutex_lock_init(cf_mutex_lock_t *l, cf_mutex_t *m);

/* ---- rwlock ----------------------------------------------------------- */

/* Many readers or one writer, FIFO fair: a queued writer blocks readers
 * that come after it (no writer starvation). Built on a semaphore of
 * max_readers permits: a read takes 1, a write takes them all. */
typedef struct cf_rwlock {
  cf_semaphore_t sem;
  size_t max_readers;
} cf_rwlock_t;

#define CF_RWLOCK_MAX_READERS ((size_t)1 << 24)

void cf_rwlock_init(cf_rwlock_t *l);
int cf_rwlock_try_read(cf_rwlock_t *l);  /* 0 or CF_EBUSY */
int cf_rwlock_try_write(cf_rwlock_t *l); /* 0 or CF_EBUSY */
void cf_rwlock_unlock_read(cf_rwlock_t *l);
void cf_rwlock_unlock_write(cf_rwlock_t *l);
/* Readers holding the lock right now (max_readers when write-locked). */
size_t cf_rwlock_held(const cf_rwlock_t *l);

typedef cf_semaphore_acquire_t cf_rwlock_read_t;
typedef cf_semaphore_acquire_t cf_rwlock_write_t;
/* Ready with rc 0 once the read (write) lock is held. Cancel-safe. */
void cf_rwlock_read_init(cf_rwlock_read_t *r, cf_rwlock_t *l);
void cf_rwlock_write_init(cf_rwlock_write_t *w, cf_rwlock_t *l);

/* ---- notify ----------------------------------------------------------- */

/* Wake tasks without data (tokio's Notify). notify_one wakes the oldest
 * waiter, or stores one permit (at most one) for the next waiter if none is
 * waiting. notify_waiters wakes every waiter whose future was initialised
 * before the call (even if not yet polled) and stores no permit. */
typedef struct cf_notify {
  cf_wait_list_t waiters;
  uint64_t epoch; /* counts notify_waiters calls */
  uint8_t permit;
} cf_notify_t;

void cf_notify_init(cf_notify_t *n);
void cf_notify_one(cf_notify_t *n);
void cf_notify_waiters(cf_notify_t *n);

/* Ready with rc 0 when notified. Cancel-safe: a notify_one assigned to a
 * dropped future moves on to the next waiter or becomes the permit. */
typedef struct cf_notified {
  cf_future_t base;
  cf_notify_t *notify;
  uint64_t epoch; /* notify->epoch at init */
  cf_wait_node_t node;
} cf_notified_t;
void cf_notified_init(cf_notified_t *f, cf_notify_t *n);

#ifdef __cplusplus
}
#endif
#endif
