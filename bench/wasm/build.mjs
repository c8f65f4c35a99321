// build.mjs: builds the wasm bench modules into bench/wasm/build/.
//
//   node bench/wasm/build.mjs [--force]
//
// cfbench.mjs/.wasm   the cfuture static library (compiled here from src/,
//                     -O3, into build/libcfuture.a) + bench/wasm/cfb_wasm.c,
//                     linked with the same flags as wasm.cmake's
//                     cfuture_add_module (the bindings' JS library and shim).
// size-*.wasm         W8 footprint (bench/wasm/size_runtime.c at -Os).
// kernel-cfuture.mjs  W8 compute kernel with the runtime linked, and
// asyncify.mjs        the same kernel and W4's awaits with -sASYNCIFY
//                     (bench/wasm/kernel.c); see extra.mjs.
// Needs Debian's emscripten (emcc 3.1.6); NODE_PATH is set for it. Exits 3
// when emcc or the bindings are missing (run.mjs then reports wasm rows as
// missing).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const out = join(here, 'build');
const force = process.argv.includes('--force');
const env = { ...process.env, NODE_PATH: process.env.NODE_PATH || '/usr/share/nodejs' };

function have(cmd) {
  try { execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }); return true; } catch { return false; }
}
// The JS side of the contract is generated from the C sources (bindings/gen/).
execFileSync(process.execPath, [join(root, 'scripts', 'gen-contract.mjs')], { stdio: 'inherit' });
// The module link flags come from the project's one list (scripts/emcc-flags.json).
const { linkFlags, jsLibraries, exportedFunctions } = await import(join(root, 'scripts', 'emcc-flags.mjs'));
const jsLibs = jsLibraries();
if (!have('emcc') || !jsLibs.every((f) => existsSync(f))) {
  console.error('bench/wasm/build: emcc or the bindings\' JS libraries missing');
  process.exit(3);
}
mkdirSync(out, { recursive: true });

const list = (d) => existsSync(d) ? readdirSync(d).filter((f) => f.endsWith('.c')).map((f) => join(d, f)) : [];
const coreSrc = [...list(join(root, 'src')), ...list(join(root, 'src', 'sync')), ...list(join(root, 'src', 'wasm'))];
// The library's private headers are dependencies too (runtime_internal.h,
// spare.h, ...): a change there must rebuild it.
const coreHeaders = ['src', 'src/sync', 'src/wasm'].flatMap((d) =>
  readdirSync(join(root, d)).filter((f) => f.endsWith('.h')).map((f) => join(root, d, f)));
const newest = (files) => Math.max(...files.map((f) => statSync(f).mtimeMs));
const stale = (target, deps) => force || !existsSync(target) || statSync(target).mtimeMs < newest(deps);

function emcc(args) {
  execFileSync('emcc', args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
}
const warn = ['-std=c11', '-Wall', '-Wextra'];

// The library, compiled from src/ at a given optimisation level (plus
// extra flags, e.g. -flto, which also name the archive).
function buildLib(opt, extra = []) {
  const tag = opt + extra.join('');
  const a = join(out, `libcfuture${tag}.a`);
  const headers = [...readdirSync(join(root, 'include', 'cfuture')).map((f) => join(root, 'include', 'cfuture', f))];
  if (!stale(a, [...coreSrc, ...coreHeaders, ...headers])) return a;
  const objDir = join(out, `obj${tag}`);
  mkdirSync(objDir, { recursive: true });
  const objs = coreSrc.map((src) => {
    const o = join(objDir, relative(root, src).replace(/[\/]/g, '_') + '.o');
    emcc([...warn, opt, ...extra, '-Iinclude', '-Isrc', '-c', src, '-o', o]);
    return o;
  });
  execFileSync('emar', ['rcs', a, ...objs], { env });
  return a;
}

const exportsList = exportedFunctions();
// Bench-only on top of the list: room for the 100k-task workloads.
const moduleFlags = [...linkFlags(), '-sMAXIMUM_MEMORY=4GB'];

// -O3 with LTO: the prebuilt module is LTO too (emcc-flags.json "prebuilt"),
// and a user's CMake build gets it with -flto or
// CMAKE_INTERPROCEDURAL_OPTIMIZATION. Measured (bench/README.md, W4): the
// executor's small functions inline across files; w4seq -9.5%, W2 wasm
// 25-44 -> 16-22 ns/wake.
const libO3 = buildLib('-O3', ['-flto']);
const benchSrc = [join(here, 'cfb_wasm.c')];
const benchDeps = [libO3, ...benchSrc, join(here, '..', 'common', 'cfb.h'), join(here, '..', 'common', 'cfb_w3.h'), ...jsLibs, join(root, 'scripts', 'emcc-flags.json')];
const benchOut = join(out, 'cfbench.mjs');
if (stale(benchOut, benchDeps)) {
  emcc([...warn, '-O3', '-flto', '-Iinclude', ...benchSrc, libO3, ...moduleFlags, '-o', benchOut]);
}
console.log(`bench/wasm/build: ${relative(root, benchOut)}`);

// Optional pieces (W4 Asyncify baseline, W8 footprint): built by extra.mjs
// when present, and never fatal for the main module.
const extra = join(here, 'extra.mjs');
if (existsSync(extra)) {
  try {
    await (await import(extra)).buildExtra({ root, out, env, emcc, buildLib, moduleFlags, stale, force, libO3, exportsList });
  } catch (e) {
    console.error(`bench/wasm/build: extra modules failed: ${e.message}`);
  }
}
