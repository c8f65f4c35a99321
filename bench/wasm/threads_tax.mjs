#!/usr/bin/env node
// threads_tax.mjs: the single-thread tax of the threaded flavour (issue 12,
// target <= 1.1x): W1-W4 in the bench module built with the "threads"
// flavour of scripts/emcc-flags.json (library and bench compiled with its
// compile list, -pthread; linked with its link list) vs the default build
// (bench/wasm/build.mjs), both -O3 with LTO, same sources. bench/run.mjs runs it
// with W10 (its "W10 w1 ... threaded build vs default" records).
//
//   node bench/wasm/threads_tax.mjs [--rounds=3] [--scale=0.2]
//
// Builds bench/wasm/build/threads/cfbench.mjs when stale (a package.json of
// {"type": "commonjs"} beside it: emcc 3.1.6's .worker.js is CommonJS),
// then runs each workload through run_wasm.mjs (CFB_MODULE picks the
// build), default and threaded interleaved, `rounds` processes each, and
// prints one JSON line per workload: medians of both, ratio threaded /
// default (> 1: the threaded build is slower), target {max: 1.1}.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const arg = (k, d) => Number(process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
const ROUNDS = arg('rounds', 3), SCALE = arg('scale', 0.2);
const env = { ...process.env, NODE_PATH: process.env.NODE_PATH || '/usr/share/nodejs' };
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];

// ---- build --------------------------------------------------------------
const defaultModule = join(here, 'build', 'cfbench.mjs');
if (!existsSync(defaultModule)) execFileSync(process.execPath, [join(here, 'build.mjs')], { stdio: 'inherit', env });
const { linkFlags, flagList } = await import(join(root, 'scripts', 'emcc-flags.mjs'));
const threads = flagList().flavours.threads;
const compile = threads.compile.flatMap((e) => e.args);
const out = join(here, 'build', 'threads');
mkdirSync(join(out, 'obj'), { recursive: true });
writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
const list = (d) => readdirSync(d).filter((f) => f.endsWith('.c')).map((f) => join(d, f));
const src = [...list(join(root, 'src')), ...list(join(root, 'src', 'sync')), ...list(join(root, 'src', 'wasm'))];
const privateHeaders = ['src', 'src/sync', 'src/wasm'].flatMap((d) =>
  readdirSync(join(root, d)).filter((f) => f.endsWith('.h')).map((f) => join(root, d, f)));
const deps = [...src, ...privateHeaders, ...list(join(here)), join(here, 'threads_tax.mjs'), ...readdirSync(join(root, 'include', 'cfuture')).map((f) => join(root, 'include', 'cfuture', f)), join(root, 'scripts', 'emcc-flags.json')];
const mod = join(out, 'cfbench.mjs');
if (!existsSync(mod) || statSync(mod).mtimeMs < Math.max(...deps.map((f) => statSync(f).mtimeMs))) {
  const emcc = (a) => execFileSync('emcc', a, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const objs = src.map((s) => {
    const o = join(out, 'obj', relative(root, s).replace(/[/]/g, '_') + '.o');
    emcc(['-std=c11', '-O3', '-flto', ...compile, '-Iinclude', '-Isrc', '-c', s, '-o', o]);
    return o;
  });
  emcc(['-std=c11', '-O3', '-flto', ...compile, '-Iinclude', join(here, 'cfb_wasm.c'), ...objs,
    ...linkFlags({ flavour: 'threads' }), '-sMAXIMUM_MEMORY=4GB', '-o', mod]);
  console.error(`threads_tax: built ${relative(root, mod)}`);
}

// ---- run ----------------------------------------------------------------
const S = (n) => Math.max(1000, Math.round(n * SCALE));
const W = [
  ['w1 spawn+join', 'w1', [S(1e6)], 'ns_per_task'],
  ['w2 self-wake', 'w2', [S(1e7)], 'ns_per_wake'],
  ['w3pp ping-pong', 'w3pp', [S(1e6)], null],
  ['w3rr round-robin', 'w3rr', [S(1e6)], null],
  ['w4seq sequential host awaits', 'w4seq', [S(2e5)], null],
  ['w4par parallel host awaits', 'w4par', [S(1e4), 100], null],
];
function once(module, name, args) {
  const o = execFileSync(process.execPath, ['--expose-gc', join(here, 'run_wasm.mjs'), name, '3', ...args.map(String)],
    { env: { ...env, CFB_MODULE: module }, encoding: 'utf8', timeout: 300_000 });
  return o.trim().split('\n').map((l) => JSON.parse(l));
}
for (const [title, name, args, want] of W) {
  const samples = { default: [], threads: [] };
  let metric = want;
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, m] of r % 2 ? [['threads', mod], ['default', defaultModule]] : [['default', defaultModule], ['threads', mod]]) {
      const lines = once(m, name, args);
      metric ??= lines.find((l) => /^ns_per/.test(l.metric))?.metric ?? lines[0].metric;
      samples[k].push(median(lines.filter((l) => l.metric === metric).map((l) => l.value)));
    }
  }
  const d = median(samples.default), t = median(samples.threads);
  console.log(JSON.stringify({ workload: `W10 ${title} ${args.join('x')}, single-threaded, threaded build vs default (wasm)`, metric,
    cfuture: t, baseline: 'default build', baseline_value: d, ratio: t / d, target: { max: 1.1 }, samples }));
}
