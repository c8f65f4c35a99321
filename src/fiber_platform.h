/* fiber_platform.h: the seam between the fiber core (src/fiber.c) and the
 * platform's stacks and context switch: src/native/fiber_ucontext.c
 * (ucontext + mmap'd stacks with a guard page) and src/wasm/fiber_em.c
 * (direct Asyncify switches).
 *
 * A cf__fstack_t is one fiber's stack and saved context. The core calls,
 * all on the runtime's thread:
 *   new      allocate the stack; the entry's function runs on it at the
 *            first switch in, as the stack's bottom frame (on wasm no
 *            wrapper frame sits below it: every instrumented frame is
 *            saved and restored at each switch, so each one costs).
 *   enter    switch from `from` (NULL: the thread's original context) into
 *            `s`; returns when `s` leaves (cf__fstack_leave / _exit): 0,
 *            or when the function returned: 1 with its value in *rc.
 *   leave    from `s` (running) back to whoever entered it; returns when
 *            `s` is entered again.
 *   exit     leave for the last time without returning (abandonment; the
 *            stack may be freed afterwards).
 *   intact   0 if the canary at the stack's limit was overwritten.
 *   free     release the stack (after the function returned, or never
 *            entered, or abandoned by an exit from inside it).
 * Every switch is annotated for AddressSanitizer (start/finish switch
 * fiber) where it is enabled. */
#ifndef CF_FIBER_PLATFORM_H
#define CF_FIBER_PLATFORM_H

#include <stddef.h>

typedef struct cf__fstack cf__fstack_t;
struct cf_fiber_call;

/* What a fiber runs: call(arg) when `call` is set (a CF_EXPORT_FIBER
 * function, src/wasm/fiber_export.c), else fn(arg). Two typed pointers, so
 * that neither kind needs a wrapper frame. */
typedef struct cf__fentry {
  int (*fn)(void *);
  int (*call)(struct cf_fiber_call *);
  void *arg;
} cf__fentry_t;

/* Returns 0 or CF_ENOMEM. `name` (for overflow reports) must outlive it.
 * *reserved gets the bytes reserved (stack, guard, Asyncify buffer). */
int cf__fstack_new(cf__fstack_t **out, size_t stack_size, size_t aux_size,
                   const char *name, const cf__fentry_t *entry,
                   size_t *reserved);
int cf__fstack_enter(cf__fstack_t *s, cf__fstack_t *from, int *rc);
void cf__fstack_leave(cf__fstack_t *s);
#if defined(__GNUC__) || defined(__clang__)
__attribute__((noreturn))
#endif
void cf__fstack_exit(cf__fstack_t *s);
int cf__fstack_intact(const cf__fstack_t *s);
void cf__fstack_free(cf__fstack_t *s);

#endif
