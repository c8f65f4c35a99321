// index.mjs: the cfuture JS API (Node and browsers).
//
// loadRuntime() instantiates a cfuture-linked Emscripten module (the
// prebuilt dist/cfuture.mjs by default, or the user's own) and creates one C
// runtime on it, driven by the JS event loop (bindings/cfuture_lib.js).
// This file only finds and instantiates the module; the Runtime class
// lives in runtime.mjs.
import { Runtime, CFutureError, JsHandle, createRuntime } from './runtime.mjs';

const isNode = typeof process === 'object' && process.versions != null &&
  process.versions.node != null;

export { Runtime, CFutureError, JsHandle, createRuntime };

async function readFileBytes(where) {
  const { readFile } = await import('node:fs/promises');
  const { fileURLToPath } = await import('node:url');
  const path = where instanceof URL || /^file:/.test(String(where)) ? fileURLToPath(String(where)) : String(where);
  return new Uint8Array(await readFile(path));
}

function toURL(spec) {
  if (spec instanceof URL) return spec;
  if (/^[a-z][a-z0-9+.-]*:/i.test(spec)) return new URL(spec);
  if (isNode) return new URL(`file://${spec.startsWith('/') ? '' : process.cwd() + '/'}${spec}`);
  return new URL(spec, globalThis.location?.href);
}

// Resolve the module factory and, in Node, the wasm bytes (Emscripten
// 3.1.6 would try fetch() on a file URL there, which Node lacks).
async function resolveModule(options) {
  let factory = options.moduleFactory;
  let moduleURL = null;
  if (!factory) {
    moduleURL = options.module ? toURL(options.module) : new URL('../dist/cfuture.mjs', import.meta.url);
    factory = (await import(moduleURL.href)).default;
  }
  if (typeof factory !== 'function') throw new TypeError('cfuture: the module does not export a factory');
  const modOpts = {};
  if (options.print) modOpts.print = options.print;
  if (options.printErr) modOpts.printErr = options.printErr;
  if (options.locateFile) modOpts.locateFile = options.locateFile;
  if (options.wasmBinary) {
    modOpts.wasmBinary = options.wasmBinary;
  } else if (isNode) {
    let wasmURL = null;
    if (options.wasm) wasmURL = toURL(options.wasm);
    else if (options.locateFile) wasmURL = toURL(options.locateFile(moduleURL ? moduleURL.pathname.split('/').pop().replace(/\.m?js$/, '.wasm') : 'cfuture.wasm', ''));
    else if (moduleURL) wasmURL = new URL(moduleURL.href.replace(/\.m?js$/, '.wasm'));
    if (wasmURL) modOpts.wasmBinary = await readFileBytes(wasmURL);
  } else if (options.wasm && !options.locateFile) {
    const url = toURL(options.wasm).href;
    modOpts.locateFile = (name) => (name.endsWith('.wasm') ? url : name);
  }
  return factory(modOpts);
}

/**
 * Load a cfuture module and create a runtime on it.
 * options: module (URL/path of a user .mjs), moduleFactory, wasm (URL/path
 * of its .wasm), wasmBinary, locateFile, print, printErr, host (functions C
 * can await), budgetPolls, budgetMs, coopBudget.
 */
export async function loadRuntime(options = {}) {
  const module = await resolveModule(options);
  return createRuntime(module, options);
}

export default loadRuntime;
