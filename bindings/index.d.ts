// index.d.ts: types of the cfuture JS API (bindings/index.mjs).

/** An Emscripten module factory (the default export of a cfuture .mjs). */
export type ModuleFactory = (options?: Record<string, unknown>) => Promise<CfutureModule>;

/** The instantiated Emscripten module (what loadRuntime built on). */
export interface CfutureModule {
  HEAPU8: Uint8Array;
  cfuture: unknown;
  [exported: string]: unknown;
}

/** A function C can await with cf_js_call_init: its JSON arguments are
 * spread, followed by { signal } (aborted when the C future is dropped). */
export type HostFunction = (...args: any[]) => unknown;

export interface LoadOptions {
  /** URL or path of a cfuture-linked .mjs (default: the prebuilt module). */
  module?: string | URL;
  /** The module factory itself (instead of `module`). */
  moduleFactory?: ModuleFactory;
  /** URL or path of the .wasm (default: next to the .mjs). */
  wasm?: string | URL;
  /** The .wasm bytes. */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Emscripten's locateFile hook. */
  locateFile?: (path: string, prefix: string) => string;
  /** C stdout, line by line. */
  print?: (line: string) => void;
  /** C stderr, line by line. */
  printErr?: (line: string) => void;
  /** Host functions C can await. */
  host?: Record<string, HostFunction>;
  /** Task polls per executor turn (default 256). */
  budgetPolls?: number;
  /** Time slice per turn in ms (default 8). */
  budgetMs?: number;
  /** Cooperative budget per poll (default 128). */
  coopBudget?: number;
}

export interface CallOptions {
  /** Aborting it aborts the C task; the call rejects with an AbortError. */
  signal?: AbortSignal;
}

/** Argument of an exported C async function: numbers (and bigints,
 * booleans) arrive as numbers, strings as UTF-8, bytes as bytes, anything
 * else as JSON text. */
export type CallArg = number | bigint | boolean | string | Uint8Array | ArrayBuffer | ArrayBufferView | null | undefined | object;

export type TaskState = 'idle' | 'queued' | 'running' | 'finished' | 'canceled' | 'unknown';

export interface TaskInfo {
  id: number;
  name: string | null;
  state: TaskState;
  /** Name of the innermost future the task awaits, or null. */
  awaits: string | null;
  polls: number;
  wakes: number;
  spawnedAt: number;
  rc: number;
}

export interface RuntimeStats {
  liveTasks: number;
  queuedTasks: number;
  liveWakers: number;
  liveTimers: number;
  hostHolds: number;
  polls: number;
  wakes: number;
  turns: number;
  timerArms: number;
  now: number;
  /** Live entries of the host-op table (ops and value handles). */
  hostOps: number;
  heapBytes: number;
  hostTimerArmed: 0 | 1;
  alive: number;
}

/** The runtime's virtual clock (tokio's time::pause). */
export interface Clock {
  readonly paused: boolean;
  now(): number;
  pause(): void;
  resume(): void;
  /** Advance a paused clock by ms, firing due timers in order. */
  advance(ms: number): Promise<void>;
}

/** Rejection of rt.call when the C function finished with rc < 0. */
export declare class CFutureError extends Error {
  /** cf_err_name(rc), e.g. "CF_ETIMEDOUT". */
  readonly code: string;
  /** The negative CF_E* value. */
  readonly errno: number;
  constructor(code: string, errno: number, message: string);
}

export declare class Runtime {
  readonly module: CfutureModule;
  readonly clock: Clock;
  readonly pointer: number;
  readonly disposed: boolean;
  /** Call an exported C async function (CF_EXPORT_ASYNC). */
  call<T = unknown>(name: string, ...args: [...CallArg[], CallOptions] | CallArg[]): Promise<T>;
  /** Register a host function C can await. */
  host(name: string, fn: HostFunction): this;
  /** Hand a value (usually a Promise) to C for cf_promise_init. */
  handle(value: unknown): number;
  /** Release a handle C never consumed. */
  releaseHandle(handle: number): void;
  /** Snapshot of the live tasks. */
  tasks(): TaskInfo[];
  stats(): RuntimeStats;
  /** Free the runtime; pending calls reject with CF_ECANCELED. */
  dispose(): void;
}

export declare function loadRuntime(options?: LoadOptions): Promise<Runtime>;
export default loadRuntime;
