// fiber_tax.mjs: W9 (fibers) and the Asyncify tax, outside the full bench.
//
//   node bench/wasm/fiber_tax.mjs [--quick]
//
// Links two fiber builds of the bench module's C (cfb_wasm.c, the same -O3
// library) plus fiber_w9.c:
//   build/cfbench-fiber.mjs    the fiber link flags of scripts/emcc-flags.json
//                              ("fibers": direct Asyncify switches, indirect
//                              calls not instrumented; src/wasm/fiber_em.c)
//   build/cfbench-emfiber.mjs  the BASELINE: fiber_em_emfiber.c (Emscripten
//                              fibers, the previous implementation, its
//                              16 + 8 KiB stacks) with plain -sASYNCIFY
// Needs build/cfbench.mjs and build/asyncify.mjs from bench/wasm/build.mjs.
// Then runs every row with fiber_run.mjs: the builds being compared
// (plain, before, now, and EM_ASYNC_JS for W9) loaded in ONE Node process
// and called in alternating order, round after round, so each ratio
// compares measurements taken at the same moment (the machine is shared;
// separate processes drifted 10-30% apart):
//   - stackless W1, W2, W3pp, W4seq in the plain and the fiber build
//     (the tax: fiber / plain, target <= 1.1);
//   - W9: a fiber awaiting a resolved JS Promise vs the same in stackless
//     code (W4seq, plain build) and vs EM_ASYNC_JS + Asyncify (target
//     fiber <= 1.0x Asyncify); a fiber suspend + resume with no JS at all
//     (a self-waking future) vs the stackless self-wake (W2); fiber yield;
//     spawn+join ns; heap bytes per parked fiber at the default stack
//     sizes (target <= 8 KiB);
//   - module sizes (.wasm bytes) of both builds.
// Prints a table and writes bench/wasm/build/fiber-results.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const out = join(here, 'build');
const quick = process.argv.includes('--quick');
const env = { ...process.env, NODE_PATH: process.env.NODE_PATH || '/usr/share/nodejs' };
// the plain module's library (build.mjs: -O3 with LTO), so the builds differ
// only in the fiber flags
for (const f of ['cfbench.mjs', 'libcfuture-O3-flto.a', 'asyncify.mjs'])
  if (!existsSync(join(out, f))) {
    console.error(`fiber_tax: build/${f} missing: run node bench/wasm/build.mjs first`);
    process.exit(3);
  }

// the link flags of build.mjs (cfuture_add_module) + fiber.cmake's
const libDir = join(root, 'bindings', 'lib');
const jsLibs = [join(root, 'bindings', 'gen', 'contract_lib.js'),
  ...readdirSync(libDir).filter((f) => f.endsWith('.js')).sort().map((f) => join(libDir, f))];
const exportsList = readFileSync(join(root, 'bindings', 'gen', 'exports.txt'), 'utf8').split(/\s+/).filter(Boolean);
const moduleFlags = [
  '-sMODULARIZE=1', '-sEXPORT_ES6=1', '-sEXPORT_NAME=createCfutureModule', '--no-entry',
  '-sALLOW_MEMORY_GROWTH=1', '-sMAXIMUM_MEMORY=4GB', '-sENVIRONMENT=web,worker,node',
  `-sEXPORTED_FUNCTIONS=${exportsList.join(',')}`,
  ...jsLibs.flatMap((l) => ['--js-library', l]), '--extern-pre-js', join(root, 'bindings', 'node_shim.js')
];
const { flagList } = await import(join(root, 'scripts', 'emcc-flags.mjs'));
const fiberFlags = flagList().fibers.link.flatMap((e) => e.args)
  .map((a) => a.replace('${bindings}', join(root, 'bindings')));
