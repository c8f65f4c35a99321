/* fiber_em.c: wasm fiber stacks and context switches, done directly with
 * Asyncify from wasm (the platform half of src/fiber.c, see
 * src/fiber_platform.h).
 *
 * How a switch works. Entering a fiber is a plain nested call: `run` (the
 * "bottom-most runtime" in Asyncify's terms) moves the stack pointer onto
 * the fiber's C stack and calls the fiber's function (its bottom frame:
 * the user's own function, no wrapper below it) through a pointer,
 * starting an Asyncify rewind first if the fiber was suspended. Leaving
 * (cf_await suspending) calls cf__fstack_leave (the "top-most runtime"),
 * which starts an unwind: only the fiber's own frames, from cf_await down
 * to its function, are saved into the fiber's Asyncify buffer, and `run`
 * stops the unwind and returns to its caller normally. Binaryen's
 * Asyncify runtime functions are called from C (imports of the "asyncify"
 * module, which the pass replaces with its own code), so a switch never
 * leaves wasm. The executor's frames (the turn, the task, every poll
 * between it and the fiber) never unwind or rewind and need no
 * instrumentation: with -sASYNCIFY_IGNORE_INDIRECT only the direct callers
 * of cf_await and friends (transitively) are instrumented, plus whatever
 * a user names in ASYNCIFY_ADD (scripts/emcc-flags.json, "fibers"). Each
 * instrumented frame on the fiber's stack is saved at every switch out
 * and restored at every switch in, which is why `run` calls the fiber's
 * function itself instead of through a runtime wrapper (one frame less
 * each way: a suspend + resume with no JS went from 115 to 93 ns,
 * bench/README.md, W9). The previous implementation over Emscripten's
 * fibers (emscripten_fiber_swap) unwound the whole wasm stack down to the
 * JS entry point at every switch and needed every function with an
 * indirect call instrumented; it is kept as the benchmark's baseline
 * (bench/wasm/fiber_em_emfiber.c).
 *
 * Owns: one allocation per fiber (allocator hook) holding this header,
 * the Asyncify buffer and the C stack.
 * Invariants: a fiber runs only inside cf__fstack_enter (nested calls, so
 * each fiber returns to whoever entered it); `resuming` is set exactly
 * while a rewind is in flight, `unwinding` while an unwind is; after a
 * complete rewind the Asyncify buffer's position is back at its start,
 * which cf__fstack_leave checks (a mismatch means an uninstrumented frame
 * was on the fiber's stack: reported with the fiber's name, then abort).
 * A canary word at the C stack's limit is checked at each switch; an
 * Asyncify buffer that overflowed is reported by name when the unwind
 * ends (the overflow lands in the fiber's own C stack, below its canary
 * end), then abort.
 * Costs: new = one allocation; a switch in = a call (+ a rewind of the
 * fiber's own frames); a switch out = an unwind of the fiber's frames;
 * no JS on either. */
#include <emscripten.h>
#include <emscripten/stack.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfuture/alloc.h"
#include "cfuture/error.h"
#include "fiber_platform.h"

#define CANARY 0x5afe57acu

/* compiler-rt (stack_ops.S): set the stack pointer. */
void stackRestore(uintptr_t sp);

struct cf__fstack {
  struct {
    uintptr_t pos, end; /* Asyncify's data header: read by the pass */
  } data;
  uintptr_t buf;     /* start of the Asyncify buffer */
  uintptr_t sp;      /* stack pointer where the fiber suspended */
  uintptr_t base;    /* top of the C stack (it grows down) */
  char *lo;          /* the C stack's limit (lowest byte; the canary) */
  int32_t resuming;  /* a rewind is in flight */
  int32_t unwinding; /* an unwind is in flight */
  int32_t started;   /* entered at least once */
  int32_t returned;  /* the function returned (its value in rc) */
  int32_t rc;
  cf__fentry_t entry;
  const char *name;
  size_t total;
};

/* Binaryen's Asyncify runtime, called from wasm itself: the pass replaces
 * these imports with its own functions, so a switch never leaves wasm. */
#define CF_ASYNCIFY(name)                                                      \
  __attribute__((import_module("asyncify"), import_name(name)))
CF_ASYNCIFY("start_unwind") void cf__asyncify_start_unwind(void *data);
CF_ASYNCIFY("stop_unwind") void cf__asyncify_stop_unwind(void);
CF_ASYNCIFY("start_rewind") void cf__asyncify_start_rewind(void *data);
CF_ASYNCIFY("stop_rewind") void cf__asyncify_stop_rewind(void);

/* emcc 3.1.6 checks imports by name before the Asyncify pass replaces the
 * four above: these never-called JS definitions satisfy that check. */
EM_JS(void, start_unwind, (void), { abort("asyncify import"); });
EM_JS(void, stop_unwind, (void), { abort("asyncify import"); });
EM_JS(void, start_rewind, (void), { abort("asyncify import"); });
EM_JS(void, stop_rewind, (void), { abort("asyncify import"); });

