/* records.h: the layout of the records C hands to JavaScript as arrays of
 * doubles (rt.stats(), rt.tasks()). The single definition of both sides:
 * inspect.c fills the arrays from these lists and scripts/gen-contract.mjs
 * reads the same lists to generate the JS field names, so the two cannot
 * drift. Doubles are exact for integers up to 2^53; pointers are wasm
 * addresses of NUL-terminated strings owned by the runtime.
 *
 * X(js_name, expression): `s` is a cf_runtime_stats_t, `t` a
 * cf_task_info_t, `rt` the runtime. */
#ifndef CF_WASM_RECORDS_H
#define CF_WASM_RECORDS_H

#define CFW_STATS_FIELDS(X)                                                    \
  X(liveTasks, s.live_tasks)                                                   \
  X(queuedTasks, s.queued_tasks)                                               \
  X(liveWakers, s.live_wakers)                                                 \
  X(liveTimers, s.live_timers)                                                 \
  X(hostHolds, s.host_holds)                                                   \
  X(polls, s.polls)                                                            \
  X(wakes, s.wakes)                                                            \
  X(turns, s.turns)                                                            \
  X(timerArms, s.timer_arms)                                                   \
  X(now, cf_runtime_now(rt))

/* Fields named *Ptr are string addresses (0: none). */
#define CFW_TASK_FIELDS(X)                                                     \
  X(id, t.id)                                                                  \
  X(state, t.state)                                                            \
  X(polls, t.polls)                                                            \
  X(wakes, t.wakes)                                                            \
  X(spawnedAt, t.spawned_at)                                                   \
  X(rc, t.rc)                                                                  \
  X(namePtr, (uintptr_t)t.name)                                                \
  X(awaitsPtr, (uintptr_t)t.awaits)

#define CFW_COUNT_FIELD(name, expr) +1
enum {
  CFW_STATS_COUNT = 0 CFW_STATS_FIELDS(CFW_COUNT_FIELD),
  CFW_TASK_COUNT = 0 CFW_TASK_FIELDS(CFW_COUNT_FIELD)
};

#endif
