// w4_floor.mjs: runs bench/wasm/w4_floor.c's minimal executor beside the
// JS baseline of W4 (an async function awaiting `val()`, an already
// resolved Promise), interleaved in one process, in CPU time as
// w4_ab.mjs does. Build and usage: see the top of w4_floor.c.
//   node bench/wasm/w4_floor.mjs <module.cjs> [rounds]
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const [modPath, roundsArg = '8'] = process.argv.slice(2);
if (!modPath) {
  console.error('usage: node bench/wasm/w4_floor.mjs <module.cjs> [rounds]');
  process.exit(2);
}
const factory = createRequire(import.meta.url)(resolve(modPath));
const resolved = Promise.resolve(1);
const val = () => resolved;
let onDone = null;
const M = await factory({ val, onDone: (v) => onDone(v) });
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) * 1000; };
async function awaiter(each) {
  let s = 0;
  for (let i = 0; i < each; i++) s += await val();
  return s;
}
const SEQ = 400000, TASKS = 10000, EACH = 100;
const kinds = ['seq js', 'seq direct', 'seq queued', 'par js', 'par direct', 'par queued'];
const res = Object.fromEntries(kinds.map((k) => [k, []]));
async function one(kind) {
  const [tasks, each] = kind.startsWith('seq') ? [1, SEQ] : [TASKS, EACH];
  const t0 = cpu();
  if (kind.endsWith('js')) {
    if (tasks === 1) await awaiter(each);
    else await Promise.all(Array.from({ length: tasks }, () => awaiter(each)));
  } else {
    const done = new Promise((r) => { onDone = r; });
    M._floor_start(tasks, each, kind.endsWith('queued') ? 1 : 0);
    await done;
  }
  res[kind].push((cpu() - t0) / (tasks * each));
}
const rounds = Math.max(2, Number(roundsArg));
for (let r = 0; r < rounds; r++) for (const k of kinds) await one(k);
for (const k of kinds) {
  const w = res[k].slice(1).sort((a, b) => a - b);
  console.log(`${k.padEnd(11)} ns/await CPU min ${w[0].toFixed(1)}  median ${w[w.length >> 1].toFixed(1)}`);
}