/* Reported when a rewind did not consume exactly what the unwind saved. */
static void corrupt(const cf__fstack_t *s) {
  fprintf(stderr,
          "cfuture: fiber '%s' resumed with a corrupt Asyncify stack: a "
          "function between the fiber's entry and cf_await was not "
          "instrumented (called through a function pointer? add it to "
          "-sASYNCIFY_ADD)\n",
          s->name ? s->name : "fiber");
  fflush(stderr);
  abort();
}

/* Asyncify wrote past the fiber's buffer (into the low end of its own C
 * stack, which the buffer precedes in the block): report it by name before
 * Asyncify's own check traps without one. */
static void asyncify_overflow(const cf__fstack_t *s) {
  fprintf(stderr,
          "cfuture: fiber '%s' overflowed its %lu-byte Asyncify buffer "
          "(cf_fiber_options_t.asyncify_size; deep call chains down to "
          "cf_await need more)\n",
          s->name ? s->name : "fiber", (unsigned long)(s->data.end - s->buf));
  fflush(stderr);
  abort();
}

/* The bottom-most runtime: start a rewind if asked, run the fiber's
 * function until it returns or unwinds, stop the unwind. Never
 * instrumented (it calls start_rewind / stop_unwind), so its caller's
 * frames stay put. The function is called through a pointer read at run
 * time (volatile: never a direct call the optimiser could inline into this
 * uninstrumented frame), the same one at the first entry and at each
 * rewind. */
static void run(cf__fstack_t *s, int rewind) {
  int (*volatile call)(struct cf_fiber_call *) = s->entry.call;
  int (*volatile fn)(void *) = s->entry.fn;
  int rc;
  if (rewind)
    cf__asyncify_start_rewind(&s->data);
  rc = call ? call(s->entry.arg) : fn(s->entry.arg);
  if (s->unwinding) {
    s->unwinding = 0;
    if (s->data.pos > s->data.end)
      asyncify_overflow(s);
    cf__asyncify_stop_unwind();
    return;
  }
  s->rc = rc;
  s->returned = 1;
}

#define ALIGN16(n) (((n) + 15) & ~(size_t)15)

int cf__fstack_new(cf__fstack_t **out, size_t stack_size, size_t aux_size,
                   const char *name, const cf__fentry_t *entry,
                   size_t *reserved) {
  size_t head = ALIGN16(sizeof(cf__fstack_t));
  size_t stack = ALIGN16(stack_size), aux = ALIGN16(aux_size);
  size_t total = head + aux + stack;
  char *block;
  cf__fstack_t *s;
  *out = NULL;
  block = cf_malloc(total);
  if (!block)
    return CF_ENOMEM;
  s = (cf__fstack_t *)(void *)block;
  memset(s, 0, sizeof *s);
  s->entry = *entry;
  s->name = name;
  s->total = total;
  s->buf = (uintptr_t)(block + head);
  s->data.pos = s->buf;
  s->data.end = s->buf + aux;
  s->lo = block + head + aux;
  s->base = (uintptr_t)(s->lo + stack);
  *(uint32_t *)(void *)s->lo = CANARY;
  *reserved = total;
  *out = s;
  return 0;
}

int cf__fstack_enter(cf__fstack_t *s, cf__fstack_t *from, int *rc) {
  uintptr_t sp = emscripten_stack_get_current();
  uintptr_t base = emscripten_stack_get_base();
  uintptr_t end = emscripten_stack_get_end();
  int rewind = s->started;
  (void)from; /* a nested call returns to whoever entered */
  s->started = 1;
  s->resuming = rewind;
  emscripten_stack_set_limits((void *)s->base, s->lo);
  stackRestore(rewind ? s->sp : s->base);
  run(s, rewind);
  stackRestore(sp);
  emscripten_stack_set_limits((void *)base, (void *)end);
  *rc = s->rc;
  return s->returned;
}

/* The top-most runtime: called normally it starts the unwind; called
 * again by the rewind it stops the rewind and returns into cf_await. */
void cf__fstack_leave(cf__fstack_t *s) {
  if (s->resuming) {
    s->resuming = 0;
    cf__asyncify_stop_rewind();
    if (s->data.pos != s->buf)
      corrupt(s);
    return;
  }
  s->sp = emscripten_stack_get_current();
  s->unwinding = 1;
  cf__asyncify_start_unwind(&s->data);
}

void cf__fstack_exit(cf__fstack_t *s) {
  /* Unwind for good: nothing rewinds it; the caller frees the stack. */
  cf__fstack_leave(s);
  abort();
}

int cf__fstack_intact(const cf__fstack_t *s) {
  return *(const uint32_t *)(const void *)s->lo == CANARY;
}

void cf__fstack_free(cf__fstack_t *s) {
  if (s)
    cf_free(s, s->total);
}
