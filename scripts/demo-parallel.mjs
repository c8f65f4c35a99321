// scripts/demo-parallel.mjs: `npm run demo -- --cli parallel` (hooked from
// scripts/demo.mjs): the "parallel" demo in the terminal. Loads the
// threaded demo module (dist/parallel/parallel.mjs, demo/parallel/, built
// by scripts/build-wasm.mjs when missing) in Node, renders the same image
// on 1 worker and on N (web/parallel-run.mjs), and prints the times, the
// speedup, the picture and how long the event loop was ever held up
// while the pool was busy (a 5 ms setInterval's worst gap).
// Exit status: 0 when both runs agree (same checksum) and the event loop
// never stalled for 200 ms or more; 1 otherwise. The speedup is reported,
// not enforced (it depends on free cores).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PARALLEL_MJS = path.join(root, 'dist', 'parallel', 'parallel.mjs');

export function ensureParallelBuilt() {
  if (fs.existsSync(PARALLEL_MJS)) return;
  console.error('demo: building the wasm modules (scripts/build-wasm.mjs)…');
  const r = spawnSync(process.execPath, [path.join(root, 'scripts', 'build-wasm.mjs')], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0 || !fs.existsSync(PARALLEL_MJS)) throw new Error('wasm build failed or did not produce dist/parallel/parallel.mjs');
}

/** Run the CLI demo; resolves to the exit status. */
export async function cliParallel({ scale = 1, threads, out = (l) => console.log(l) } = {}) {
  ensureParallelBuilt();
  const { runParallel, defaultThreads, thumbRows, PARALLEL } = await import(pathToFileURL(path.join(root, 'web', 'parallel-run.mjs')).href);
  const { loadRuntime } = await import(pathToFileURL(path.join(root, 'bindings', 'node.mjs')).href);
  const n = threads ?? defaultThreads(os.availableParallelism?.() ?? os.cpus().length);
  const rt = await loadRuntime({ module: PARALLEL_MJS });
  let worst = 0, last = performance.now();
  const iv = setInterval(() => { const t = performance.now(); worst = Math.max(worst, t - last); last = t; }, 5);
  let r;
  try {
    r = await runParallel(rt, { threads: n, scale });
  } finally {
    clearInterval(iv);
    rt.dispose();
  }
  out(`\n== parallel — a ${r.size}×${r.size} Mandelbrot image in ${PARALLEL.tiles} tiles, each a cf_spawn_blocking job on a pool of Web Workers`);
  for (const l of thumbRows(r.one)) out(`   ${l}`);
  out(`1 worker:   ${r.one.ms.toFixed(0)} ms`);
  out(`${n} workers:  ${r.many.ms.toFixed(0)} ms  (speedup ${r.speedup.toFixed(2)}×)`);
  out(`checksum ${r.one.checksum} on 1 worker, ${r.many.checksum} on ${n}: ${r.ok ? 'same image' : 'DIFFERENT'}`);
  out(`event loop: worst gap ${worst.toFixed(0)} ms while the pool was busy (a 5 ms interval)`);
  if (!r.ok) { out(r.problem); return 1; }
  if (worst >= 200) { out('the event loop stalled'); return 1; }
  return 0;
}
