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
//
// CFB_COUNT_CROSSINGS=1 counts JS<->wasm crossings instead of timing: every
// wasm import call (C->JS) and export call (JS->C) goes through a counting
// wrapper (installed with Emscripten's instantiateWasm hook, so the module
// itself is unchanged), and each run prints only
// {metric: "crossings_per_op"}: the extra crossings of a call with twice
// the first argument, per extra operation (w4seq: awaits; w4par: tasks x
// each; others: the first argument), so the call's set-up does not count.
// CFB_MODULE=path loads another build of the bench module (profiling).
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';

const here = dirname(fileURLToPath(import.meta.url));
const { loadRuntime } = await import(join(here, '..', '..', 'bindings', 'index.mjs'));
const [name, repsArg, ...rest] = process.argv.slice(2);
const reps = Number(repsArg ?? 3);
const args = rest.map((a) => (/^-?\d+(\.\d+)?$/.test(a) ? Number(a) : a));

const modulePath = process.env.CFB_MODULE || join(here, 'build', 'cfbench.mjs');
const counting = process.env.CFB_COUNT_CROSSINGS === '1';
const crossings = { n: 0 };
const count = (fn) => function () { crossings.n++; return fn.apply(this, arguments); };
async function countingFactory(opts) {
  const factory = (await import(modulePath)).default;
  const bytes = readFileSync(modulePath.replace(/\.mjs$/, '.wasm'));
  return factory({
    ...opts,
    instantiateWasm(info, receive) {
      const imports = {};
      for (const [mod, fns] of Object.entries(info)) {
        imports[mod] = {};
        for (const [k, v] of Object.entries(fns)) imports[mod][k] = typeof v === 'function' ? count(v) : v;
      }
      WebAssembly.instantiate(bytes, imports).then(({ instance }) => {
        const exports = {};
        for (const [k, v] of Object.entries(instance.exports)) exports[k] = typeof v === 'function' ? count(v) : v;
        receive({ exports });
      });
      return {};
    }
  });
}

const resolved = Promise.resolve(1);
const rt = await loadRuntime({
  ...(counting ? { moduleFactory: countingFactory, wasmBinary: new Uint8Array(0) } : { module: modulePath }),
  host: { val: () => resolved },
  // for experiments only (bench/README.md): CFB_BUDGET_POLLS=n
  budgetPolls: Number(process.env.CFB_BUDGET_POLLS || 0)
});
const cf = rt.module.cfuture;
const emit = (metric, value) =>
  process.stdout.write(JSON.stringify({ workload: `wasm:${name}`, n: args[0], metric, value }) + '\n');

// warm-up; W7 three times, like its JS baseline (bench/js/w7_fetch.mjs):
// the first batches of 1000 fetches open sockets and run ~2x slower, and
// with one warm-up the medians swung between those and the steady state
// (ratios 1.0-1.5 from run to run)
for (let i = 0; i < (name === 'w7' ? 3 : 1); i++) await rt.call(name, ...args);
for (let i = 0; i < reps; i++) {
  if (globalThis.gc) globalThis.gc();
  cf.hostStatsResetMax();
  if (counting) {
    // marginal crossings: a call with twice the first argument, minus one
    // with it as given, per extra operation (the call's own set-up cancels)
    const ops = (a) => (name === 'w4par' ? a[0] * a[1] : a[0]);
    const twice = [args[0] * 2, ...args.slice(1)];
    const c0 = crossings.n;
    await rt.call(name, ...args);
    const c1 = crossings.n;
    await rt.call(name, ...twice);
    emit('crossings_per_op', ((crossings.n - c1) - (c1 - c0)) / (ops(twice) - ops(args)));
    continue;
  }
  const r = await rt.call(name, ...args);
  for (const [k, v] of Object.entries(r)) emit(k, v);
  if (name === 'w5') emit('max_host_timers', cf.hostStats().maxHostTimersArmed);
}
const st = rt.stats();
if (st.liveTasks || st.liveTimers) {
  console.error(`wasm:${name}: leaked tasks=${st.liveTasks} timers=${st.liveTimers}`);
  process.exitCode = 1;
}
rt.dispose();
