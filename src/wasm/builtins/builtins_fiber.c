/* builtins_fiber.c: the fiber export of the prebuilt fiber module
 * (dist/cfuture-fibers.mjs, linked with Asyncify by fiber.cmake's
 * cfuture_fiber_module), on top of builtins.c ("sleep", "fetch_text"), so
 * JS alone can check that fibers run in it. Not in libcfuture.a nor in the
 * default prebuilt module (which stays Asyncify-free).
 *   fiber_sleep(ms, times?) -> ms actually slept (runtime clock): a fiber
 *     that sleeps `ms` `times` times (default 1) in a plain C loop;
 *     ms a number >= 0, times an integer in 1..1e6 (CF_EINVAL otherwise,
 *     before the fiber starts). An AbortSignal unwinds the fiber.
 * Invariants: the arguments are checked in the fiber before its first
 * await, so a bad call rejects without sleeping. Costs: one fiber (default
 * stacks, see fiber.h) per call. */
#include <math.h>
#include <stdint.h>

#include <cfuture/fiber_export.h>

static int fiber_sleep(cf_fiber_call_t *c) {
  double ms = cf_args_number(c->args, 0);
  double times =
      cf_args_type(c->args, 1) == CF_JS_NUMBER ? cf_args_number(c->args, 1) : 1;
  cf_runtime_t *rt = cf_fiber_runtime();
  int64_t start, each;
  int rc = 0;
  if (!(ms >= 0) || !(times >= 1 && times <= 1e6) || times != floor(times))
    return CF_EINVAL;
  each = ms >= 9.2e18 ? INT64_MAX : (int64_t)ceil(ms);
  start = cf_runtime_now(rt);
  for (int i = 0; i < (int)times && rc == 0; i++)
    rc = cf_fiber_sleep(each);
  if (rc < 0)
    return rc;
  cf_fiber_call_return_number(c, (double)(cf_runtime_now(rt) - start));
  return 0;
}
CF_EXPORT_FIBER(b_fiber_sleep_export, "fiber_sleep", fiber_sleep, NULL)
