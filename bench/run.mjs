// run.mjs: cfuture's benchmark suite, each workload beside its baselines in
// one invocation (`npm run bench`; `npm run bench -- --smoke` for CI).
//
// What it does:
//   1. builds what it needs: the native benches (cmake, build-bench/), the
//      tokio baseline (cargo --offline, bench/tokio/), the wasm bench module
//      (bench/wasm/build.mjs). A full run (not --smoke) refuses to go on,
//      with exit status 2 and a message naming the part and the fix, when a
//      part that the selected workloads need did not build (a missing
//      baseline would otherwise silently drop its comparisons);
//      --allow-missing runs anyway and reports those rows as missing.
//   2. runs every implementation of a workload as a separate process, in
//      interleaved rounds (cfuture, baseline, cfuture, baseline, ...); each
//      process makes one warm-up run and then `reps` measured runs and
//      prints one JSON line per measurement.
//   3. takes the median of all measured runs of each (implementation,
//      workload, n, metric), prints the table and writes bench/results.json:
//      an array with one record per comparison {workload, metric, unit,
//      cfuture, baseline, baseline_value, ratio, target, met,
//      cfuture_spread, baseline_spread} (null = missing; met is true/false,
//      or null for info rows and missing values; a spread is {n, min, p25,
//      p75, max} of the samples behind the median), and
//      bench/results.meta.json (machine, missing parts, failed runs, raw
//      samples). --smoke writes results.smoke.json / results.smoke.meta.json
//      instead. A run in which an implementation process failed exits 1
//      (after writing the results). `node bench/table.mjs --write-readme`
//      turns results.json into the README's Performance table.
// Native runs set GLIBC_TUNABLES so that glibc keeps freed pages between
// runs (for the C and the tokio processes alike): "warm" then means no
// first-touch page faults, which otherwise dominate W1 for both.
// --smoke uses tiny sizes and one round: it checks that everything runs,
// its numbers mean nothing, and nothing ever asserts on timings.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const argv = process.argv.slice(2);
const smoke = argv.includes('--smoke');
const only = argv.find((a) => a.startsWith('--only='))?.slice(7).toLowerCase().split(','); // ids are lower case; --only=W10 works too
const allowMissing = argv.includes('--allow-missing');
const ROUNDS = smoke ? 1 : 2;
const REPS = smoke ? 1 : 3;
const S = (full, tiny) => (smoke ? tiny : full);
const t0 = Date.now();

const log = (...a) => process.stderr.write(a.join(' ') + '\n');

function sh(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd: opts.cwd || root, env: { ...process.env, ...(opts.env || {}) } });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    const timer = opts.timeout ? setTimeout(() => p.kill('SIGKILL'), opts.timeout) : null;
    p.on('error', (e) => { err += String(e); });
    p.on('close', (code) => { if (timer) clearTimeout(timer); resolve({ code, out, err }); });
  });
}

