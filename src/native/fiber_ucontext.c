/* fiber_ucontext.c: native fiber stacks and context switches (POSIX
 * ucontext), the platform half of src/fiber.c (see src/fiber_platform.h).
 *
 * Owns: each fiber's mmap'd stack with a PROT_NONE guard page below it,
 * its saved ucontext, the thread's original context (the one the executor
 * runs on), and a process-wide SIGSEGV/SIGBUS handler, installed with the
 * first stack, that reports a fault on the running fiber's guard page as
 * a stack overflow naming the fiber (on an alternate signal stack, set up
 * for the thread if it has none), and otherwise hands the fault to the
 * handler that was there before (the default, or ASan's).
 * Invariants: `running` is the fiber whose stack the thread is on (NULL on
 * the original stack); a fiber is entered only while it is out; a stack is
 * unmapped only while the thread is not on it.
 * Sanitizers: every switch is bracketed by __sanitizer_start_switch_fiber /
 * __sanitizer_finish_switch_fiber under ASan, and each stack is registered
 * with valgrind (VALGRIND_STACK_REGISTER) when valgrind.h is available, so
 * both follow the switches.
 * Costs: new = one allocation (the context block), mmap + mprotect; a
 * switch = swapcontext (register save/restore plus a sigprocmask system
 * call); free = munmap. Pages of a stack are committed only when touched.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>

#include "cfuture/alloc.h"
#include "cfuture/error.h"
#include "fiber_platform.h"

#if defined(__SANITIZE_ADDRESS__)
#define CF_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CF_ASAN 1
#endif
#endif
#ifndef CF_ASAN
#define CF_ASAN 0
#endif
#if CF_ASAN
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#endif

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define CF_VALGRIND 1
#endif
#endif
#ifndef CF_VALGRIND
#define CF_VALGRIND 0
#endif

#define CANARY 0x5afe57ac6b00c0deull

struct cf__fstack {
  ucontext_t ctx;   /* this fiber's registers while it is out */
  ucontext_t *back; /* where leave/exit return to: the enterer's context */
  cf__fentry_t entry;
  int rc;       /* the function's value, once it returned */
  int returned; /* the function returned (set on its stack, read by enter) */
  char *map;    /* the mapping: guard page, then the stack */
  size_t map_size;
  char *lo;    /* lowest usable byte (holds the canary) */
  size_t size; /* usable bytes */
  const char *name;
  unsigned vg_id;
#if CF_ASAN
  void *fake;          /* ASan fake stack of this fiber while it is out */
  const void *back_lo; /* bounds of the stack that entered it */
  size_t back_size;
#endif
};

static _Thread_local ucontext_t main_ctx;
static _Thread_local cf__fstack_t *running;

/* ---- overflow reporting ---- */

static int handler_installed;
static struct sigaction old_segv, old_bus;

static size_t put(char *buf, size_t n, size_t cap, const char *s) {
  while (*s && n < cap)
    buf[n++] = *s++;
  return n;
}

static void on_fault(int sig, siginfo_t *si, void *uctx) {
  cf__fstack_t *s = running;
  char *addr = si->si_addr;
  (void)uctx;
  if (s && addr >= s->map && addr < s->lo) {
    char line[256], num[24];
    size_t n = 0, k = 0;
    size_t v = s->size;
    do
      num[k++] = (char)('0' + v % 10);
    while ((v /= 10) != 0 && k < sizeof num);
    n = put(line, n, sizeof line, "cfuture: fiber '");
    n = put(line, n, sizeof line, s->name ? s->name : "fiber");
    n = put(line, n, sizeof line, "' overflowed its ");
    while (k && n < sizeof line)
      line[n++] = num[--k];
    n = put(line, n, sizeof line, "-byte stack\n");
    if (write(STDERR_FILENO, line, n) < 0) {
      /* nothing more can be done */
    }
    signal(SIGABRT, SIG_DFL);
    abort();
  }
  /* Not ours: restore the previous handler; the access faults again. */
  sigaction(SIGSEGV, &old_segv, NULL);
  sigaction(SIGBUS, &old_bus, NULL);
  (void)sig;
}

static void install_handler(void) {
  struct sigaction sa;
  stack_t cur;
  /* The handler must run on a stack other than the one that overflowed. */
  if (sigaltstack(NULL, &cur) == 0 && (cur.ss_flags & SS_DISABLE)) {
    size_t sz = (size_t)64 * 1024;
    void *alt = mmap(NULL, sz, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (alt != MAP_FAILED) {
      stack_t ss;
      ss.ss_sp = alt;
      ss.ss_size = sz;
      ss.ss_flags = 0;
      if (sigaltstack(&ss, NULL) != 0)
        munmap(alt, sz);
    }
  }
  if (handler_installed)
    return;
  handler_installed = 1;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGSEGV, &sa, &old_segv);
  sigaction(SIGBUS, &sa, &old_bus);
}

