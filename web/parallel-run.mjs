// web/parallel-run.mjs: the "parallel" demo's run, shared by the page's
// card (web/parallel.mjs), the CLI (npm run demo -- --cli parallel,
// scripts/demo-parallel.mjs) and the tests, so all agree on the workload
// and on what counts as a correct run.
//
// The workload: demo_parallel (demo/parallel/parallel.c) renders a
// Mandelbrot image in `tiles` row bands, each band one cf_spawn_blocking
// job, on a pool of 1 worker, then of `threads` workers (a warm-up run
// first, so both timed runs find their Workers started). Correct: both
// runs give the same checksum (the image does not depend on the split).

/** Defaults: the image side scales with `scale` (0.25 → 400 px). */
export const PARALLEL = { tiles: 16, size: 800, maxIter: 2000 };

/** Worker count to compare with 1: the machine's cores, 2..8. */
export function defaultThreads(cores) {
  return Math.max(2, Math.min(8, Number(cores) || 2));
}

export function sizeFor(scale = 1) {
  return Math.max(PARALLEL.tiles * 4, Math.round(PARALLEL.size * Math.sqrt(scale)));
}

/**
 * Run the comparison on a loaded threaded runtime (rt.call). Returns
 * { one, many, speedup, threads, ok, problem } where one/many are
 * demo_parallel's JSON results. onPhase(name) is told 'warm', 'one', 'many'.
 */
export async function runParallel(rt, { threads, scale = 1, signal, onPhase = () => {} } = {}) {
  const size = sizeFor(scale);
  const call = (t) => rt.call('demo_parallel', PARALLEL.tiles, t, size, PARALLEL.maxIter, { signal });
  onPhase('warm');
  await rt.call('demo_parallel', threads, threads, PARALLEL.tiles * 4, 50, { signal }); // start the Workers
  onPhase('one');
  const one = await call(1);
  onPhase('many');
  const many = await call(threads);
  const speedup = one.ms / many.ms;
  const problem = one.checksum !== many.checksum ? `checksums differ: ${one.checksum} (1 worker) vs ${many.checksum} (${threads} workers)` : null;
  return { one, many, speedup, threads, size, ok: !problem, problem };
}

/** The thumbnail as text rows (a..p buckets → shades; '.' inside the set). */
export function thumbRows(res, { cols = 48, rows = 24 } = {}) {
  const side = res.thumb_side, shades = ' .:-=+*#%@';
  const out = [];
  for (let y = 0; y < rows; y++) {
    let line = '';
    for (let x = 0; x < cols; x++) {
      const c = res.thumb[Math.floor(y * side / rows) * side + Math.floor(x * side / cols)];
      line += c === '.' ? '@' : shades[Math.min(8, Math.floor((c.charCodeAt(0) - 97) * 9 / 16))];
    }
    out.push(line);
  }
  return out;
}
