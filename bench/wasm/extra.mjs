// extra.mjs: the W8 and Asyncify modules, called by build.mjs after the
// bench module; writes build/size.json.
//
// W8 footprint. "The runtime" is what a C task needs to await a JS Promise
// and a timer through the bindings: the core executor, timers, the host-op
// and driver glue, the promise bridge and rt.call's export glue, plus the
// allocator. bench/wasm/size_runtime.c is that program (one exported async
// function awaiting a host Promise, then a sleep); it is linked at -Os with
// the bindings' JS library and only the exports the bindings need for it
// (no fetch, no inspector), and the .wasm is measured as emcc writes it
// (wasm-opt included). Three builds:
//   size-runtime.wasm      -Os -flto, -sMALLOC=emmalloc (the headline:
//                          Emscripten's size-oriented allocator)
//   size-runtime-dl.wasm   -Os -flto with the default dlmalloc
//   size-full.wasm         -Os, dlmalloc, every export of
//                          bindings/gen/exports.txt (what a default module is)
// size.json: {runtime_raw, runtime_gzip, runtime_dl_raw, runtime_dl_gzip,
// full_raw, full_gzip} in bytes (gzip -9). The headline module is loaded
// and called once here, so a size is only reported for a module that works.
//
// kernel-cfuture.mjs: bench/wasm/kernel.c + the -O3 library + the bindings
// (all exports); asyncify.mjs: kernel.c -DCFB_ASYNCIFY -sASYNCIFY -O3.
// bench/wasm/run_asyncify.mjs times them.
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const RUNTIME_EXPORTS = ['_cfw_runtime_new', '_cfw_runtime_free', '_cfw_runtime_turn',
  '_cfw_malloc', '_cfw_free', '_cfw_promise_done',
  '_cf_hostop_complete', '_cfw_args_new', '_cfw_args_set', '_cfw_args_free',
  '_cfw_call_start', '_cfw_call_abort'];

export async function buildExtra({ root, out, emcc, buildLib, moduleFlags, stale, libO3 }) {
  const here = join(root, 'bench', 'wasm');
  const lib = join(root, 'bindings', 'gen', 'contract_lib.js'); // relinks when the contract changes
  const base = moduleFlags.filter((f) => f !== '-sMAXIMUM_MEMORY=4GB');
  const withExports = (list) => base.map((f) => (f.startsWith('-sEXPORTED_FUNCTIONS=') ? `-sEXPORTED_FUNCTIONS=${list.join(',')}` : f));
  const libOs = buildLib('-Os');
  const libOsLto = buildLib('-Os', ['-flto']);
  const probe = join(here, 'size_runtime.c');
  const link = (name, libA, flags, exportsFlags) => {
    const mod = join(out, `${name}.mjs`);
    if (stale(mod, [libA, probe, lib])) emcc(['-Os', ...flags, '-Iinclude', probe, libA, ...exportsFlags, '-o', mod]);
    const wasm = readFileSync(mod.replace(/\.mjs$/, '.wasm'));
    return { mod, raw: wasm.length, gzip: gzipSync(wasm, { level: 9 }).length };
  };
  const rtm = link('size-runtime', libOsLto, ['-flto', '-sMALLOC=emmalloc'], withExports(RUNTIME_EXPORTS));
  const rtdl = link('size-runtime-dl', libOsLto, ['-flto'], withExports(RUNTIME_EXPORTS));
  const full = link('size-full', libOs, [], base);

  // It must work: one rt.call of the probe (a host Promise, then a 1 ms sleep).
  const { loadRuntime } = await import(join(root, 'bindings', 'index.mjs'));
  const rt = await loadRuntime({ module: rtm.mod, host: { val: () => Promise.resolve(7) } });
  const got = await rt.call('probe');
  rt.dispose();
  if (got !== 7) throw new Error(`size-runtime probe returned ${got}`);

  const size = {
    runtime_raw: rtm.raw, runtime_gzip: rtm.gzip,
    runtime_dl_raw: rtdl.raw, runtime_dl_gzip: rtdl.gzip,
    full_raw: full.raw, full_gzip: full.gzip,
    built: new Date(statSync(rtm.mod).mtimeMs).toISOString()
  };
  writeFileSync(join(out, 'size.json'), JSON.stringify(size, null, 1) + '\n');
  console.log(`bench/wasm/build: runtime -Os ${size.runtime_raw} B (gzip ${size.runtime_gzip} B); with dlmalloc ${size.runtime_dl_raw} B (gzip ${size.runtime_dl_gzip} B); all exports ${size.full_raw} B (gzip ${size.full_gzip} B)`);

  // W8 kernel and W4 Asyncify baseline.
  const kernel = join(here, 'kernel.c');
  const kmod = join(out, 'kernel-cfuture.mjs');
  if (stale(kmod, [libO3, kernel, lib])) emcc(['-O3', '-Iinclude', kernel, libO3, ...moduleFlags.map((f) => (f.startsWith('-sEXPORTED_FUNCTIONS=') ? `${f},_kernel` : f)), '-o', kmod]);
  const amod = join(out, 'asyncify.mjs');
  if (stale(amod, [kernel])) {
    emcc(['-O3', '-DCFB_ASYNCIFY', kernel, '-sASYNCIFY', '-sMODULARIZE=1', '-sEXPORT_ES6=1',
      '-sEXPORT_NAME=createAsyncifyModule', '--no-entry', '-sALLOW_MEMORY_GROWTH=1',
      '-sENVIRONMENT=web,worker,node', '-sEXPORTED_FUNCTIONS=_kernel,_w4seq_asyncify',
      '-sEXPORTED_RUNTIME_METHODS=ccall', '--extern-pre-js', join(root, 'bindings', 'node_shim.js'), '-o', amod]);
  }
  if (!existsSync(kmod) || !existsSync(amod)) throw new Error('kernel modules missing');
  console.log('bench/wasm/build: kernel-cfuture.mjs, asyncify.mjs');
}
