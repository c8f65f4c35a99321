#!/usr/bin/env node
// build-wasm.mjs: configure and build the wasm modules in build-wasm/
// (emcmake cmake, Release, -Werror) and copy the prebuilt module, the
// static library and its JS files to dist/ (what the npm package ships).
// Debian's emcc needs NODE_PATH=/usr/share/nodejs to find acorn; set here.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const build = path.resolve(root, process.env.CF_WASM_BUILD_DIR || 'build-wasm');
const jobs = process.env.CF_JOBS || '2';
const env = { ...process.env, NODE_PATH: process.env.NODE_PATH || '/usr/share/nodejs' };

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env });
  if (r.status !== 0) {
    console.error(`build-wasm: '${cmd} ${args.join(' ')}' failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

// Say exactly what is missing rather than failing with ENOENT.
const need = { emcmake: 'emscripten', cmake: 'cmake', make: 'make' };
const missing = Object.keys(need).filter(
  (c) => spawnSync('sh', ['-c', `command -v ${c}`], { stdio: 'ignore' }).status !== 0);
if (missing.length) {
  console.error(`build-wasm: missing ${missing.join(', ')}; install with: ` +
    `apt-get install -y ${[...new Set(missing.map((c) => need[c]))].join(' ')}`);
  process.exit(1);
}

run('emcmake', ['cmake', '-S', '.', '-B', build, '-DCMAKE_BUILD_TYPE=Release', '-DCF_WERROR=ON', '-DCF_TESTS=OFF']);
run('cmake', ['--build', build, '-j', jobs]);
mkdirSync(path.join(root, 'dist'), { recursive: true });
for (const f of ['cfuture.mjs', 'cfuture.wasm', 'libcfuture.a'])
  copyFileSync(path.join(build, f), path.join(root, 'dist', f));
console.log(`build-wasm: dist/cfuture.mjs, dist/cfuture.wasm (${statSync(path.join(root, 'dist/cfuture.wasm')).size} bytes), dist/libcfuture.a`);
