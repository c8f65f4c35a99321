/* cfuture/combine.h: join, try_join, select and join sets.
 *
 * Combinators hold pointers to child futures that live elsewhere (usually
 * in the same coroutine frame): children must stay at their address, so
 * initialise a combinator after its frame is pinned (inside the coroutine
 * body). Ownership rule: a combinator drops the children it abandons
 * (select losers, try_join siblings after an error, the timed-out future)
 * and, when it is itself dropped, every child still pending. Children that
 * completed are never dropped by the combinator: their outputs stay
 * readable, and their owner drops them.
 *
 * join and select give each child its own waker, so a wake polls only the
 * child that was woken: cost per wake is flat in the number of children.
 */
#ifndef CFUTURE_COMBINE_H
#define CFUTURE_COMBINE_H

#include <stddef.h>
#include <stdint.h>

#include "future.h"
#include "runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CF_COMBINE_INLINE 4 /* children stored inline; more are allocated */

/* The per-child arrays (internal) are three, not one array of records:
 * a wake touches flag[i] (1 B per child) and the ring's tail, and a join's
 * poll reads fut[i] for the children it takes from the ring, in wake order
 * (random in a burst): pointers alone halve the pages those reads touch
 * (bench/README.md, W5). ring is not per child: slot k of the join's ready
 * ring (children woken since its last poll). */
typedef struct cf_combine {
  cf_future_t base;
  cf_future_t **fut; /* per child; inline_fut[] or an allocation */
  uint64_t *ring;    /* n slots; inline_ring[] or after fut[n] */
  uint8_t *flag;     /* per child; inline_flag[] or after ring[n] */
  uint32_t n, remaining;
  uint32_t ready_head, ready_len; /* join's ready ring */
  uint32_t flags;
  uint32_t cursor; /* select: rotating start for fairness */
  int32_t index;   /* select: winner; try_join: failing child; else -1 */
  cf_waker_t parent;
  cf_future_t *inline_fut[CF_COMBINE_INLINE];
  uint64_t inline_ring[CF_COMBINE_INLINE];
  uint8_t inline_flag[CF_COMBINE_INLINE];
} cf_combine_t;

typedef cf_combine_t cf_join_t;
typedef cf_combine_t cf_select_t;

/* join: ready when every child is ready; rc 0 (each child's own rc is in
 * the child). The pointer array is copied. Errors at first poll: CF_ENOMEM
 * (n > CF_COMBINE_INLINE and allocation failed), CF_EINVAL (a NULL child, or
 * futs NULL with n > 0). */
void cf_join_init(cf_join_t *j, cf_future_t *const *futs, size_t n);

/* try_join: like join, but the first child to complete with rc < 0 makes
 * the join ready with that rc; `index` names that child and every other
 * pending child is dropped. */
void cf_try_join_init(cf_join_t *j, cf_future_t *const *futs, size_t n);

enum {
  CF_SELECT_FAIR = 0,         /* rotate which branch is polled first */
  CF_SELECT_BIASED = 1u << 0, /* always poll in declaration order */
  CF_SELECT_LOOP = 1u << 1    /* keep losers running for the next round */
};

/* select: ready when one child is ready; `index` is the winner (its rc is
 * also the select's rc). Without CF_SELECT_LOOP the losers are dropped.
 * With CF_SELECT_LOOP the select is rearmable: after handling a winner,
 * cf_future_rearm(&sel.base) and await again; completed branches are
 * disabled, and once every branch has completed the select is ready with
 * index -1 and rc CF_EEMPTY (Rune's select-in-a-loop). */
void cf_select_init(cf_select_t *s, cf_future_t *const *futs, size_t n,
                    unsigned flags);

/* Convenience: the winner index (or -1). */
static inline int cf_select_index(const cf_select_t *s) {
  return s->index;
}

/* ---- join sets --------------------------------------------------------- */

/* A set of spawned tasks; await completions in the order they happen.
 * Dropping the set aborts every task still in it. */
typedef struct cf_join_set {
  cf_runtime_t *rt;
  cf_task_t *running; /* tasks not yet finished (intrusive list) */
  cf_task_t *done_head, *done_tail; /* finished, not yet taken */
  size_t len;
  cf_waker_t waiter;
} cf_join_set_t;

void cf_join_set_init(cf_join_set_t *s, cf_runtime_t *rt);
/* Spawn into the set (same copying rules as cf_spawn). Returns 0 and the
 * task id through *id (may be NULL), or CF_ENOMEM / CF_EINVAL. */
int cf_join_set_spawn(cf_join_set_t *s, cf_future_t *f, size_t size,
                      const char *name, uint64_t *id);
#define CF_JOIN_SET_SPAWN(s, fut_ptr, name, id)                                \
  cf_join_set_spawn((s), (cf_future_t *)(fut_ptr), sizeof(*(fut_ptr)), (name), \
                    (id))
size_t cf_join_set_len(const cf_join_set_t *s);
/* Abort every task in the set (they still complete, with CF_ECANCELED). */
void cf_join_set_abort_all(cf_join_set_t *s);
/* Abort all and release everything. */
void cf_join_set_drop(cf_join_set_t *s);

/* Future for the next completion: ready with the finished task's handle in
 * `handle` (rc = the task's rc; read its output, then drop the handle), or
 * with rc CF_EEMPTY when the set is empty. */
typedef struct cf_join_next {
  cf_future_t base;
  cf_join_set_t *set;
  cf_join_handle_t handle;
} cf_join_next_t;
void cf_join_next_init(cf_join_next_t *n, cf_join_set_t *s);

#ifdef __cplusplus
}
#endif
#endif
