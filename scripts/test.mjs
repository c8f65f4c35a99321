#!/usr/bin/env node
// scripts/test.mjs: the one test command (`npm test`).
// Runs the layers in order (native C, wasm in Node, browser, package) and
// stops at the first failing layer. Before running anything it sets up
// what the selected layers need (scripts/bootstrap.mjs): npm ci when
// node_modules is missing or stale, Debian packages through apt-get when
// running as root on a Debian-like system; otherwise it stops with the
// exact command to run.
//
//   npm test                          all layers
//   npm test -- --only native,node    some layers
//   CF_FUZZ_SECONDS=10 npm test       shorter fuzzing
//   CF_TEST_TIMEOUT_MS=600000 npm test  per-test time limit of the node --test layers
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { ensureSetup } from './bootstrap.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const onlyArg = args.indexOf('--only');
const only = onlyArg >= 0 ? new Set((args[onlyArg + 1] ?? '').split(',').filter(Boolean)) : null;

// Every test has a time limit: node --test fails a test that runs longer
// (a hang fails, it does not stall CI). Tests may set a tighter one.
const testTimeout = String(Number(process.env.CF_TEST_TIMEOUT_MS) || 300_000);
const nodeTest = (...dirs) => ['node', ['--test', '--test-concurrency=1', `--test-timeout=${testTimeout}`,
  '--unhandled-rejections=strict', ...dirs]];

const layers = [
  {
    name: 'native',
    what: 'native C suite: static analysis, ctest, ASan+UBSan, valgrind, fuzzers, TSan',
    needs: ['cmake', 'make', 'gcc', 'clang', 'clang-rt', 'llvm', 'valgrind', 'clang-tidy', 'cppcheck', 'clang-format', 'emscripten_headers'],
    run: [['bash', ['scripts/test-native.sh']]],
  },
  {
    name: 'node',
    what: 'wasm build and Node tests',
    needs: ['cmake', 'make', 'emcc'],
    npm: true,
    run: [['node', ['scripts/build-wasm.mjs']], nodeTest('tests/node/')],
  },
  {
    name: 'wasm-asan',
    what: 'the Node suite once more on an ASan+UBSan wasm build',
    needs: ['cmake', 'make', 'emcc'],
    npm: true,
    run: [['node', ['scripts/test-wasm-asan.mjs']]],
  },
  {
    name: 'browser',
    what: 'demo page in Chromium',
    needs: ['cmake', 'make', 'emcc', 'chromium'],
    npm: true,
    run: [nodeTest('tests/browser/')],
  },
  {
    name: 'package',
    what: 'npm pack; the tarball in Vite, esbuild, webpack, an import map, a worker (Chromium) and TypeScript',
    needs: ['cmake', 'make', 'emcc', 'chromium'],
    npm: true,
    run: [nodeTest('tests/package/')],
  },
];

if (only) {
  const unknown = [...only].filter((n) => !layers.some((l) => l.name === n));
  if (unknown.length || !only.size) {
    console.error(`unknown layer(s): ${unknown.join(', ') || '(none given)'}; layers: ${layers.map((l) => l.name).join(', ')}`);
    process.exit(2);
  }
}
const selected = layers.filter((l) => !only || only.has(l.name));
ensureSetup({ need: selected.flatMap((l) => l.needs), npm: selected.some((l) => l.npm), who: 'npm test' });

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
