// cfuture-module.d.ts: types of `cfuture/cfuture.mjs` and `cfuture/fibers`, the
// prebuilt modules' Emscripten factories (loadRuntime({ moduleFactory }) takes them).
import type { ModuleFactory } from './index.js';

declare const createCfutureModule: ModuleFactory;
export default createCfutureModule;