// ---- build ---------------------------------------------------------------
const have = { native: false, w3native: false, tokio: false, wasm: false, asyncify: false };
const missing = {};
async function build() {
  log('bench: building native benches (build-bench/)');
  let r = await sh('cmake', ['-S', '.', '-B', 'build-bench', '-DCMAKE_BUILD_TYPE=Release', '-DCF_BENCH=ON', '-DCF_TESTS=OFF']);
  if (r.code === 0) r = await sh('make', ['-C', 'build-bench', '-j2', 'cfb_native']);
  have.native = r.code === 0;
  if (!have.native) { missing.native = 'the native benches did not build (cmake -DCF_BENCH=ON in build-bench/; see the log above)'; log(r.out.slice(-2000), r.err.slice(-2000)); }
  if (have.native) {
    r = await sh('make', ['-C', 'build-bench', '-j2', 'cfb_w3']);
    have.w3native = r.code === 0;
    if (!have.w3native) missing.w3 = 'channels (include/cfuture/channel.h + src/sync) do not build';
  }
  log('bench: building the tokio baseline (cargo --offline)');
  // cwd bench/tokio: cargo reads .cargo/config.toml (the offline source) from there
  r = await sh('cargo', ['build', '--release', '--offline', '--quiet'], { cwd: join(here, 'tokio'), timeout: 300000 });
  have.tokio = r.code === 0;
  if (!have.tokio) { missing.tokio = 'the tokio baseline did not build (cargo build --release --offline in bench/tokio/; it needs cargo, rustc and Debian\'s crates: apt-get install -y librust-tokio-dev; see bench/README.md)'; log(r.err.slice(-1500)); }
  log('bench: building the wasm bench module (bench/wasm/build.mjs)');
  r = await sh('node', ['bench/wasm/build.mjs'], { timeout: 300000 });
  have.wasm = r.code === 0 && existsSync(join(here, 'wasm', 'build', 'cfbench.mjs'));
  if (!have.wasm) { missing.wasm = 'the wasm bench module did not build (node bench/wasm/build.mjs; it needs Debian\'s emscripten: apt-get install -y emscripten)'; log(r.err.slice(-2000)); }
  have.asyncify = have.wasm && existsSync(join(here, 'wasm', 'build', 'asyncify.mjs')) &&
    existsSync(join(here, 'wasm', 'build', 'kernel-cfuture.mjs'));
  if (!have.asyncify) missing.asyncify = 'the Asyncify baseline and kernel modules did not build (bench/wasm/extra.mjs, run by bench/wasm/build.mjs)';
}

// ---- measuring ----------------------------------------------------------
const samples = new Map(); // key impl|workload|n|metric -> values
const failed = []; // implementation runs that exited non-zero
const key = (impl, w, n, m) => `${impl}|${w}|${n}|${m}`;
const WARM = { GLIBC_TUNABLES: 'glibc.malloc.trim_threshold=4000000000:glibc.malloc.mmap_threshold=33554432' };
const NATIVE = join(root, 'build-bench', 'cfb_native');
const W3 = join(root, 'build-bench', 'cfb_w3');
const TOKIO = join(here, 'tokio', 'target', 'release', 'cfuture-tokio-bench');
const JS = (f) => join(here, 'js', f);
const WASM = join(here, 'wasm', 'run_wasm.mjs');
const ASY = join(here, 'wasm', 'run_asyncify.mjs');

// An implementation runner: impl name, the command, and how to map its
// output lines (workload field) to our workload id.
async function runImpl(impl, cmd, args, { env, id, n, timeout = 180000 }) {
  const r = await sh(cmd, args, { env, timeout });
  if (r.code !== 0) {
    log(`bench: ${impl} ${args.join(' ')} failed (${r.code}): ${r.err.slice(-600)}`);
    failed.push(`${impl} ${id} n=${n}: exit ${r.code}`);
    return false;
  }
  for (const line of r.out.split('\n')) {
    if (!line.startsWith('{')) continue;
    const o = JSON.parse(line);
    const k = key(impl, id, n, o.metric);
    if (!samples.has(k)) samples.set(k, []);
    samples.get(k).push(o.value);
  }
  return true;
}

// Quantile q of sorted values (linear interpolation; q = 0.5 is the median).
const quantile = (s, q) => {
  const i = (s.length - 1) * q, lo = Math.floor(i);
  return lo + 1 < s.length ? s[lo] + (s[lo + 1] - s[lo]) * (i - lo) : s[lo];
};
const median = (a) => (a && a.length ? quantile([...a].sort((x, y) => x - y), 0.5) : null);
const spread = (a) => {
  if (!a || !a.length) return null;
  const s = [...a].sort((x, y) => x - y);
  return { n: s.length, min: s[0], p25: quantile(s, 0.25), p75: quantile(s, 0.75), max: s[s.length - 1] };
};
// The samples of one measurement (an array, or null when not measured).
const get = (impl, id, n, m) => samples.get(key(impl, id, n, m)) ?? null;

