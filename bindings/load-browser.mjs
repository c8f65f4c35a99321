// load-browser.mjs: finding the module in browsers, workers and bundles
// (no Node APIs; bindings/index.mjs uses it outside Node).
//
// The default module is imported with literal specifiers so that bundlers
// follow them: they bundle dist/cfuture.web.mjs and, seeing
// new URL('../dist/cfuture.wasm', import.meta.url) below (and the same
// file in the glue), emit the .wasm and rewrite the URL (Vite, webpack,
// Parcel). A bundler that does not emit such assets (esbuild, Rollup
// without plugins) leaves the URL pointing next to its bundle, where there
// is no .wasm: then the .wasm comes from dist/cfuture.wasm-inline.mjs
// (base64), which those bundlers inline and the others emit as a chunk
// that is never loaded.
//
// A user's `module` (and `wasm`) is a URL: absolute, or relative to the
// document (document.baseURI; in a worker, its location), like fetch().
// Its import() is marked so that bundlers leave it alone.
import { factoryOf, moduleOptions } from './load.mjs';

function base() {
  if (typeof document === 'object' && document && document.baseURI) return document.baseURI;
  if (typeof self === 'object' && self && self.location) return self.location.href;
  return undefined;
}

function toURL(spec, key) {
  if (spec instanceof URL) return spec;
  try {
    return new URL(spec, base());
  } catch {
    throw new TypeError(`cfuture: loadRuntime option "${key}": cannot make a URL of ${JSON.stringify(spec)}` +
      ' (no document or worker location to resolve it against: pass an absolute URL)');
  }
}

// Where the default .wasm is, or null when this code runs inside a bundle
// whose bundler did not emit it (see above).
function emittedWasmURL() {
  let u;
  try {
    u = new URL('../dist/cfuture.wasm', import.meta.url);
  } catch {
    return null; // no import.meta.url (e.g. an esbuild IIFE bundle)
  }
  if (!/\/dist\/cfuture\.wasm$/.test(u.pathname)) return u.href; // rewritten by the bundler
  // Not rewritten: right only where this file is served as it is.
  return /\/bindings\/load-browser\.mjs$/.test(new URL(import.meta.url).pathname) ? u.href : null;
}

function fromBase64(s) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(s);
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export const browserPlatform = {
  async resolve(o) {
    const mo = moduleOptions(o);
    let factory;
    if (o.moduleFactory) {
      factory = o.moduleFactory;
    } else if (o.module !== undefined) {
      const url = toURL(o.module, 'module').href;
      factory = factoryOf(await import(/* webpackIgnore: true */ /* @vite-ignore */ url), url);
    } else {
      factory = factoryOf(await import('../dist/cfuture.web.mjs'), 'cfuture.web.mjs');
      if (!mo.wasmBinary && o.wasm === undefined && !mo.locateFile) {
        const url = emittedWasmURL();
        if (url) {
          mo.locateFile = (name) => (name.endsWith('.wasm') ? url : name);
        } else {
          mo.wasmBinary = fromBase64((await import('../dist/cfuture.wasm-inline.mjs')).default);
          mo.locateFile = (name) => name; // never fetched: wasmBinary is set
        }
      }
    }
    if (o.wasm !== undefined && !mo.wasmBinary && !mo.locateFile) {
      const url = toURL(o.wasm, 'wasm').href;
      mo.locateFile = (name) => (name.endsWith('.wasm') ? url : name);
    }
    return { factory, moduleOptions: mo };
  }
};