/* ---- switching ---- */

static void finish(cf__fstack_t *s);

static void trampoline(void) {
  cf__fstack_t *s = running;
  int rc;
#if CF_ASAN
  __sanitizer_finish_switch_fiber(NULL, &s->back_lo, &s->back_size);
#endif
  rc = s->entry.call ? s->entry.call(s->entry.arg) : s->entry.fn(s->entry.arg);
  s->rc = rc;
  s->returned = 1;
  finish(s);
}

int cf__fstack_new(cf__fstack_t **out, size_t stack_size, size_t aux_size,
                   const char *name, const cf__fentry_t *entry,
                   size_t *reserved) {
  static _Thread_local int altstack_done;
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  size_t size = (stack_size + page - 1) & ~(page - 1);
  cf__fstack_t *s;
  char *map;
  (void)aux_size;
  *out = NULL;
  s = cf_malloc(sizeof *s);
  if (!s)
    return CF_ENOMEM;
  memset(s, 0, sizeof *s);
  map = mmap(NULL, size + page, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS
#ifdef MAP_NORESERVE
                 | MAP_NORESERVE
#endif
#ifdef MAP_STACK
                 | MAP_STACK
#endif
             ,
             -1, 0);
  if (map == MAP_FAILED) {
    cf_free(s, sizeof *s);
    return CF_ENOMEM;
  }
  if (mprotect(map, page, PROT_NONE) != 0) {
    munmap(map, size + page);
    cf_free(s, sizeof *s);
    return CF_ENOMEM;
  }
  if (getcontext(&s->ctx) != 0) {
    munmap(map, size + page);
    cf_free(s, sizeof *s);
    return CF_ENOMEM;
  }
  s->map = map;
  s->map_size = size + page;
  s->lo = map + page;
  s->size = size;
  s->name = name;
  s->entry = *entry;
  *(uint64_t *)(void *)s->lo = CANARY;
  s->ctx.uc_stack.ss_sp = s->lo;
  s->ctx.uc_stack.ss_size = size;
  s->ctx.uc_link = NULL;
  makecontext(&s->ctx, trampoline, 0);
#if CF_VALGRIND
  s->vg_id = VALGRIND_STACK_REGISTER(s->lo, s->lo + size);
#endif
  if (!altstack_done) {
    altstack_done = 1;
    install_handler();
  }
  *reserved = s->map_size;
  *out = s;
  return 0;
}

int cf__fstack_enter(cf__fstack_t *s, cf__fstack_t *from, int *rc) {
  ucontext_t *here = from ? &from->ctx : &main_ctx;
#if CF_ASAN
  void *fake = NULL;
  __sanitizer_start_switch_fiber(&fake, s->lo, s->size);
#endif
  s->back = here;
  running = s;
  swapcontext(here, &s->ctx);
  running = from;
#if CF_ASAN
  __sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
  *rc = s->rc;
  return s->returned;
}

void cf__fstack_leave(cf__fstack_t *s) {
#if CF_ASAN
  __sanitizer_start_switch_fiber(&s->fake, s->back_lo, s->back_size);
#endif
  swapcontext(&s->ctx, s->back);
#if CF_ASAN
  __sanitizer_finish_switch_fiber(s->fake, &s->back_lo, &s->back_size);
#endif
}

/* Back to the enterer for good: this stack is never resumed. */
static void finish(cf__fstack_t *s) {
#if CF_ASAN
  /* NULL: this stack is done; ASan may release its fake frames. */
  __sanitizer_start_switch_fiber(NULL, s->back_lo, s->back_size);
#endif
  setcontext(s->back);
  abort();
}

void cf__fstack_exit(cf__fstack_t *s) {
  finish(s);
  abort(); /* not reached: finish does not return */
}

int cf__fstack_intact(const cf__fstack_t *s) {
  return *(const uint64_t *)(const void *)s->lo == CANARY;
}

void cf__fstack_free(cf__fstack_t *s) {
  if (!s)
    return;
#if CF_VALGRIND
  VALGRIND_STACK_DEREGISTER(s->vg_id);
#endif
#if CF_ASAN
  /* A stack left without returning (abandoned) keeps its frames' poison. */
  __asan_unpoison_memory_region(s->lo, s->size);
#endif
  munmap(s->map, s->map_size);
  cf_free(s, sizeof *s);
}
