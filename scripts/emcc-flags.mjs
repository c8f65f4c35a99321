#!/usr/bin/env node
// emcc-flags.mjs: the emcc flags that link a user's C async functions with
// cfuture into an ES module loadable by loadRuntime({ module }). Works from
// a checkout (after npm run build:wasm) and from the installed package
// (npx cfuture-emcc-flags):
//
//   emcc -O2 my.c $(npx cfuture-emcc-flags) -o my.mjs
//   NODE_PATH=/usr/share/nodejs is needed by Debian's emcc (see README).
//
//   --cflags  only the compile flags (-I...)
//   --libs    only the link flags
//   --json    all flags as a JSON array (for build scripts)
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function cfutureFlags({ cflags = true, libs = true } = {}) {
  const out = [];
  if (cflags) out.push(`-I${path.join(root, 'include')}`);
  if (libs) {
    const lib = ['dist/libcfuture.a', 'build-wasm/libcfuture.a']
      .map((p) => path.join(root, p)).find((p) => existsSync(p));
    if (!lib) throw new Error('cfuture: libcfuture.a not found (run npm run build:wasm)');
    const exportsList = readFileSync(path.join(root, 'bindings/gen/exports.txt'), 'utf8')
      .split('\n').map((s) => s.trim()).filter(Boolean);
    const libDir = path.join(root, 'bindings/lib');
    const jsLibs = [path.join(root, 'bindings/gen/contract_lib.js'),
      ...readdirSync(libDir).filter((f) => f.endsWith('.js')).sort().map((f) => path.join(libDir, f))];
    out.push(lib,
      '-sMODULARIZE=1', '-sEXPORT_ES6=1', '-sEXPORT_NAME=createCfutureModule', '--no-entry',
      '-sALLOW_MEMORY_GROWTH=1', '-sENVIRONMENT=web,worker,node',
      // a library must not install process-wide handlers in Node
      '-sNODEJS_CATCH_EXIT=0', '-sNODEJS_CATCH_REJECTION=0',
      `-sEXPORTED_FUNCTIONS=${exportsList.join(',')}`,
      ...jsLibs.flatMap((l) => ['--js-library', l]),
      '--extern-pre-js', path.join(root, 'bindings/node_shim.js'));
  }
  return out;
}

// Run as a command (also through node_modules/.bin symlinks)?
if (process.argv[1] && realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1])) {
  const a = process.argv.slice(2);
  const flags = cfutureFlags({ cflags: !a.includes('--libs'), libs: !a.includes('--cflags') });
  console.log(a.includes('--json') ? JSON.stringify(flags) : flags.map((f) => (/[\s'"$]/.test(f) ? `'${f}'` : f)).join(' '));
}