// Each job: one workload id at one size, with its implementations.
function jobs(url) {
  const J = [];
  // need(part): whether a built part is there; it also records that the
  // job being defined needs it (push tags each job with its parts).
  let rec = new Set();
  const need = (part) => { rec.add(part); return have[part]; };
  const push = (j) => { J.push({ ...j, parts: [...rec] }); rec = new Set(); };
  const reps = String(REPS);
  const N1 = S(1000000, 2000), N2 = S(10000000, 20000), N3 = S(1000000, 2000);
  const NT = [S(100000, 1000), S(1000000, 2000)];
  const CH = S(100000, 1000);
  push({ id: 'w1', n: N1, impls: [
    need('native') && ['cfuture-native', NATIVE, ['w1', N1, reps], WARM],
    need('tokio') && ['tokio', TOKIO, ['w1', N1, reps], WARM],
    ['js', 'node', ['--expose-gc', JS('w1_w2_spawn_await.mjs'), 'w1', N1, reps]],
    ['js', 'node', ['--expose-gc', JS('w1_w2_spawn_await.mjs'), 'w1mem', S(100000, 1000), reps]],
    need('wasm') && ['cfuture-wasm', 'node', ['--expose-gc', WASM, 'w1', reps, N1]]
  ] });
  push({ id: 'w2', n: N2, impls: [
    need('native') && ['cfuture-native', NATIVE, ['w2', N2, reps], WARM],
    need('tokio') && ['tokio', TOKIO, ['w2', N2, reps], WARM],
    ['js', 'node', [JS('w1_w2_spawn_await.mjs'), 'w2', N2, reps]],
    need('wasm') && ['cfuture-wasm', 'node', [WASM, 'w2', reps, N2]]
  ] });
  for (const v of ['pp', 'rr']) {
    push({ id: `w3${v}`, n: N3, impls: [
      need('w3native') && ['cfuture-native', W3, [v, N3, reps], WARM],
      need('tokio') && ['tokio', TOKIO, [`w3${v}`, N3, reps], WARM],
      ['js', 'node', [JS('w3_pingpong.mjs'), v, N3, reps]],
      need('wasm') && need('w3native') && ['cfuture-wasm', 'node', [WASM, `w3${v}`, reps, N3]]
    ] });
  }
  push({ id: 'w4seq', n: N1, impls: [
    ['js', 'node', [JS('w4_w5_host.mjs'), 'w4seq', N1, reps]],
    need('wasm') && ['cfuture-wasm', 'node', [WASM, 'w4seq', reps, S(200000, 1000)]],
    need('asyncify') && ['asyncify', 'node', [ASY, 'w4seq', reps, S(200000, 1000)]],
    // JS<->wasm crossings per await (counting wrappers; not timed)
    need('wasm') && ['cfuture-wasm-x', 'node', [WASM, 'w4seq', 1, S(20000, 1000)], { CFB_COUNT_CROSSINGS: '1' }]
  ] });
  push({ id: 'w4par', n: S(10000, 100), impls: [
    ['js', 'node', [JS('w4_w5_host.mjs'), 'w4par', S(10000, 100), reps, S(100, 10)]],
    need('wasm') && ['cfuture-wasm', 'node', [WASM, 'w4par', reps, S(10000, 100), S(100, 10)]],
    need('wasm') && ['cfuture-wasm-x', 'node', [WASM, 'w4par', 1, S(10000, 100), S(100, 10)], { CFB_COUNT_CROSSINGS: '1' }]
  ] });
  for (const n of NT) {
    push({ id: 'timers', n, impls: [
      need('native') && ['cfuture-native', NATIVE, ['timers', n, reps, CH], WARM],
      need('tokio') && ['tokio', TOKIO, ['timers', n, reps, CH], WARM],
      need('wasm') && ['cfuture-wasm', 'node', [WASM, 'timers', reps, n, CH, 1000]]
    ] });
    for (const off of [0, S(1000, 100)]) {
      push({ id: `w5+${off}`, n, impls: [
        ['js', 'node', ['--expose-gc', JS('w4_w5_host.mjs'), 'w5', n, smoke ? '1' : '2', off]],
        need('wasm') && ['cfuture-wasm', 'node', ['--expose-gc', WASM, 'w5', smoke ? '1' : '2', n, off]]
      ] });
    }
  }
  for (const [n, rounds] of [[10, S(100000, 100)], [10000, S(100, 1)]]) {
    push({ id: 'w6join', n, impls: [
      need('native') && ['cfuture-native', NATIVE, ['w6join', n, reps, rounds], WARM],
      ['js', 'node', [JS('w6_combine.mjs'), 'join', n, reps, rounds]],
      need('wasm') && ['cfuture-wasm', 'node', [WASM, 'w6join', reps, n, rounds]]
    ] });
  }
  for (const k of [2, 8]) {
    const reps6 = S(1000000, 1000);
    push({ id: 'w6sel', n: k, impls: [
      need('native') && ['cfuture-native', NATIVE, ['w6sel', k, reps, reps6], WARM],
      ['js', 'node', [JS('w6_combine.mjs'), 'select', k, reps, reps6]],
      need('wasm') && ['cfuture-wasm', 'node', [WASM, 'w6sel', reps, k, reps6]]
    ] });
  }
  // W8 compute kernel: both builds in one process, interleaved
  push({ id: 'w8kernel', n: S(50000000, 100000), impls: [
    need('asyncify') && ['cfuture-wasm', 'node', [ASY, 'kernel', reps, S(50000000, 100000)]]
  ] });
  const NF = S(1000, 20);
  // W7 takes three times the runs per process: a batch of 1000 fetches
  // moves by +-50% from one to the next (sockets, pools, GC), and six
  // samples a side let the median ratio swing by 0.3 between runs
  const repsW7 = String(REPS * 3);
  push({ id: 'w7', n: NF, impls: [
    ['js', 'node', [JS('w7_fetch.mjs'), 'fetch', NF, repsW7, url]],
    need('wasm') && ['cfuture-wasm', 'node', [WASM, 'w7', repsW7, url, NF]]
  ] });
  return J.map((j) => ({ ...j, impls: j.impls.filter(Boolean) }))
    .filter((j) => !only || only.some((o) => j.id.startsWith(o)));
}

