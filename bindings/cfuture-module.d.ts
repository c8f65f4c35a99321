// cfuture-module.d.ts: types of `cfuture/cfuture.mjs`, the prebuilt
// module's Emscripten factory (loadRuntime({ moduleFactory }) takes it).
import type { ModuleFactory } from './index.js';

declare const createCfutureModule: ModuleFactory;
export default createCfutureModule;
