// index.d.ts: types of the cfuture JS API (bindings/index.mjs, node.mjs;
// index.d.cts is the same file for CommonJS `require('cfuture')`).

/** An Emscripten module factory (the default export of a cfuture .mjs). */
export type ModuleFactory = (options?: Record<string, unknown>) => Promise<CfutureModule>;

/** The instantiated Emscripten module (what loadRuntime built on). */
export interface CfutureModule {
  HEAPU8: Uint8Array;
  cfuture: unknown;
  [exported: string]: unknown;
}

/**
 * A function C can await with cf_js_call_init (registered per runtime): its
 * JSON arguments are spread, followed by `{ signal }` (aborted when the C
 * future is dropped; a function with an empty parameter list that never
 * mentions `arguments` cannot see it and is called without it). It may return a value or a Promise/thenable, throw or
 * reject with anything: nothing it does escapes into C. A throw or
 * rejection completes the C await with CF_EJS and the value's message (a
 * fixed text when even reading it throws); a value of the wrong type for
 * what C asked (number, string, bytes, JSON) is CF_EINVAL; a value whose
 * conversion throws (a cycle, a BigInt in JSON) is CF_EJS. The await always
 * completes exactly once. It may call rt.dispose(): the runtime is freed
 * when control returns from C. See docs/boundary.md.
 */
export type HostFunction = (...args: any[]) => unknown;

export interface LoadOptions {
  /**
   * The cfuture-linked .mjs to load instead of the prebuilt module. In
   * Node: a URL (file:, http:) or an absolute path; a relative path is a
   * TypeError (pass `new URL('./my.mjs', import.meta.url)` for a file next
   * to yours). In browsers and workers: a URL, relative ones resolve
   * against the document (`document.baseURI`) or the worker's location.
   */
  module?: string | URL;
  /** The module factory itself (instead of `module`). */
  moduleFactory?: ModuleFactory;
  /** URL or path of the .wasm (default: `<module name>.wasm` next to the .mjs). */
  wasm?: string | URL;
  /** The .wasm bytes. */
  wasmBinary?: ArrayBuffer | ArrayBufferView;
  /** Emscripten's locateFile hook. */
  locateFile?: (path: string, prefix: string) => string;
  /** C stdout, line by line. */
  print?: (line: string) => void;
  /** C stderr, line by line. */
  printErr?: (line: string) => void;
  /** Load the prebuilt threaded module (cf_spawn_blocking on Web Workers; needs a cross-origin-isolated page in browsers; docs/threads.md). */
  threads?: boolean;
  /** Host functions C can await. */
  host?: Record<string, HostFunction>;
  /** Task polls per executor turn (default 4096). */
  budgetPolls?: number;
  /** Time slice per turn in ms (default 8). */
  budgetMs?: number;
  /** Cooperative budget per poll (default 128). */
  coopBudget?: number;
}

/**
 * Options of one rt.call: the last argument, recognised as options because
 * it is a plain object with an own `signal` property (which is required
 * here, so `{}` stays a JSON argument). `signal` is the only key.
 */
export interface CallOptions {
  /** Aborting it aborts the C task; the call rejects with an AbortError. */
  signal: AbortSignal | undefined;
}

/**
 * JSON-serialisable plain data (arrays and plain objects of it). An
 * `interface` type has no index signature, so TypeScript does not take it
 * as plain data: declare such argument types with `type X = { ... }`.
 */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue | undefined };

/** A plain-data object argument that cannot be taken for call options. */
export type JsonObjectArg = { readonly [key: string]: JsonValue | undefined; readonly signal?: never };

/** A plain-data object argument with a `signal` key: must be followed by an explicit CallOptions. */
export type JsonObjectWithSignal = { readonly [key: string]: JsonValue | undefined };

/**
 * Argument of an exported C async function: numbers (and bigints,
 * booleans) arrive as numbers, strings as UTF-8, bytes as bytes,
 * null/arrays/plain objects as JSON text, undefined as a missing argument,
 * a JsHandle as the JS value it stands for (C takes it with cf_promise_init).
 */
export type CallArg =
  | number | bigint | boolean | string | null | undefined
  | Uint8Array | ArrayBuffer | ArrayBufferView | JsHandle
  | readonly JsonValue[] | JsonObjectArg;

/**
 * The arguments of rt.call: call arguments, optionally followed by
 * CallOptions. A plain object with a `signal` key is options when it comes
 * last; as data it must be followed by an explicit CallOptions.
 */
export type CallArgs =
  | readonly CallArg[]
  | readonly [...(CallArg | JsonObjectWithSignal)[], CallOptions];

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
  /** Advance a paused clock by ms, firing due timers in order. ms must be
   * a finite, non-negative number (RangeError; a non-number is a
   * TypeError), and the clock must be paused. Fractions count: timer
   * deadlines keep quarter milliseconds (a sleep started at t fires at t +
   * ms rounded up to the next 0.25 ms), while now() stays whole ms. */
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

/** A JS value handed to C (rt.handle(value)); pass it as a call argument. */
export declare class JsHandle {
  private constructor();
  /** The host-op handle number C sees. */
  readonly id: number;
  valueOf(): number;
}

/** A C runtime on a loaded module. Made by loadRuntime() (or createRuntime()), never with `new`. */
export declare class Runtime {
  private constructor();
  readonly module: CfutureModule;
  readonly clock: Clock;
  readonly pointer: number;
  readonly disposed: boolean;
  /**
   * Call an exported C async function (CF_EXPORT_ASYNC) as a task.
   * Resolves with its result; rejects with a CFutureError (`.code`
   * "CF_E...", with C's message, e.g. a rejected host Promise's), the
   * signal's `reason` when it aborts (as fetch does: a TimeoutError for
   * AbortSignal.timeout, an AbortError DOMException for a plain abort()),
   * or a TypeError / RangeError for arguments or options that cannot cross
   * (before any task starts).
   */
  call<T = unknown>(name: string, ...args: CallArgs): Promise<T>;
  /** Register a host function C can await. */
  host(name: string, fn: HostFunction): this;
  /** Hand a value (usually a Promise) to C: pass the handle to rt.call, C takes it with cf_promise_init. */
  handle(value: unknown): JsHandle;
  /** Release a handle C never consumed. */
  releaseHandle(handle: JsHandle | number): void;
  /** Snapshot of the live tasks. */
  tasks(): TaskInfo[];
  stats(): RuntimeStats;
  /** Free the runtime; pending calls reject with CF_ECANCELED. Safe
   * anywhere, also inside a host function or an abort listener: the C
   * runtime is then freed when the current call into C returns. */
  dispose(): void;
}

/** Runtime options (the part of LoadOptions createRuntime takes). */
export type RuntimeOptions = Pick<LoadOptions, 'host' | 'budgetPolls' | 'budgetMs' | 'coopBudget'>;

/** Another runtime on an already loaded module (rt.module): loadRuntime does this once. */
export declare function createRuntime(module: CfutureModule, options?: RuntimeOptions): Runtime;

/** Load a cfuture module (the prebuilt one by default) and create a runtime on it. */
export declare function loadRuntime(options?: LoadOptions): Promise<Runtime>;
export default loadRuntime;
