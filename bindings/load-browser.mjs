// load-browser.mjs: finding the module in browsers, workers and bundles
// (no Node APIs). index.mjs and inline.mjs make a platform from it with
// their own copy of the prebuilt module: its .wasm by URL (bundlers that
// emit new URL('….wasm', import.meta.url) assets) or inlined as base64
// (those that do not). Both import the prebuilt module statically: a
// dynamic import() would split the bundle, which Vite's default (IIFE)
// worker format refuses.
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

/** Decode base64 text to bytes. */
export function fromBase64(s) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(s);
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * A platform for loadWith. prebuilt: { factory, wasmURL() } or
 * { factory, wasmBytes() }: the default module and where its .wasm is.
 */
export function browserPlatform(prebuilt) {
  return {
    async resolve(o) {
      const mo = moduleOptions(o);
      let factory;
      if (o.moduleFactory) {
        factory = o.moduleFactory;
      } else if (o.module !== undefined) {
        const url = toURL(o.module, 'module').href;
        factory = factoryOf(await import(/* webpackIgnore: true */ /* @vite-ignore */ url), url);
      } else if (o.threads) { // the threaded flavour: shared memory needs cross-origin isolation
        if (globalThis.crossOriginIsolated !== true) {
          throw new Error('cfuture: loadRuntime({ threads: true }) needs a cross-origin-isolated page ' +
            '(serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp; docs/threads.md)');
        }
        // The URL is built at run time on purpose: new URL('…', import.meta.url)
        // makes Vite and webpack emit the threaded module (with its Node code paths) into
        // every browser bundle. Unbundled (import maps, plain pages) it resolves next to
        // this file; with a bundler, serve dist/threads/ yourself and pass `module`.
        const here = import.meta.url; // not literally new URL(…, import.meta.url): see above
        const url = new URL(['..', 'dist', 'threads', 'cfuture.threads.mjs'].join('/'), here).href;
        factory = factoryOf(await import(/* webpackIgnore: true */ /* @vite-ignore */ url), url);
      } else {
        factory = prebuilt.factory;
        if (!mo.wasmBinary && o.wasm === undefined && !mo.locateFile) {
          if (prebuilt.wasmBytes) {
            mo.wasmBinary = prebuilt.wasmBytes();
            mo.locateFile = (name) => name; // never fetched: wasmBinary is set
          } else {
            const url = prebuilt.wasmURL();
            mo.locateFile = (name) => (name.endsWith('.wasm') ? url : name);
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
}
