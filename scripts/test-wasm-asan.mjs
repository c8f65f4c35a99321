#!/usr/bin/env node
// test-wasm-asan.mjs: the Node suite once more, against a wasm build of the
// test module with -fsanitize=address,undefined (build-wasm-asan/). Finds
// use-after-free and UB in the wasm build itself, e.g. from re-entrant
// teardown at the JS boundary. Timing tests skip (CF_TEST_SANITIZED=1).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const build = path.join(root, 'build-wasm-asan');
const env = { ...process.env, NODE_PATH: process.env.NODE_PATH || '/usr/share/nodejs' };

function run(cmd, args, extraEnv = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } });
  if (r.status !== 0) {
    console.error(`test-wasm-asan: '${cmd} ${args.join(' ')}' failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

run('emcmake', ['cmake', '-S', '.', '-B', build, '-DCMAKE_BUILD_TYPE=Debug', '-DCF_SANITIZE=ON', '-DCF_WERROR=ON', '-DCF_TESTS=OFF']);
run('cmake', ['--build', build, '-j', process.env.CF_JOBS || '2', '--target', 'cfuture_test']);
run(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=120000', '--unhandled-rejections=strict', 'tests/node/'], {
  CF_TEST_MODULE: path.join(build, 'cfuture_test.mjs'),
  CF_TEST_SANITIZED: '1'
});
