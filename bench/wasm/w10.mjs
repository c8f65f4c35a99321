#!/usr/bin/env node
// w10.mjs: W10 (more than one core), standalone until bench/run.mjs wires
// it in. Loads the threaded test module (build-wasm/threads/
// cfuture_threads_test.mjs, built by scripts/build-wasm.mjs; another with
// CF_THREADS_TEST_MODULE) and prints one JSON line per record in
// bench/results.json's shape:
//   - speedup: 8 CPU-bound jobs (an xorshift loop) on 2 pool threads vs 1,
//     median of 5 interleaved rounds (target >= 1.8 on a 2-core machine);
//   - latency: submit-to-completion of an empty blocking job awaited from a
//     task (mean over 2000 in a row) vs a JS Worker postMessage round trip
//     (mean over 2000 in a row) (target <= 0.5);
// W1-W4 in the threaded build vs the default are measured by building the
// bench module with -pthread (not here yet; see docs/threads.md).
//   node bench/wasm/w10.mjs [--rounds=5] [--iters=4e7] [--against=<module>]
// --against: another build of the test module (e.g. main's
// build-wasm/threads/cfuture_threads_test.mjs) whose empty-job latency is
// measured interleaved with this one's and the JS round trip (one more
// line, an info record), for A/B comparisons on a noisy machine.
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { loadRuntime } from '../../bindings/node.mjs';

const arg = (k, d) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const ROUNDS = arg('rounds', 5), ITERS = arg('iters', 4e7), N_EMPTY = 2000;
const MODULE = process.env.CF_THREADS_TEST_MODULE ||
  fileURLToPath(new URL('../../build-wasm/threads/cfuture_threads_test.mjs', import.meta.url));
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

const rt = await loadRuntime({ module: MODULE });
await rt.call('par', 2, 1e6, 2); // warm: both Workers started
const one = [], two = [];
for (let r = 0; r < ROUNDS; r++) {
  for (const t of r % 2 ? [2, 1] : [1, 2]) {
    const res = await rt.call('par', 8, ITERS, t);
    (t === 1 ? one : two).push(res.ms);
  }
}
const m1 = median(one), m2 = median(two);
console.log(JSON.stringify({ workload: 'W10 8 CPU-bound jobs, 2 threads vs 1 (wasm)', metric: 'speedup', unit: 'x',
  cfuture: m1 / m2, baseline: 1, baseline_value: m1, ratio: m1 / m2, target: { min: 1.8 }, samples: { one, two } }));

const againstPath = process.argv.find((a) => a.startsWith('--against='))?.slice(10);
const against = againstPath ? await loadRuntime({ module: againstPath }) : null;
await rt.call('empties', 200); // warm
await against?.call('empties', 200);
const w = new Worker('const { parentPort } = require("node:worker_threads"); parentPort.on("message", (m) => parentPort.postMessage(m));', { eval: true });
const rtt = () => new Promise((res) => { w.once('message', res); w.postMessage(0); });
for (let i = 0; i < 200; i++) await rtt();
const cf = [], js = [], other = [];
const steps = [
  async () => cf.push((await rt.call('empties', N_EMPTY)).us_per_job),
  async () => {
    const t0 = performance.now();
    for (let i = 0; i < N_EMPTY; i++) await rtt();
    js.push((performance.now() - t0) * 1000 / N_EMPTY);
  },
  ...(against ? [async () => other.push((await against.call('empties', N_EMPTY)).us_per_job)] : []),
];
// Interleaved, the order reversed every other round: what runs right after
// the JS round trips is measurably faster on this machine.
for (let r = 0; r < ROUNDS; r++) for (const step of r % 2 ? [...steps].reverse() : steps) await step();
await w.terminate();
const c = median(cf), j = median(js);
console.log(JSON.stringify({ workload: 'W10 empty blocking job, submit to completion (wasm)', metric: 'latency', unit: 'us',
  cfuture: c, baseline: 'JS Worker postMessage round trip', baseline_value: j, ratio: c / j, target: { max: 0.5 }, samples: { cf, js } }));
if (against) {
  const o = median(other);
  console.log(JSON.stringify({ workload: `W10 empty blocking job, submit to completion, ${againstPath} (wasm)`, metric: 'latency', unit: 'us',
    cfuture: o, baseline: 'JS Worker postMessage round trip', baseline_value: j, ratio: o / j, target: null, samples: { cf: other, js } }));
  against.dispose?.();
}
rt.dispose?.();
