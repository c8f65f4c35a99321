// node.mjs: the cfuture JS API in Node (the package's `node` export
// condition): index.mjs's API with the Node loader imported statically.
import { loadWith } from './load.mjs';
import { nodePlatform } from './load-node.mjs';

export { Runtime, CFutureError, JsHandle, createRuntime } from './runtime.mjs';

/** Load a cfuture module and create a runtime on it (see index.d.ts). */
export function loadRuntime(options) {
  return loadWith(nodePlatform, options);
}

export default loadRuntime;
