// inline.mjs: the cfuture JS API with the prebuilt module's .wasm inlined
// (base64, dist/cfuture.wasm-inline.mjs). The package's default export
// condition: bundlers that do not emit new URL('….wasm', import.meta.url)
// assets (esbuild, Rollup without plugins) and development builds get it;
// `cfuture/inline` names it explicitly. Base64 is 4/3 of the .wasm's size
// (about +28% after gzip) compared with index.mjs plus the separate .wasm.
import createCfutureModule from '../dist/cfuture.web.mjs';
import wasmBase64 from '../dist/cfuture.wasm-inline.mjs';
import { loadWith } from './load.mjs';
import { browserPlatform, fromBase64 } from './load-browser.mjs';

export { Runtime, CFutureError, JsHandle, createRuntime } from './runtime.mjs';

let bytes = null;
const browser = browserPlatform({
  factory: createCfutureModule,
  wasmBytes: () => (bytes ??= fromBase64(wasmBase64))
});

/** Load a cfuture module and create a runtime on it (see index.d.ts). */
export function loadRuntime(options) {
  return loadWith(browser, options);
}

export default loadRuntime;
