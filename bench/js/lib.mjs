// lib.mjs: shared helpers for the JS baselines (bench/js/*.mjs).
// Each baseline script is run as `node --expose-gc <script> <workload> <n>
// <reps> [extra]`: one warm-up run, then `reps` measured runs, each printed
// as one JSON line {workload, n, metric, value} (the shape the C and tokio
// benches print), which bench/run.mjs collects.
export function emit(workload, n, metric, value) {
  process.stdout.write(JSON.stringify({ workload, n, metric, value }) + '\n');
}
export const now = () => performance.now() * 1e6; // ns
export function gc() { if (globalThis.gc) { globalThis.gc(); globalThis.gc(); } }
export function heapUsed() { return process.memoryUsage().heapUsed; }
export function args() {
  const [workload, n, reps, extra] = process.argv.slice(2);
  return { workload, n: Number(n), reps: Number(reps ?? 3), extra: Number(extra ?? 0) };
}
// Run `fn(print)` once to warm up and then `reps` times.
export async function main(table) {
  const a = args();
  const fn = table[a.workload];
  if (!fn) { console.error(`unknown workload ${a.workload}`); process.exit(2); }
  await fn(a, false);
  for (let i = 0; i < a.reps; i++) { gc(); await fn(a, true); }
}
