/* cfuture/fiber_export.h: fiber functions that JavaScript calls (wasm
 * only; the module must be linked as a fiber module, see fiber.cmake).
 *
 * CF_EXPORT_FIBER registers an export like CF_EXPORT_ASYNC (export.h) whose
 * body is a plain function running on a fiber: it reads its arguments,
 * awaits whatever it likes with cf_await and friends, sets its result and
 * returns 0 (or a CF_E* code, which rejects the call). From JS it is
 * indistinguishable from a stackless export:
 *
 *   static int slow_add(cf_fiber_call_t *c) {
 *     double a = cf_args_number(c->args, 0), b = cf_args_number(c->args, 1);
 *     int rc = cf_fiber_sleep(10);     // CF_ECANCELED if the signal aborts
 *     if (rc < 0)
 *       return rc;
 *     cf_fiber_call_return_number(c, a + b);
 *     return 0;
 *   }
 *   CF_EXPORT_FIBER(slow_add_export, "slow_add", slow_add, NULL)
 *
 *   await rt.call('slow_add', 1, 2, { signal });   // 3
 *
 * An AbortSignal aborts the call's task: the fiber is resumed canceled and
 * unwinds (fiber.h), and the Promise rejects with an AbortError.
 * The fiber is created at the call's first poll (its frame must be pinned
 * first), so an allocation failure there rejects the call with CF_ENOMEM
 * and the function never runs. The arguments stay valid until the call
 * settles. */
#ifndef CFUTURE_FIBER_EXPORT_H
#define CFUTURE_FIBER_EXPORT_H

#include "async.h"
#include "export.h"
#include "fiber.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cf_fiber_call {
  const cf_args_t *args; /* the call's arguments */
  cf_value_t result;     /* what JS receives when fn returns >= 0 */
  char *owned;           /* internal: the copy behind a string result */
  size_t owned_size;
} cf_fiber_call_t;

typedef int (*cf_fiber_export_fn)(cf_fiber_call_t *call);

static inline void cf_fiber_call_return_number(cf_fiber_call_t *c, double d) {
  c->result = cf_value_number(d);
}
/* Copy `len` bytes of text (or JSON when `json`) as the result; the copy
 * lives until the call settles. 0 or CF_ENOMEM. */
int cf_fiber_call_return_text(cf_fiber_call_t *c, const char *s, size_t len,
                              int json);

/* The frame behind a fiber export (internal layout). */
typedef struct cf_fiber_export_frame {
  cf_async_t co;
  cf_fiber_export_fn fn;
  const cf_fiber_options_t *opts;
  const char *name;
  uint8_t started;
  cf_fiber_call_t call;
  cf_fiber_t fib;
} cf_fiber_export_frame_t;

int cf__fiber_export_init(cf_future_t *f, const cf_args_t *args,
                          cf_fiber_export_fn fn, const char *name,
                          const cf_fiber_options_t *opts);
void cf__fiber_export_result(const cf_future_t *f, cf_value_t *out);

/* Register export `name` running fn on a fiber; opts (may be NULL) sets the
 * stack sizes; the fiber is named after the export unless opts names it. */
#define CF_EXPORT_FIBER(ident, name, fn, opts)                                 \
  static int ident##_init_(cf_future_t *f_, const cf_args_t *a_) {             \
    return cf__fiber_export_init(f_, a_, (fn), (name), (opts));                \
  }                                                                            \
  CF_EXPORT_ASYNC(ident, name, cf_fiber_export_frame_t, ident##_init_,         \
                  cf__fiber_export_result)

#ifdef __cplusplus
}
#endif
#endif
