/* kernel.c: W8's compute kernel and W4's Asyncify baseline.
 *
 * Built twice by bench/wasm/extra.mjs:
 *   kernel-cfuture  this file + the cfuture library and bindings (all of
 *                   bindings/gen/exports.txt), -O3: a cfuture module.
 *   asyncify        this file with -DCFB_ASYNCIFY -sASYNCIFY, -O3, no
 *                   cfuture: how the same C is written with Emscripten's
 *                   EM_ASYNC_JS + Asyncify instead.
 * kernel(n, every): a tight integer and float loop (xorshift mixing and a
 *   polynomial), which calls host_tick() every `every` iterations (never
 *   when every == 0, as timed). host_tick is a host import in both builds;
 *   under Asyncify it may await, so Asyncify instruments the loop for
 *   unwinding, which is the cost W8 looks for. In cfuture a task yields by
 *   returning from poll, so no C loop is ever instrumented.
 * w4seq_asyncify(n): n sequential awaits of the host function val()
 *   (an already-resolved Promise) through EM_ASYNC_JS: ns per await. */
#include <emscripten.h>
#include <stdint.h>

#ifdef CFB_ASYNCIFY
EM_ASYNC_JS(void, host_tick, (void), { await null; });
EM_ASYNC_JS(double, host_val, (void), { return await Module.val(); });
#else
EM_JS(void, host_tick, (void), {});
#endif

EMSCRIPTEN_KEEPALIVE double kernel(uint32_t n, uint32_t every) {
  uint32_t x = 2463534242u, i;
  double acc = 0.0;
  for (i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    acc = acc * 0.999 + (double)(x & 0xffff) * 1e-4;
    if (every && i % every == 0)
      host_tick();
  }
  return acc + (double)x;
}

#ifdef CFB_ASYNCIFY
EMSCRIPTEN_KEEPALIVE double w4seq_asyncify(uint32_t n) {
  double sum = 0, t0 = emscripten_get_now();
  uint32_t i;
  for (i = 0; i < n; i++)
    sum += host_val();
  if (sum != (double)n)
    return -1;
  return (emscripten_get_now() - t0) * 1e6 / n;
}
#endif