// ---- comparisons ---------------------------------------------------------
// target: { max } (ratio cfuture/baseline must be <= max), or
// { abs, unit } (the cfuture value must be <= abs), or { eq }.
function comparisons() {
  const C = [];
  const N1 = S(1000000, 2000), N2 = S(10000000, 20000), N3 = S(1000000, 2000);
  // cf and base: sample arrays (get), a single number, or null.
  const vals = (x) => (x == null ? null : Array.isArray(x) ? x : [x]);
  const add = (workload, metric, unit, cf, base, baseName, target) => {
    const cfuture = median(vals(cf)), baseline_value = median(vals(base));
    const ratio = cfuture != null && baseline_value ? cfuture / baseline_value : null;
    let met = null, t = '';
    if (target.max != null) { t = `<= ${target.max}x`; met = ratio != null ? ratio <= target.max : null; }
    if (target.abs != null) { t = `<= ${target.abs} ${target.unit}`; met = cfuture != null ? cfuture <= target.abs : null; }
    if (target.eq != null) { t = `== ${target.eq}`; met = cfuture != null ? cfuture === target.eq : null; }
    if (target.info) { t = 'info'; met = null; }
    C.push({ workload, metric, unit, cfuture, baseline: baseName, baseline_value, ratio, target: t, met,
      cfuture_spread: spread(vals(cf)), baseline_spread: spread(vals(base)) });
  };
  // W1
  add('W1 spawn+join 1e6 (wasm)', 'time', 'ns/task', get('cfuture-wasm', 'w1', N1, 'ns_per_task'), get('js', 'w1', N1, 'ns_per_task'), 'JS async fn + Promise.all', { max: 0.2 });
  add('W1 spawn+join 1e6 (wasm)', 'memory', 'B/task', get('cfuture-wasm', 'w1', N1, 'bytes_per_task'), get('js', 'w1', N1, 'bytes_per_task'), 'JS suspended async fn', { abs: 128, unit: 'B/task' });
  add('W1 spawn+join 1e6 (native)', 'time', 'ns/task', get('cfuture-native', 'w1', N1, 'ns_per_task'), get('tokio', 'w1', N1, 'ns_per_task'), 'tokio current_thread', { max: 0.5 });
  add('W1 spawn+join 1e6 (native)', 'memory', 'B/task', get('cfuture-native', 'w1', N1, 'bytes_per_task'), get('tokio', 'w1', N1, 'bytes_per_task'), 'tokio current_thread', { info: true });
  add('W1 spawn+join 1e6 (native)', 'memory', 'B/task', get('cfuture-native', 'w1', N1, 'bytes_per_task'), null, '-', { abs: 112, unit: 'B/task' });
  add('W1 spawn+join 1e6 (native)', 'time', 'ns/task', get('cfuture-native', 'w1', N1, 'ns_per_task'), get('js', 'w1', N1, 'ns_per_task'), 'JS async fn + Promise.all', { info: true });
  // W2
  add('W2 self-wake 1e7 (wasm)', 'time', 'ns/wake', get('cfuture-wasm', 'w2', N2, 'ns_per_wake'), get('js', 'w2', N2, 'ns_per_wake'), 'JS await loop', { max: 0.3 });
  add('W2 self-wake 1e7 (native)', 'time', 'ns/wake', get('cfuture-native', 'w2', N2, 'ns_per_wake'), get('js', 'w2', N2, 'ns_per_wake'), 'JS await loop', { max: 0.3 });
  add('W2 self-wake 1e7 (native)', 'time', 'ns/wake', get('cfuture-native', 'w2', N2, 'ns_per_wake'), get('tokio', 'w2', N2, 'ns_per_wake'), 'tokio current_thread', { max: 0.4 });
  // W3
  for (const [v, label] of [['pp', 'bounded(1) ping-pong'], ['rr', 'oneshot request/reply']]) {
    add(`W3 ${label} 1e6 (wasm)`, 'time', 'ns/roundtrip', get('cfuture-wasm', `w3${v}`, N3, 'ns_per_roundtrip'), get('js', `w3${v}`, N3, 'ns_per_roundtrip'), 'JS promise channel', { max: 0.5 });
    add(`W3 ${label} 1e6 (native)`, 'time', 'ns/roundtrip', get('cfuture-native', `w3${v}`, N3, 'ns_per_roundtrip'), get('tokio', `w3${v}`, N3, 'ns_per_roundtrip'), 'tokio mpsc/oneshot', { max: 0.5 });
  }
  // W4
  add('W4 1e6 sequential host awaits (wasm)', 'time', 'ns/await', get('cfuture-wasm', 'w4seq', N1, 'ns_per_await'), get('js', 'w4seq', N1, 'ns_per_await'), 'JS async fn awaiting', { max: 1.5 });
  add('W4 1e4 tasks x 100 host awaits (wasm)', 'time', 'ns/await', get('cfuture-wasm', 'w4par', S(10000, 100), 'ns_per_await'), get('js', 'w4par', S(10000, 100), 'ns_per_await'), 'JS async fns awaiting', { max: 1.2 });
  add('W4 sequential host awaits vs Asyncify (wasm)', 'time', 'ns/await', get('cfuture-wasm', 'w4seq', N1, 'ns_per_await'), get('asyncify', 'w4seq', N1, 'ns_per_await'), 'EM_ASYNC_JS + Asyncify', { max: 0.33 });
  add('W4 sequential: JS<->wasm crossings per await', 'crossings', 'per await', get('cfuture-wasm-x', 'w4seq', N1, 'crossings_per_op'), null, '-', { abs: 2, unit: 'crossings' });
  add('W4 1e4 tasks x 100: crossings per await', 'crossings', 'per await', get('cfuture-wasm-x', 'w4par', S(10000, 100), 'crossings_per_op'), null, '-', { info: true });
  // timers (native insert/cancel; wasm arm)
  for (const n of [S(100000, 1000), S(1000000, 2000)]) {
    const tag = n >= 1000000 ? '1e6' : n >= 100000 ? '1e5' : String(n);
    for (const [m, label] of [['ns_per_insert', 'insert'], ['ns_per_cancel', 'cancel'], ['ns_per_churn', 'cancel+insert']]) {
      add(`Timers ${label} at ${tag} pending (native)`, 'time', 'ns/op', get('cfuture-native', 'timers', n, m), get('tokio', 'timers', n, m), 'tokio time wheel', { info: true });
    }
    add(`W5 arm at ${tag} pending (wasm)`, 'time', 'ns/arm', get('cfuture-wasm', 'timers', n, 'ns_per_insert'), get('js', 'w5+0', n, 'ns_per_arm'), 'Node setTimeout', { max: 0.25 });
    add(`W5 ${tag} timers (wasm)`, 'memory', 'B/timer', get('cfuture-wasm', 'timers', n, 'bytes_per_timer'), get('js', 'w5+0', n, 'bytes_per_timer'), 'Node setTimeout', { abs: 128, unit: 'B/timer' });
    for (const off of [0, S(1000, 100)]) {
      const w = `w5+${off}`;
      const lbl = `W5 ${tag} sleeps 0-50ms${off ? ` +${off}ms` : ''} (wasm)`;
      add(lbl, 'lateness p50', 'ms', get('cfuture-wasm', w, n, 'p50_ms'), get('js', w, n, 'p50_ms'), 'Node setTimeout', { info: true });
      add(lbl, 'lateness p99', 'ms', get('cfuture-wasm', w, n, 'p99_ms'), get('js', w, n, 'p99_ms'), 'Node setTimeout', { max: 1 });
      // A sleep is never early (the guarantee the lateness rows rest on);
      // Node's setTimeout counts from its loop's whole-ms clock, so a good
      // part of its callbacks run up to 1 ms before the time asked for.
      add(lbl, 'fired early', 'fraction', get('cfuture-wasm', w, n, 'early_frac'), get('js', w, n, 'early_frac'), 'Node setTimeout', { eq: 0 });
      add(lbl, 'host timers armed', 'timers', get('cfuture-wasm', w, n, 'max_host_timers'), get('js', w, n, 'max_host_timers'), 'Node setTimeout', { eq: 1 });
    }
  }
  // W6
  for (const impl of ['cfuture-wasm', 'cfuture-native']) {
    const p = impl === 'cfuture-wasm' ? 'wasm' : 'native';
    add(`W6 join, one child at a time, N=1e4 vs N=10 (${p})`, 'time', 'ns/child', get(impl, 'w6join', 10000, 'ns_per_child'), get(impl, 'w6join', 10, 'ns_per_child'), 'same, N=10', { max: 2 });
  }
  for (const n of [10, 10000]) add(`W6 join N=${n} (wasm)`, 'time', 'ns/child', get('cfuture-wasm', 'w6join', n, 'ns_per_child'), get('js', 'w6join', n, 'ns_per_child'), 'Promise.all', { info: true });
  for (const k of [2, 8]) add(`W6 select over ${k}, 1e6 times (wasm)`, 'time', 'ns/select', get('cfuture-wasm', 'w6sel', k, 'ns_per_select'), get('js', 'w6sel', k, 'ns_per_select'), 'Promise.race', { info: true });
  // W7
  const NF = S(1000, 20);
  add(`W7 ${NF} concurrent fetches (wasm)`, 'wall time', 'ms', get('cfuture-wasm', 'w7', NF, 'ms'), get('js', 'w7', NF, 'ms'), 'JS fetch + Promise.all', { max: 1.1 });
  // W8 (bench/wasm/size.json, written by the wasm build when available)
  const sizeFile = join(here, 'wasm', 'build', 'size.json');
  const sz = existsSync(sizeFile) ? JSON.parse(readFileSync(sizeFile, 'utf8')) : {};
  add('W8 runtime wasm -Os, emmalloc (raw)', 'size', 'bytes', sz.runtime_raw ?? null, null, '-', { abs: 16384, unit: 'bytes' });
  add('W8 runtime wasm -Os, emmalloc (gzip)', 'size', 'bytes', sz.runtime_gzip ?? null, null, '-', { info: true });
  add('W8 runtime wasm -Os, dlmalloc (raw)', 'size', 'bytes', sz.runtime_dl_raw ?? null, null, '-', { info: true });
  add('W8 runtime wasm -Os, dlmalloc (gzip)', 'size', 'bytes', sz.runtime_dl_gzip ?? null, null, '-', { info: true });
  add('W8 module with every export -Os, dlmalloc (raw)', 'size', 'bytes', sz.full_raw ?? null, null, '-', { info: true });
  add('W8 module with every export -Os, dlmalloc (gzip)', 'size', 'bytes', sz.full_gzip ?? null, null, '-', { info: true });
  const NK = S(50000000, 100000);
  add('W8 compute kernel, runtime linked vs Asyncify build', 'time', 'ms', get('cfuture-wasm', 'w8kernel', NK, 'kernel_cfuture_ms'), get('cfuture-wasm', 'w8kernel', NK, 'kernel_asyncify_ms'), 'same kernel, -sASYNCIFY', { max: 1.05 }); // no slowdown, within noise
  return C;
}