const builds = {
  fiber: { mod: join(out, 'cfbench-fiber.mjs'), extra: [], flags: fiberFlags },
  emfiber: { mod: join(out, 'cfbench-emfiber.mjs'), extra: [join(here, 'fiber_em_emfiber.c')],
    flags: ['-sASYNCIFY=1', '-sASYNCIFY_STACK_SIZE=1024'] },
};
for (const b of Object.values(builds)) {
  execFileSync('emcc', ['-std=c11', '-O3', '-flto', '-Iinclude', '-Isrc', ...b.extra, join(here, 'cfb_wasm.c'), join(here, 'fiber_w9.c'),
    join(out, 'libcfuture-O3-flto.a'), ...moduleFlags, ...b.flags, '-o', b.mod],
  { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
}

// many short rounds rather than a few long ones: a burst of load from
// other work then hits one round of every case alike
const reps = quick ? 3 : 15;
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
// cases: [label, module (a path, or 'asyncify'), export, ...args]; returns
// {label: {metric: median}}
function side(cases) {
  const specs = cases.map(([label, mod, name, ...args]) =>
    (mod === 'asyncify' ? `${label}=asyncify:${args[0]}` : `${label}=${mod}:${name}:${args.join(',')}`));
  const r = spawnSync('node', ['--expose-gc', join(here, 'fiber_run.mjs'), String(reps), ...specs],
    { cwd: root, encoding: 'utf8', timeout: 600000 });
  if (r.status !== 0) throw new Error(`fiber_run.mjs ${specs.join(' ')}: ${r.stderr.slice(-800)}`);
  const by = {};
  for (const line of r.stdout.split('\n')) {
    if (!line.startsWith('{')) continue;
    const o = JSON.parse(line);
    ((by[o.label] ??= {})[o.metric] ??= []).push(o.value);
  }
  return Object.fromEntries(Object.entries(by).map(([l, m]) =>
    [l, Object.fromEntries(Object.entries(m).map(([k, v]) => [k, median(v)]))]));
}

const N = quick ? 20000 : 50000;
const rows = [];
const add = (name, unit, value, base, baseName, target) =>
  rows.push({ name, unit, value, base, ratio: base ? value / base : null, baseName, target });

const size = (m) => statSync(m.replace(/\.mjs$/, '.wasm')).size;
const plainMod = join(out, 'cfbench.mjs');
const tags = { emfiber: '[before: emscripten fibers]', fiber: '[now]' };
for (const [w, metric, n] of [['w1', 'ns_per_task', N], ['w2', 'ns_per_wake', N * 5],
  ['w3pp', 'ns_per_roundtrip', N], ['w4seq', 'ns_per_await', N]]) {
  const r = side([['plain', plainMod, w, n], ...Object.keys(tags).map((b) => [b, builds[b].mod, w, n])]);
  for (const b of Object.keys(tags))
    add(`${tags[b]} ${w} stackless, fiber build vs plain`, metric, r[b][metric], r.plain[metric], 'plain build', '<= 1.1');
}
const aw = side([['stackless', plainMod, 'w4seq', N], ['asyncify', 'asyncify', '', N],
  ...Object.keys(tags).map((b) => [b, builds[b].mod, 'w9await', N])]);
const wake = side([['stackless', plainMod, 'w2', N * 5], ...Object.keys(tags).map((b) => [b, builds[b].mod, 'w9wake', N * 5])]);
const misc = side(Object.keys(tags).flatMap((b) => [[`${b}:yield`, builds[b].mod, 'w9yield', N / 10],
  [`${b}:spawn`, builds[b].mod, 'w9spawn', N / 10], [`${b}:park`, builds[b].mod, 'w9park', 1000]]));
for (const b of Object.keys(tags)) {
  const tag = tags[b];
  const fAwait = aw[b].ns_per_await;
  add(`${tag} W9 fiber await of a resolved JS Promise`, 'ns/await', fAwait, aw.asyncify.ns_per_await, 'EM_ASYNC_JS + Asyncify', '<= 1.0');
  add(`${tag} W9 fiber await of a resolved JS Promise`, 'ns/await', fAwait, aw.stackless.ns_per_await, 'stackless (plain build)', 'info');
  add(`${tag} W9 fiber suspend + resume, no JS (self-wake)`, 'ns/wake', wake[b].ns_per_wake, wake.stackless.ns_per_wake, 'stackless self-wake (W2, plain build)', 'info');
  add(`${tag} W9 fiber yield (suspend + resume)`, 'ns/yield', misc[`${b}:yield`].ns_per_yield, null, '', 'info');
  add(`${tag} W9 fiber spawn+join`, 'ns/fiber', misc[`${b}:spawn`].ns_per_fiber, null, '', 'info');
  add(`${tag} W9 heap per parked fiber (default stacks)`, 'B/fiber', misc[`${b}:park`].bytes_per_fiber, 8192, '8 KiB', '<= 1.0');
  add(`${tag} module size, fiber build vs plain`, 'bytes', size(builds[b].mod), size(plainMod), 'plain build', 'info');
}

for (const r of rows)
  console.log(`${r.name.padEnd(72)} ${r.value.toFixed(1).padStart(12)} ${r.unit.padEnd(16)}` +
    (r.base ? ` vs ${r.baseName} ${r.base.toFixed(1)}: ${r.ratio.toFixed(3)}x (target ${r.target})` : ''));
writeFileSync(join(out, 'fiber-results.json'), JSON.stringify({ when: new Date().toISOString(), n: N, reps, rows }, null, 2));
