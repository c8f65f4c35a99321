// w4_ab.mjs: W4 per-await cost of two builds of the wasm bench module and
// of the JS baseline, interleaved in one Node process, in CPU time.
//
//   node bench/wasm/w4_ab.mjs seq|par [rounds] [A.mjs] [B.mjs]
//
// A and B default to bench/wasm/build/cfbench.mjs (an A/A run shows the
// noise, ~1-2%). Each round runs A, B and JS once (w4seq: 4e5 awaits;
// w4par: 1e4 tasks x 100); the first round is a warm-up. Prints the min and
// median ns/await of each and the ratios of the minima.
// Why CPU time (process.cpuUsage) rather than wall time: on a shared,
// loaded machine wall time includes the time other processes hold the
// core, and moved by +-30% between runs; CPU time of the same process
// moved by 1-2%. It includes GC helper threads, for both sides alike.
// Not part of `npm run bench` (whose W4 rows stay the reference): a tool
// for before/after comparisons of a change (bench/README.md, W4).
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const { loadRuntime } = await import(join(here, '..', '..', 'bindings', 'index.mjs'));
const [mode = 'seq', roundsArg = '7', a = join(here, 'build', 'cfbench.mjs'), b = a] = process.argv.slice(2);
const A = resolve(a), B = resolve(b);
const rounds = Math.max(2, Number(roundsArg));
const resolved = Promise.resolve(1);
const val = () => resolved;
const rts = { A: await loadRuntime({ module: A, host: { val } }), B: await loadRuntime({ module: B, host: { val } }) };

async function awaiter(each) {
  let s = 0;
  for (let i = 0; i < each; i++) s += await val();
  return s;
}
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };
const TASKS = 10000, EACH = 100, SEQ = 400000;
const res = { A: [], B: [], js: [] };
async function one(k) {
  const n = mode === 'seq' ? SEQ : TASKS * EACH;
  const t0 = cpu();
  if (k === 'js') {
    if (mode === 'seq') await awaiter(SEQ);
    else await Promise.all(Array.from({ length: TASKS }, () => awaiter(EACH)));
  } else if (mode === 'seq') {
    await rts[k].call('w4seq', SEQ);
  } else {
    await rts[k].call('w4par', TASKS, EACH);
  }
  res[k].push((cpu() - t0) / n);
}
for (let r = 0; r < rounds; r++) for (const k of ['A', 'B', 'js']) await one(k);
const warm = (k) => res[k].slice(1).sort((x, y) => x - y);
const min = (k) => warm(k)[0];
const fmt = (k) => `${min(k).toFixed(1)}/${warm(k)[warm(k).length >> 1].toFixed(1)}`;
console.log(`w4${mode} ns/await CPU, min/median of ${rounds - 1}: A ${fmt('A')}  B ${fmt('B')}  JS ${fmt('js')}` +
  `  |  B/A ${(min('B') / min('A')).toFixed(3)}  A/JS ${(min('A') / min('js')).toFixed(2)}  B/JS ${(min('B') / min('js')).toFixed(2)}`);
rts.A.dispose();
rts.B.dispose();
