/* mutex.c: the async mutex, a semaphore with one permit (as in tokio).
 * Invariant: locked <=> the permit is not free. FIFO fairness and cancel
 * safety come from the semaphore; unlock hands the lock straight to the
 * oldest waiter, so a task that unlocks and relocks queues behind it.
 * Cost: lock/unlock O(1). */
#include "sem_internal.h"

#include "cfuture/error.h"

static const cf_future_vtable_t lock_vt = {"mutex_lock", cf__sem_acquire_poll,
                                           cf__sem_acquire_drop, 0};

void cf_mutex_init(cf_mutex_t *m) {
  cf_semaphore_init(&m->sem, 1);
}

int cf_mutex_try_lock(cf_mutex_t *m) {
  return cf_semaphore_try_acquire(&m->sem, 1) == 0 ? 0 : CF_EBUSY;
}

int cf_mutex_unlock(cf_mutex_t *m) {
  if (m->sem.permits != 0)
    return CF_EINVAL;
  cf_semaphore_release(&m->sem, 1);
  return 0;
}

int cf_mutex_is_locked(const cf_mutex_t *m) {
  return m->sem.permits == 0;
}

void cf_mutex_lock_init(cf_mutex_lock_t *l, cf_mutex_t *m) {
  cf__sem_acquire_setup(l, &m->sem, 1, &lock_vt);
}
