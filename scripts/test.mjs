#!/usr/bin/env node
// scripts/test.mjs: the one test command (`npm test`).
// Runs the layers in order (native C, wasm in Node, browser, package smoke)
// and stops at the first failing layer. Before running anything it checks
// that every tool a selected layer needs is present and, if not, says
// exactly what is missing and how to install it.
//
//   npm test                       all layers
//   npm test -- --only native,node run some layers
//   CF_FUZZ_SECONDS=10 npm test    shorter fuzzing
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const onlyArg = args.indexOf('--only');
const only = onlyArg >= 0 ? new Set(args[onlyArg + 1].split(',')) : null;

const has = (cmd) =>
  spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

const tools = {
  cmake: 'cmake', cc: 'gcc', clang: 'clang libclang-rt-14-dev', valgrind: 'valgrind',
  emcc: 'emscripten', chromium: 'chromium',
};

const layers = [
  {
    name: 'native',
    what: 'native C suite: ctest, ASan+UBSan, valgrind, fuzzers',
    needs: ['cmake', 'cc', 'clang', 'valgrind'],
    run: [['bash', ['scripts/test-native.sh']]],
  },
  {
    name: 'node',
    what: 'wasm build and Node tests',
    needs: ['cmake', 'emcc'],
    npm: true,
    run: [
      ['node', ['scripts/build-wasm.mjs']],
      ['node', ['--test', '--test-concurrency=1', '--unhandled-rejections=strict', 'tests/node/']],
    ],
  },
  {
    name: 'browser',
    what: 'demo page in Chromium',
    needs: ['emcc', 'chromium'],
    npm: true,
    run: [['node', ['--test', '--test-concurrency=1', 'tests/browser/']]],
  },
];

const selected = layers.filter((l) => !only || only.has(l.name));
const missing = new Set();
for (const l of selected) for (const t of l.needs) if (!has(t)) missing.add(t);
if (selected.some((l) => l.npm) && !existsSync(path.join(root, 'node_modules'))) {
  console.error('missing: node_modules. Run: npm ci');
  process.exit(1);
}
if (missing.size) {
  const pkgs = [...new Set([...missing].map((t) => tools[t]))];
  console.error(`missing tools: ${[...missing].join(', ')}`);
  console.error(`install them with: apt-get update && apt-get install -y ${pkgs.join(' ')}`);
  console.error('(.ci/run does this on a fresh machine)');
  process.exit(1);
}

const env = { ...process.env, NODE_PATH: process.env.NODE_PATH || '/usr/share/nodejs' };
const summary = [];
for (const l of selected) {
  const t0 = Date.now();
  console.log(`\n=== ${l.name}: ${l.what}`);
  let ok = true;
  for (const [cmd, argv] of l.run) {
    const r = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', env });
    if (r.status !== 0) {
      ok = false;
      console.error(`=== ${l.name}: '${cmd} ${argv.join(' ')}' failed (exit ${r.status ?? r.signal})`);
      break;
    }
  }
  summary.push(`${ok ? 'PASS' : 'FAIL'} ${l.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  if (!ok) break;
}
console.log('\n' + summary.join('\n'));
process.exit(summary.every((s) => s.startsWith('PASS')) && summary.length === selected.length ? 0 : 1);
