#!/usr/bin/env node
// emcc-flags.mjs: the emcc flags that link a user's C async functions with
// cfuture into an ES module loadable by loadRuntime({ module }). The flags
// themselves, each with its reason, live in scripts/emcc-flags.json (also
// read by wasm.cmake and bench/wasm/build.mjs); this file expands them.
// Works from a checkout (after npm run build:wasm) and from the installed
// package (npx cfuture-emcc-flags):
//
//   emcc -O2 my.c $(npx cfuture-emcc-flags) -o my.mjs
//   (Debian's emcc also needs NODE_PATH=/usr/share/nodejs in the environment)
//
//   --cflags  only the compile flags (-I...)
//   --libs    only the link flags (the static library and the module flags)
//   --json    all flags as a JSON array (for build scripts)
//   --explain every link flag with its reason
//   --fibers  a module with fiber tasks (include/cfuture/fiber.h): adds the
//             "fibers" list (-sASYNCIFY ...); without it modules stay
//             Asyncify-free
//   --threads the threaded flavour (cf_spawn_blocking; docs/threads.md):
//             -pthread objects, dist/threads/libcfuture.threads.a and the
//             flavour's own compile and link flags (emcc-flags.json)
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bindings = path.join(root, 'bindings');

/** The parsed scripts/emcc-flags.json. */
export function flagList() {
  return JSON.parse(readFileSync(path.join(root, 'scripts', 'emcc-flags.json'), 'utf8'));
}

// bindings/gen/ is generated from the C sources (scripts/gen-contract.mjs,
// run by CMake's configure step); the package ships it.
function generated(file) {
  const p = path.join(bindings, 'gen', file);
  if (!existsSync(p) && existsSync(path.join(root, 'scripts', 'gen-contract.mjs'))) {
    throw new Error(`cfuture: ${path.relative(root, p)} is generated: run npm run build:wasm (or node scripts/gen-contract.mjs)`);
  }
  return p;
}

/**
 * The JS libraries in link order: the generated bindings/gen/contract_lib.js,
 * then bindings/lib/*.js sorted by file name.
 */
export function jsLibraries() {
  const dir = path.join(bindings, 'lib');
  const libs = readdirSync(dir).filter((f) => f.endsWith('.js')).sort().map((f) => path.join(dir, f));
  return [generated('contract_lib.js'), ...libs];
}

/** The C functions the JS side calls (bindings/gen/exports.txt). */
export function exportedFunctions() {
  return readFileSync(generated('exports.txt'), 'utf8').split(/\s+/).filter(Boolean);
}

function expand(entries, vars, lists, environment) {
  const out = [];
  for (const e of entries) {
    if (e.env && !environment.split(',').includes(e.env)) continue;
    const values = e.forEach ? lists[e.forEach] : [null];
    if (!values) throw new Error(`emcc-flags.json: unknown forEach ${e.forEach}`);
    for (const v of values) {
      for (const a of e.args) {
        out.push(a.replace(/\$\{(\w+)\}/g, (m, name) => {
          if (name === e.forEach) return v;
          if (!(name in vars)) throw new Error(`emcc-flags.json: unknown placeholder ${m}`);
          return vars[name];
        }));
      }
    }
  }
  return out;
}

/**
 * The module link flags (without the static library) for a flavour
 * ('default': web,worker,node; 'web': web,worker), with optional reasons;
 * `fibers` adds the "fibers" list (Asyncify) for modules with fiber tasks.
 */
export function linkFlags({ flavour = 'default', explain = false, fibers = false } = {}) {
  const list = flagList();
  const f = list.flavours[flavour];
  if (!f) throw new Error(`cfuture: unknown flavour ${flavour} (${Object.keys(list.flavours).join(', ')})`);
  const vars = { bindings, exports: exportedFunctions().join(','), environment: f.environment };
  const lists = { jsLibrary: jsLibraries() };
  // a flavour's own link flags (threads) come last; fibers add Asyncify
  const entries = [...list.link, ...(f.link ?? []), ...(fibers ? list.fibers.link : [])];
  if (!explain) return expand(entries, vars, lists, f.environment);
  return entries.flatMap((e) => {
    const args = expand([e], vars, lists, f.environment);
    return args.length ? [{ args, why: e.why }] : [];
  });
}

// ---- flavours with their own library and compile flags (threads) ----
// The threaded flavour's library is compiled with -pthread (a shared-memory
// link refuses objects without atomics): dist/threads/libcfuture.threads.a
// in the package, build-wasm/libcfuture_threads.a in a checkout.
function libraryCandidates(f) {
  if (!f.library) return ['dist/libcfuture.a', 'build-wasm/libcfuture.a'];
  return [f.library, `build-wasm/${path.basename(f.library).replace('libcfuture.threads.a', 'libcfuture_threads.a')}`];
}
function flavourCompileFlags(f) {
  return (f.compile ?? []).flatMap((e) => e.args);
}

/** All flags a user's emcc command needs: -I, the static library and the link flags. */
export function cfutureFlags({ cflags = true, libs = true, flavour = 'default', fibers = false } = {}) {
  const out = [];
  const f = flagList().flavours[flavour];
  if (!f) throw new Error(`cfuture: unknown flavour ${flavour}`);
  if (cflags) out.push(`-I${path.join(root, 'include')}`, ...flavourCompileFlags(f));
  if (libs) {
    const lib = libraryCandidates(f).map((p) => path.join(root, p)).find((p) => existsSync(p));
    if (!lib) {
      throw new Error(`cfuture: libcfuture.a not found under ${root} (in a checkout, run: npm run build:wasm; ` +
        'an installed package ships dist/libcfuture.a, so reinstall it)');
    }
    out.push(lib, ...linkFlags({ flavour, fibers }));
  }
  return out;
}

// Run as a command (also through node_modules/.bin symlinks)?
if (process.argv[1] && realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1])) {
  const a = process.argv.slice(2);
  const known = ['--cflags', '--libs', '--json', '--explain', '--fibers', '--threads', '--help', '-h'];
  const flavour = a.includes('--threads') ? 'threads' : 'default';
  const fibers = a.includes('--fibers');
  const bad = a.filter((x) => !known.includes(x));
  if (bad.length || a.includes('--help') || a.includes('-h')) {
    (bad.length ? console.error : console.log)(`${bad.length ? `cfuture-emcc-flags: unknown argument ${bad[0]}\n` : ''}` +
      'usage: cfuture-emcc-flags [--cflags | --libs] [--json] [--explain] [--fibers] [--threads]\n' +
      '  emcc -O2 my.c $(npx cfuture-emcc-flags) -o my.mjs\n' +
      '  emcc -O2 my_fibers.c $(npx cfuture-emcc-flags --fibers) -o my_fibers.mjs   (fiber tasks: Asyncify)\n' +
      '  emcc -O2 my_pool.c $(npx cfuture-emcc-flags --threads) -o my_pool.mjs      (cf_spawn_blocking: -pthread)');
    process.exit(bad.length ? 2 : 0);
  }
  try {
    if (a.includes('--explain')) {
      for (const { args, why } of linkFlags({ flavour, explain: true, fibers })) console.log(`${args.join(' ')}\n    ${why}`);
    } else {
      const flags = cfutureFlags({ cflags: !a.includes('--libs'), libs: !a.includes('--cflags'), flavour, fibers });
      console.log(a.includes('--json') ? JSON.stringify(flags) : flags.map((f) => (/[\s'"$\\]/.test(f) ? `'${f.replace(/'/g, "'\\''")}'` : f)).join(' '));
    }
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
