/* sem_internal.h (internal): the semaphore acquire future's poll and drop,
 * shared by mutex.c and rwlock.c so each gets its own diagnostic name. */
#ifndef CF_SYNC_SEM_INTERNAL_H
#define CF_SYNC_SEM_INTERNAL_H

#include "waitq.h"

cf_poll_t cf__sem_acquire_poll(cf_future_t *f, cf_context_t *cx);
void cf__sem_acquire_drop(cf_future_t *f);
void cf__sem_acquire_setup(cf_semaphore_acquire_t *a, cf_semaphore_t *s,
                           size_t n, const cf_future_vtable_t *vt);

#endif
