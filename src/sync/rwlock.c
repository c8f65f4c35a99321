/* rwlock.c: the FIFO-fair reader-writer lock, a semaphore of max_readers
 * permits (as in tokio): a reader takes 1, a writer takes all of them. A
 * queued writer is the head of the queue and absorbs freed permits, so
 * readers arriving after it wait (no writer starvation).
 * Cost: O(1) per operation plus the waiters a release satisfies. */
#include "sem_internal.h"

#include "cfuture/error.h"

static const cf_future_vtable_t read_vt = {"rwlock_read", cf__sem_acquire_poll,
                                           cf__sem_acquire_drop, 0};
static const cf_future_vtable_t write_vt = {
    "rwlock_write", cf__sem_acquire_poll, cf__sem_acquire_drop, 0};

void cf_rwlock_init(cf_rwlock_t *l) {
  l->max_readers = CF_RWLOCK_MAX_READERS;
  cf_semaphore_init(&l->sem, l->max_readers);
}

int cf_rwlock_try_read(cf_rwlock_t *l) {
  return cf_semaphore_try_acquire(&l->sem, 1) == 0 ? 0 : CF_EBUSY;
}

int cf_rwlock_try_write(cf_rwlock_t *l) {
  return cf_semaphore_try_acquire(&l->sem, l->max_readers) == 0 ? 0 : CF_EBUSY;
}

void cf_rwlock_unlock_read(cf_rwlock_t *l) {
  cf_semaphore_release(&l->sem, 1);
}

void cf_rwlock_unlock_write(cf_rwlock_t *l) {
  cf_semaphore_release(&l->sem, l->max_readers);
}

size_t cf_rwlock_held(const cf_rwlock_t *l) {
  size_t queued = l->sem.waiters.head ? l->sem.waiters.head->got : 0;
  return l->max_readers - l->sem.permits - queued;
}

void cf_rwlock_read_init(cf_rwlock_read_t *r, cf_rwlock_t *l) {
  cf__sem_acquire_setup(r, &l->sem, 1, &read_vt);
}

void cf_rwlock_write_init(cf_rwlock_write_t *w, cf_rwlock_t *l) {
  cf__sem_acquire_setup(w, &l->sem, l->max_readers, &write_vt);
}