// ---- output ------------------------------------------------------------
const fmt = (v) => (v == null ? 'missing' : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));
const range = (sp) => (sp && sp.n > 1 ? `${fmt(sp.min)}-${fmt(sp.max)}` : '');
function table(C) {
  const rows = [['workload', 'metric', 'unit', 'cfuture', '(min-max)', 'baseline', 'baseline value', '(min-max)', 'ratio', 'target', 'met']];
  for (const c of C) rows.push([c.workload, c.metric, c.unit, fmt(c.cfuture), range(c.cfuture_spread), c.baseline, fmt(c.baseline_value), range(c.baseline_spread), c.ratio == null ? '-' : c.ratio.toFixed(2) + 'x', c.target, c.met == null ? '-' : c.met ? 'yes' : 'NO']);
  const w = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r, j) => r.map((x, i) => String(x).padEnd(w[i])).join('  ') + (j === 0 ? '\n' + w.map((x) => '-'.repeat(x)).join('  ') : '')).join('\n');
}

await build();
{
  // A full run must not quietly drop comparisons: every part the selected
  // workloads need has to be there.
  const lacking = [...new Set(jobs('').flatMap((j) => j.parts))].filter((p) => !have[p]);
  if (lacking.length && !smoke && !allowMissing) {
    for (const p of lacking) console.error(`bench: cannot run: ${missing[p === 'w3native' ? 'w3' : p] ?? p + ' is missing'}`);
    console.error('bench: the comparisons that need it would be missing from the results. Fix the build above, ' +
      'or pass --allow-missing to run without it (those rows then show as missing), or --smoke.');
    process.exit(2);
  }
}
const { startServer } = await import(join(here, 'js', 'w7_fetch.mjs'));
const { server, url } = await startServer();
try {
  const J = jobs(url);
  for (let round = 0; round < ROUNDS; round++) {
    for (const j of J) {
      const order = round % 2 ? [...j.impls].reverse() : j.impls;
      for (const [impl, cmd, args, env] of order) {
        log(`bench: [${round + 1}/${ROUNDS}] ${j.id} n=${j.n} ${impl}`);
        await runImpl(impl, cmd, args.map(String), { env, id: j.id, n: j.n });
      }
    }
  }
} finally {
  server.close();
  server.closeAllConnections?.();
}

