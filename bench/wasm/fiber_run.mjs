// fiber_run.mjs: runs W9 rows side by side, interleaved, in one Node
// process, so that every ratio compares builds measured at the same moment
// (the machine is shared: separate processes minutes apart drift by 10-30%).
//
//   node --expose-gc bench/wasm/fiber_run.mjs <rounds> <case>...
//
// A case is `label=module.mjs:export:arg[,arg...]` (a cfuture bench module
// loaded with loadRuntime, the export called with rt.call and timing
// itself) or `label=asyncify:<n>` (bench/wasm/build/asyncify.mjs:
// w4seq_asyncify(n), n awaits through EM_ASYNC_JS). Each case gets one
// warm-up call, then `rounds` measured calls; round r runs the cases in
// order when r is even and in reverse when odd. Prints one JSON line per
// measured field: {label, metric, value}.
import { readFileSync } from 'node:fs';
import { dirname, join, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const build = join(here, 'build');
const { loadRuntime } = await import(join(here, '..', '..', 'bindings', 'index.mjs'));
const [roundsArg, ...specs] = process.argv.slice(2);
const rounds = Number(roundsArg);
if (!(rounds > 0) || !specs.length) {
  console.error('usage: fiber_run.mjs <rounds> label=module.mjs:export:args | label=asyncify:n ...');
  process.exit(2);
}

const resolved = Promise.resolve(1);
const runtimes = new Map(); // one runtime per module file
const cases = [];
for (const spec of specs) {
  const eq = spec.indexOf('=');
  const label = spec.slice(0, eq);
  const [mod, name, argText] = spec.slice(eq + 1).split(':');
  if (mod === 'asyncify') {
    const n = Number(name);
    if (!runtimes.has('asyncify')) {
      const f = (await import(join(build, 'asyncify.mjs'))).default;
      runtimes.set('asyncify', await f({ wasmBinary: readFileSync(join(build, 'asyncify.wasm')), val: () => resolved }));
    }
    const asy = runtimes.get('asyncify');
    cases.push({ label, run: async () => ({ ns_per_await: await asy.ccall('w4seq_asyncify', 'number', ['number'], [n], { async: true }) }) });
    continue;
  }
  const file = isAbsolute(mod) ? mod : join(build, mod);
  if (!runtimes.has(file)) runtimes.set(file, await loadRuntime({ module: file, host: { val: () => resolved } }));
  const rt = runtimes.get(file);
  const args = (argText ?? '').split(',').filter(Boolean).map(Number);
  cases.push({ label, run: () => rt.call(name, ...args) });
}

for (const c of cases) await c.run(); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const c of r % 2 ? [...cases].reverse() : cases) {
    if (globalThis.gc) globalThis.gc();
    const out = await c.run();
    for (const [metric, value] of Object.entries(out)) {
      if (!(value >= 0)) throw new Error(`${c.label}: ${metric} = ${value}`);
      process.stdout.write(JSON.stringify({ label: c.label, metric, value }) + '\n');
    }
  }
}
for (const [k, rt] of runtimes) if (k !== 'asyncify') rt.dispose();
