/* cfuture/wasm.h: everything of cfuture that exists only in wasm builds
 * (the JavaScript host): host ops, fetch, the Promise bridge and exported
 * async functions. Include it after (or instead of) cfuture.h:
 *
 *   #include <cfuture.h>
 *   #include <cfuture/wasm.h>
 */
#ifndef CFUTURE_WASM_H
#define CFUTURE_WASM_H

#include "export.h"
#include "fetch.h"
#include "hostop.h"
#include "promise.h"

#endif