// W9 (fibers: bench/wasm/fiber_tax.mjs) and W10 (the blocking pool:
// bench/wasm/w10.mjs, and its single-thread tax, bench/wasm/threads_tax.mjs)
// run as their own scripts, each building or loading
// its own modules; their records join results.json in the same shape.
async function extraRecords() {
  const R = [];
  const want = (id) => !only || only.some((o) => id.startsWith(o));
  const rec = (workload, metric, unit, cfuture, baseline, baseline_value, target, cfs, bs) => {
    const ratio = cfuture != null && baseline_value ? cfuture / baseline_value : null;
    let t = 'info', met = null;
    if (target && target.max != null) { t = `<= ${target.max}x`; met = ratio != null ? ratio <= target.max : null; }
    if (target && target.min != null) { t = `>= ${target.min}x`; met = ratio != null ? ratio >= target.min : null; }
    R.push({ workload, metric, unit, cfuture, baseline, baseline_value, ratio, target: t, met,
      cfuture_spread: spread(vals(cfs)), baseline_spread: spread(vals(bs)) });
  };
  const vals = (x) => (x == null ? null : Array.isArray(x) ? x : [x]);
  if (want('w9') && have.wasm && have.asyncify) {
    log('bench: W9 fibers (bench/wasm/fiber_tax.mjs)');
    const r = await sh('node', [join(here, 'wasm', 'fiber_tax.mjs'), ...(smoke ? ['--quick'] : [])], { timeout: 1200000 });
    const file = join(here, 'wasm', 'build', 'fiber-results.json');
    if (r.code !== 0 || !existsSync(file)) { failed.push(`w9 fiber_tax.mjs (exit ${r.code}): ${r.err.trim().split('\n').pop()}`); }
    else {
      for (const row of JSON.parse(readFileSync(file, 'utf8')).rows) {
        if (!row.name.startsWith('[now] ')) continue;
        const name = row.name.slice(6);
        const target = /^<= ([\d.]+)$/.exec(row.target || '');
        const metric = /^B\//.test(row.unit) ? 'memory' : row.unit === 'bytes' ? 'size' : 'time';
        rec(/^W9/.test(name) ? `${name} (wasm)` : `W9 ${name} (wasm)`, metric, row.unit, row.value, row.baseName || '-', row.base ?? null,
          target ? { max: Number(target[1]) } : null);
      }
    }
  }
  if (want('w10')) {
    log('bench: W10 blocking pool (bench/wasm/w10.mjs)');
    const r = await sh('node', [join(here, 'wasm', 'w10.mjs'), ...(smoke ? ['--rounds=1', '--iters=1e6'] : [])], { timeout: 600000 });
    if (r.code !== 0) failed.push(`w10 w10.mjs (exit ${r.code}): ${r.err.trim().split('\n').pop()}`);
    for (const line of r.out.split('\n').filter((l) => l.startsWith('{'))) {
      const o = JSON.parse(line);
      if (o.metric === 'speedup') // ratio of the two medians: the baseline is 1 thread = 1x
        rec(o.workload, o.metric, o.unit, o.cfuture, '1 pool thread', 1, o.target, null, null);
      else
        rec(o.workload, o.metric, o.unit, o.cfuture, o.baseline, o.baseline_value, o.target, o.samples?.cf, o.samples?.js);
    }
  }
  if (want('w10') && have.wasm) {
    // The single-thread tax: W1-W4 in the bench module built with the
    // threads flavour vs the default build (target <= 1.1x).
    log('bench: W10 single-thread tax (bench/wasm/threads_tax.mjs)');
    const r = await sh('node', [join(here, 'wasm', 'threads_tax.mjs'), ...(smoke ? ['--rounds=1', '--scale=0.01'] : [])], { timeout: 1800000 });
    if (r.code !== 0) failed.push(`w10 threads_tax.mjs (exit ${r.code}): ${r.err.trim().split('\n').pop()}`);
    for (const line of r.out.split('\n').filter((l) => l.startsWith('{'))) {
      const o = JSON.parse(line);
      rec(o.workload, 'time', o.metric.replace(/^ns_per_/, 'ns/'), o.cfuture, o.baseline, o.baseline_value, o.target,
        o.samples?.threads, o.samples?.default);
    }
  }
  return R;
}

const C = [...comparisons(), ...(await extraRecords())];
const meta = {
  date: new Date().toISOString(), smoke, rounds: ROUNDS, reps_per_process: REPS,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, mem_gb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.type()} ${os.release()} ${os.arch()}` },
  missing, failed, only: only ?? null, seconds: Math.round((Date.now() - t0) / 1000)
};
const out = join(here, smoke ? 'results.smoke.json' : 'results.json');
writeFileSync(out, JSON.stringify(C, null, 1) + '\n');
writeFileSync(out.replace(/\.json$/, '.meta.json'), JSON.stringify({ meta, samples: Object.fromEntries(samples) }, null, 1) + '\n');
console.log(table(C));
for (const [k, v] of Object.entries(missing)) console.log(`missing: ${k}: ${v}`);
console.log(`\n${smoke ? 'smoke run (numbers are not meaningful)' : 'medians of ' + ROUNDS * REPS + ' warm runs'}; ${meta.seconds} s; wrote ${out.replace(root + '/', '')}`);
if (failed.length) {
  console.error(`bench: ${failed.length} implementation run(s) failed, so their rows are missing:\n  ${failed.join('\n  ')}`);
  process.exitCode = 1;
}
