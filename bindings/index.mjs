// index.mjs: the cfuture JS API, for browsers, workers and bundlers (the
// package's default export condition), and usable by path in Node too.
//
// loadRuntime() instantiates a cfuture-linked Emscripten module (the
// prebuilt one by default, or the user's own) and creates one C runtime on
// it, driven by the JS event loop. Finding the module is the platform's
// job: load-browser.mjs here; in Node, load-node.mjs, imported lazily with
// a specifier bundlers do not follow, so no Node code enters a browser
// bundle. (Node's own entry, through the `node` condition, is node.mjs.)
// The Runtime class lives in runtime.mjs.
import { loadWith } from './load.mjs';
import { browserPlatform } from './load-browser.mjs';

export { Runtime, CFutureError, JsHandle, createRuntime } from './runtime.mjs';

const isNode = typeof process === 'object' && process !== null && process.versions != null &&
  process.versions.node != null && typeof window === 'undefined';
const NODE_LOADER = ['.', 'load-node.mjs'].join('/');
let nodePlatform = null;

/** Load a cfuture module and create a runtime on it (see index.d.ts). */
export async function loadRuntime(options) {
  if (!isNode) return loadWith(browserPlatform, options);
  nodePlatform ??= (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_LOADER)).nodePlatform;
  return loadWith(nodePlatform, options);
}

export default loadRuntime;
