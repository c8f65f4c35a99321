/* cfuture.h: Rust-style async for C. Includes every public header.
 *
 *   error.h    CF_E* codes, cf_strerror, cf_err_name
 *   alloc.h    the allocator hook
 *   future.h   futures, wakers, the poll context
 *   async.h    async functions as stackless coroutines (CF_BEGIN/CF_AWAIT)
 *   driver.h   the platform seam, POSIX and virtual-clock drivers
 *   runtime.h  executor, spawn, join handles, abort, block_on, yield
 *   time.h     sleep, interval, timeout
 *   combine.h  join, try_join, select, join sets
 *   sync.h     notify, mutex, rwlock, semaphore
 *   stream.h   streams (poll-next), map/filter/take, for_each_concurrent
 *   channel.h  oneshot, mpsc, broadcast, watch
 *   fiber.h    stackful fiber tasks (cf_fiber_spawn, cf_await)
 *   blocking.h blocking C work on a thread pool (cf_spawn_blocking)
 */
#ifndef CFUTURE_H
#define CFUTURE_H

#include "cfuture/alloc.h"
#include "cfuture/async.h"
#include "cfuture/blocking.h"
#include "cfuture/channel.h"
#include "cfuture/combine.h"
#include "cfuture/driver.h"
#include "cfuture/error.h"
#include "cfuture/fiber.h"
#include "cfuture/future.h"
#include "cfuture/runtime.h"
#include "cfuture/stream.h"
#include "cfuture/sync.h"
#include "cfuture/time.h"

#endif
