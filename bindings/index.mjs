// index.mjs: the cfuture JS API for browsers and workers, unbundled (an
// import map, a CDN) or built by a bundler that emits
// new URL('….wasm', import.meta.url) assets (Vite, webpack: the package's
// `production` export condition). Also usable by path in Node.
//
// loadRuntime() instantiates a cfuture-linked Emscripten module (the
// prebuilt one by default, or the user's own) and creates one C runtime on
// it, driven by the JS event loop. The prebuilt module is imported
// statically and its .wasm referenced with a literal URL, so bundlers
// bundle the one and emit the other. In Node, the Node loader
// (load-node.mjs) is imported lazily with a specifier bundlers do not
// follow, so no Node code enters a browser bundle; Node's own entry (the
// `node` condition) is node.mjs. inline.mjs is the same API with the .wasm
// inlined, for bundlers that do not emit such assets. The Runtime class
// lives in runtime.mjs.
import createCfutureModule from '../dist/cfuture.web.mjs';
import { loadWith } from './load.mjs';
import { browserPlatform } from './load-browser.mjs';

export { Runtime, CFutureError, JsHandle, createRuntime } from './runtime.mjs';

const browser = browserPlatform({
  factory: createCfutureModule,
  wasmURL: () => new URL('../dist/cfuture.wasm', import.meta.url).href
});

const isNode = typeof process === 'object' && process !== null && process.versions != null &&
  process.versions.node != null && typeof window === 'undefined';
const NODE_LOADER = ['.', 'load-node.mjs'].join('/');
let nodePlatform = null;

/** Load a cfuture module and create a runtime on it (see index.d.ts). */
export async function loadRuntime(options) {
  if (!isNode) return loadWith(browser, options);
  nodePlatform ??= (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_LOADER)).nodePlatform;
  return loadWith(nodePlatform, options);
}

export default loadRuntime;
