// load-node.mjs: finding the module in Node (fs, url; only reached through
// the package's `node` export condition, bindings/node.mjs, or lazily from
// bindings/index.mjs when it runs in Node; never part of a browser bundle).
//
// `module` and `wasm` are URLs (file:, http:) or absolute paths. A relative
// path is refused rather than resolved against process.cwd(): pass
// new URL('./my.mjs', import.meta.url) for a file next to yours.
// The .wasm is read from disk and passed as wasmBinary (Emscripten 3.1.6
// would fetch() its file: URL, which Node rejects): `wasm` if given, else
// the module's sibling <name>.wasm.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { factoryOf, moduleOptions } from './load.mjs';

function toURL(spec, key) {
  if (spec instanceof URL) return spec;
  if (/^[a-z][a-z0-9+.-]+:/i.test(spec)) return new URL(spec); // a URL (not a drive letter)
  if (path.isAbsolute(spec)) return pathToFileURL(spec);
  throw new TypeError(`cfuture: loadRuntime option "${key}" is the relative path ${JSON.stringify(spec)}; ` +
    `relative to what? Pass new URL(${JSON.stringify(spec)}, import.meta.url) for a file next to your code, ` +
    `or an absolute path (path.resolve(${JSON.stringify(spec)}) for one relative to the current directory)`);
}

async function bytesOf(url) {
  if (url.protocol === 'file:') return new Uint8Array(await readFile(url));
  const res = await fetch(url);
  if (!res.ok) throw new Error(`cfuture: cannot load ${url.href}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

function siblingWasm(url) {
  if (url.protocol !== 'file:' || !/\.m?js$/.test(url.pathname)) return null;
  const w = new URL(url.href.replace(/\.m?js$/, '.wasm'));
  return existsSync(fileURLToPath(w)) ? w : null;
}

export const nodePlatform = {
  async resolve(o) {
    const mo = moduleOptions(o);
    let factory, wasm = null;
    if (o.moduleFactory) {
      factory = o.moduleFactory;
    } else if (o.module !== undefined) {
      const url = toURL(o.module, 'module');
      factory = factoryOf(await import(url.href), url.href);
      wasm = siblingWasm(url);
    } else if (o.threads) { // the threaded flavour (threads.cmake), imported only when asked for
      factory = factoryOf(await import('../dist/threads/cfuture.threads.mjs'), 'threads/cfuture.threads.mjs');
      wasm = new URL('../dist/threads/cfuture.threads.wasm', import.meta.url);
    } else {
      factory = factoryOf(await import('../dist/cfuture.mjs'), 'cfuture.mjs');
      wasm = new URL('../dist/cfuture.wasm', import.meta.url);
    }
    if (o.wasm !== undefined) wasm = toURL(o.wasm, 'wasm');
    // A locateFile of the caller's decides where the .wasm is; otherwise read it here.
    if (!mo.wasmBinary && wasm && (o.wasm !== undefined || !mo.locateFile)) mo.wasmBinary = await bytesOf(wasm);
    return { factory, moduleOptions: mo };
  }
};
