// run_asyncify.mjs: the Asyncify baselines, each beside cfuture in one
// process (bench/wasm/kernel.c; built by bench/wasm/extra.mjs).
//
//   node bench/wasm/run_asyncify.mjs kernel <reps> <n>
//     the compute kernel in the cfuture module (loaded with loadRuntime,
//     runtime created) and in the Asyncify build, interleaved:
//     {metric: kernel_cfuture_ms | kernel_asyncify_ms}
//   node bench/wasm/run_asyncify.mjs w4seq <reps> <n>
//     n sequential awaits of val() through EM_ASYNC_JS:
//     {metric: ns_per_await}
// One warm-up call each, then `reps` measured calls.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';

const here = dirname(fileURLToPath(import.meta.url));
const build = join(here, 'build');
const [what, repsArg, nArg] = process.argv.slice(2);
const reps = Number(repsArg ?? 3), n = Number(nArg ?? 1e6);
const emit = (metric, value) =>
  process.stdout.write(JSON.stringify({ workload: `asyncify:${what}`, n, metric, value }) + '\n');

const resolved = Promise.resolve(1);
const asy = await (await import(join(build, 'asyncify.mjs'))).default({
  wasmBinary: readFileSync(join(build, 'asyncify.wasm')), val: () => resolved
});

if (what === 'kernel') {
  const { loadRuntime } = await import(join(here, '..', '..', 'bindings', 'index.mjs'));
  const rt = await loadRuntime({ module: join(build, 'kernel-cfuture.mjs') });
  const cfk = rt.module._kernel;
  const time = (f) => { const t0 = performance.now(); const r = f(n, 0); return [performance.now() - t0, r]; };
  const [, a0] = time(cfk), [, b0] = time(asy._kernel); // warm-up
  if (a0 !== b0) throw new Error(`kernel results differ: ${a0} vs ${b0}`);
  for (let i = 0; i < reps; i++) {
    emit('kernel_cfuture_ms', time(cfk)[0]);
    emit('kernel_asyncify_ms', time(asy._kernel)[0]);
  }
  rt.dispose();
} else if (what === 'w4seq') {
  const call = () => asy.ccall('w4seq_asyncify', 'number', ['number'], [n], { async: true });
  await call();
  for (let i = 0; i < reps; i++) {
    const ns = await call();
    if (!(ns > 0)) throw new Error('w4seq_asyncify failed');
    emit('ns_per_await', ns);
  }
} else {
  throw new Error(`unknown workload ${what}`);
}
