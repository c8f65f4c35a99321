/* driver.h: the driver contract as the core sees it. The contract itself is
 * public (cfuture/driver.h) so embedders can write drivers; this header
 * adds what drivers in this tree share. A driver calls cf_runtime_turn when
 * a requested run comes due or its timer fires, and nothing else. */
#ifndef CF_DRIVER_H
#define CF_DRIVER_H

#include "cfuture/driver.h"
#include "cfuture/runtime.h"

/* Platform default driver (native: POSIX; wasm: the JS event loop). */
int cf__platform_default_driver(cf_driver_t **out);
void cf__platform_default_driver_free(cf_driver_t *d);

#endif
