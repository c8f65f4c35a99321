// run_wasm.mjs: runs one cfuture workload in the wasm bench module
// (bench/wasm/build/cfbench.mjs) in Node, through the project's JS API
// (bindings/index.mjs: loadRuntime + rt.call).
//
//   node --expose-gc bench/wasm/run_wasm.mjs <export> <reps> [args...]
//
// One warm-up call, then `reps` calls on the same runtime; each prints one
// JSON line per measured field: {workload, n, metric, value} with
// workload "wasm:<export>" and n the first argument. The C side times
// itself (emscripten_get_now); W5 also reports the most host timers that
// were armed at once (the bindings' driver statistics).
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const { loadRuntime } = await import(join(here, '..', '..', 'bindings', 'index.mjs'));
const [name, repsArg, ...rest] = process.argv.slice(2);
const reps = Number(repsArg ?? 3);
const args = rest.map((a) => (/^-?\d+(\.\d+)?$/.test(a) ? Number(a) : a));

const resolved = Promise.resolve(1);
const rt = await loadRuntime({
  module: join(here, 'build', 'cfbench.mjs'),
  host: { val: () => resolved },
  // for experiments only (bench/README.md): CFB_BUDGET_POLLS=n
  budgetPolls: Number(process.env.CFB_BUDGET_POLLS || 0)
});
const cf = rt.module.cfuture;
const emit = (metric, value) =>
  process.stdout.write(JSON.stringify({ workload: `wasm:${name}`, n: args[0], metric, value }) + '\n');

await rt.call(name, ...args); // warm-up
for (let i = 0; i < reps; i++) {
  if (globalThis.gc) globalThis.gc();
  if (cf && cf.stats) cf.stats.maxHostTimersArmed = cf.stats.hostTimersArmed;
  const r = await rt.call(name, ...args);
  for (const [k, v] of Object.entries(r)) emit(k, v);
  if (name === 'w5' && cf && cf.stats) emit('max_host_timers', cf.stats.maxHostTimersArmed);
}
const st = rt.stats();
if (st.liveTasks || st.liveTimers) {
  console.error(`wasm:${name}: leaked tasks=${st.liveTasks} timers=${st.liveTimers}`);
  process.exitCode = 1;
}
rt.dispose();
