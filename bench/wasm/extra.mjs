// extra.mjs: W8 footprint, called by build.mjs after the bench module.
// Links the cfuture runtime alone at -Os (the library compiled at -Os, the
// bindings' JS library, the default module's exports, nothing else), and
// writes build/size.json {runtime_raw, runtime_gzip} (bytes of .wasm).
// The compute-kernel comparison against an Asyncify build is not built yet
// (bench/README.md lists it as missing).
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export async function buildExtra({ out, emcc, buildLib, moduleFlags, stale }) {
  const libOs = buildLib('-Os');
  const stub = join(out, 'size_stub.c');
  if (!existsSync(stub)) writeFileSync(stub, '/* the runtime alone */\ntypedef int cfb_unit_;\n');
  const mod = join(out, 'size-runtime.mjs');
  if (stale(mod, [libOs, stub])) {
    emcc(['-Os', stub, libOs, ...moduleFlags.filter((f) => f !== '-sMAXIMUM_MEMORY=4GB'), '-o', mod]);
  }
  const wasm = readFileSync(mod.replace(/\.mjs$/, '.wasm'));
  const size = { runtime_raw: wasm.length, runtime_gzip: gzipSync(wasm, { level: 9 }).length, runtime_module: 'size-runtime.wasm', built: new Date(statSync(mod).mtimeMs).toISOString() };
  writeFileSync(join(out, 'size.json'), JSON.stringify(size, null, 1) + '\n');
  console.log(`bench/wasm/build: runtime -Os ${size.runtime_raw} B (gzip ${size.runtime_gzip} B)`);
}
