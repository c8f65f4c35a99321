/* fiber_em_emfiber.c: the BASELINE for bench/wasm/fiber_tax.mjs, not part
 * of the library: src/wasm/fiber_em.c as it was before it switched fibers
 * directly with Asyncify (linked ahead of libcfuture.a, it replaces the
 * library's cf__fstack_* functions). Wasm fiber stacks and context
 * switches over Emscripten fibers (emscripten_fiber_init /
 * emscripten_fiber_swap, which need the module linked with -sASYNCIFY: see
 * fiber.cmake). The platform half of src/fiber.c (see src/fiber_platform.h).
 *
 * Owns: one allocation per fiber (allocator hook) holding its
 * emscripten_fiber_t, its Asyncify buffer and its C stack; the context of
 * the thread's original stack with a static Asyncify buffer.
 * Invariants: a swap unwinds the wasm stack of the context left into that
 * context's Asyncify buffer and rewinds the one entered, so every function
 * between a JS entry point and a swap is Asyncify-instrumented (the whole
 * module is, in a fiber module). The exported function that was entered
 * from JS returns a meaningless value to JS when a switch happened inside
 * it (Asyncify re-enters it to rewind): the runtime's exports that can
 * switch (turns, host completions, free) return nothing JS relies on.
 * A canary word at the C stack's limit is checked at each switch; an
 * Asyncify buffer that is too small traps (RuntimeError: unreachable).
 * Costs: new = one allocation; a switch = an Asyncify unwind of the
 * context left plus a rewind of the one entered (proportional to their
 * call depth) through JS (Fibers.trampoline). */
#include <emscripten/fiber.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cfuture/alloc.h"
#include "cfuture/error.h"
#include "fiber_platform.h"

#define CANARY 0x5afe57acu
#define MAIN_ASYNCIFY 16384

struct cf__fstack {
  emscripten_fiber_t ctx;
  emscripten_fiber_t *back; /* the context that entered it */
  cf__fentry_t entry;
  int rc, returned;
  char *lo; /* the C stack's limit (lowest byte; holds the canary) */
  size_t total;
};

static emscripten_fiber_t main_ctx;
static char main_asyncify[MAIN_ASYNCIFY] __attribute__((aligned(16)));

static void trampoline(void *p) {
  cf__fstack_t *s = p;
  s->rc =
      s->entry.call ? s->entry.call(s->entry.arg) : s->entry.fn(s->entry.arg);
  s->returned = 1;
  emscripten_fiber_swap(&s->ctx, s->back);
  abort(); /* never entered again */
}

#define ALIGN16(n) (((n) + 15) & ~(size_t)15)

int cf__fstack_new(cf__fstack_t **out, size_t stack_size, size_t aux_size,
                   const char *name, const cf__fentry_t *entry,
                   size_t *reserved) {
  size_t head, stack, aux;
  /* the defaults of that version: 16 KiB C stack, 8 KiB Asyncify buffer */
  if (stack_size < 16384)
    stack_size = 16384;
  if (aux_size < 8192)
    aux_size = 8192;
  head = ALIGN16(sizeof(cf__fstack_t));
  stack = ALIGN16(stack_size);
  aux = ALIGN16(aux_size);
  size_t total = head + aux + stack;
  char *block;
  cf__fstack_t *s;
  (void)name;
  *out = NULL;
  block = cf_malloc(total);
  if (!block)
    return CF_ENOMEM;
  s = (cf__fstack_t *)(void *)block;
  memset(s, 0, sizeof *s);
  s->entry = *entry;
  s->total = total;
  s->lo = block + head + aux;
  *(uint32_t *)(void *)s->lo = CANARY;
  emscripten_fiber_init(&s->ctx, trampoline, s, s->lo, stack, block + head,
                        aux);
  *reserved = total;
  *out = s;
  return 0;
}

int cf__fstack_enter(cf__fstack_t *s, cf__fstack_t *from, int *rc) {
  emscripten_fiber_t *here = from ? &from->ctx : &main_ctx;
  if (!from)
    emscripten_fiber_init_from_current_context(&main_ctx, main_asyncify,
                                               sizeof main_asyncify);
  s->back = here;
  emscripten_fiber_swap(here, &s->ctx);
  *rc = s->rc;
  return s->returned;
}

void cf__fstack_leave(cf__fstack_t *s) {
  emscripten_fiber_swap(&s->ctx, s->back);
}

void cf__fstack_exit(cf__fstack_t *s) {
  emscripten_fiber_swap(&s->ctx, s->back);
  abort(); /* never entered again */
}

int cf__fstack_intact(const cf__fstack_t *s) {
  return *(const uint32_t *)(const void *)s->lo == CANARY;
}

void cf__fstack_free(cf__fstack_t *s) {
  if (s)
    cf_free(s, s->total);
}
