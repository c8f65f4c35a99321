// load.mjs: what every entry shares (environment neutral, no Node
// imports): validate loadRuntime's options, let a platform (load-node.mjs
// or load-browser.mjs) find the module factory and its .wasm, instantiate
// the module and create the runtime on it.
import { createRuntime, LOADER_OPTIONS, RUNTIME_OPTIONS } from './runtime.mjs';

const isFn = (f) => typeof f === 'function';
const isURLish = (v) => typeof v === 'string' || v instanceof URL;
const isBytes = (v) => v instanceof ArrayBuffer || ArrayBuffer.isView(v);

function check(options) {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError('cfuture: loadRuntime(options): options must be an object');
  }
  const bad = (key, want) => {
    throw new TypeError(`cfuture: loadRuntime option "${key}" must be ${want}`);
  };
  const o = options;
  // Unknown keys fail here, before anything is downloaded (the runtime checks them too).
  for (const k of Object.keys(o)) {
    if (!LOADER_OPTIONS.includes(k) && !RUNTIME_OPTIONS.includes(k)) {
      throw new TypeError(`cfuture: unknown option "${k}" (accepted: ${[...LOADER_OPTIONS, ...RUNTIME_OPTIONS].join(', ')})`);
    }
  }
  if (o.module !== undefined && !isURLish(o.module)) bad('module', 'a URL or a string (URL or path)');
  if (o.moduleFactory !== undefined && !isFn(o.moduleFactory)) bad('moduleFactory', 'a function (the default export of a cfuture .mjs)');
  if (o.module !== undefined && o.moduleFactory !== undefined) {
    throw new TypeError('cfuture: loadRuntime options "module" and "moduleFactory" exclude each other');
  }
  if (o.wasm !== undefined && !isURLish(o.wasm)) bad('wasm', 'a URL or a string (URL or path)');
  if (o.wasmBinary !== undefined && !isBytes(o.wasmBinary)) bad('wasmBinary', 'an ArrayBuffer or a typed array');
  for (const k of ['locateFile', 'print', 'printErr']) if (o[k] !== undefined && !isFn(o[k])) bad(k, 'a function');
  if (o.host !== undefined && (o.host === null || typeof o.host !== 'object')) bad('host', 'an object of functions');
  // threads: the prebuilt threaded module (cf_spawn_blocking on Web Workers; docs/threads.md).
  if (o.threads !== undefined && typeof o.threads !== 'boolean') bad('threads', 'a boolean');
  return o;
}

/** The Emscripten module options every platform passes through. */
export function moduleOptions(o) {
  const m = {};
  if (o.print) m.print = o.print;
  if (o.printErr) m.printErr = o.printErr;
  if (o.locateFile) m.locateFile = o.locateFile;
  if (o.wasmBinary) m.wasmBinary = o.wasmBinary instanceof ArrayBuffer ? new Uint8Array(o.wasmBinary) : o.wasmBinary;
  return m;
}

/** The default export of an imported cfuture module, checked. */
export function factoryOf(ns, where) {
  const f = ns && ns.default;
  if (!isFn(f)) throw new TypeError(`cfuture: ${where} has no default export that is a module factory (link it with the flags of cfuture-emcc-flags)`);
  return f;
}

/**
 * Load with a platform: { resolve(options) -> { factory, moduleOptions } }.
 */
export async function loadWith(platform, options) {
  const o = check(options);
  const { factory, moduleOptions: mo } = await platform.resolve(o);
  const module = await factory(mo);
  return createRuntime(module, o);
}
