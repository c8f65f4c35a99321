// runtime.mjs: the Runtime class of the cfuture JS API (environment
// neutral: nothing here imports Node modules, so bundlers can ship it to
// browsers and workers as is).
//
// Runtime owns: rt.call (C async functions as Promises, with AbortSignal),
// host functions C can await (per runtime), value handles, the task
// inspector, the virtual clock, and dispose. It talks to the module's JS
// library only through the functions of module.cfuture (bindings/lib/api.js)
// and takes every constant and record layout from the contract generated
// from the C headers (module.cfuture.contract), so it always agrees with
// the wasm it drives.
//
// Boundary rules enforced here, before any task starts:
//   - call arguments: number | bigint | boolean | string | Uint8Array |
//     ArrayBuffer | ArrayBufferView | null | undefined | JsHandle |
//     JSON-serialisable data; anything else is a TypeError;
//   - call options: the last argument is options iff it is a plain object
//     with an own `signal` property; `signal` must be an AbortSignal (or
//     undefined) and no other key is accepted (TypeError);
//   - an abort rejects with the signal's reason, as fetch does;
//   - runtime options are checked by name, type and range.
// Invariants: every Promise returned here settles exactly once; internal
// promises always have rejection handlers; no wasm heap view is kept
// across a call into C.

const CREATE = Symbol('cfuture.createRuntime');
const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
const utf8 = new TextEncoder(); // one for every call argument

/** Option names loadRuntime() accepts (the loader's and the runtime's). */
export const LOADER_OPTIONS = Object.freeze(['module', 'moduleFactory', 'wasm', 'wasmBinary', 'locateFile', 'print', 'printErr', 'threads']);
export const RUNTIME_OPTIONS = Object.freeze(['host', 'budgetPolls', 'budgetMs', 'coopBudget']);

function isPlainObject(x) {
  if (x === null || typeof x !== 'object') return false;
  const p = Object.getPrototypeOf(x);
  return p === Object.prototype || p === null;
}

function isAbortSignal(s) {
  return typeof AbortSignal === 'function' && s instanceof AbortSignal;
}

function describe(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') {
    try { return `an object (${Object.prototype.toString.call(v)})`; } catch { return 'an object'; }
  }
  return typeof v;
}

// What rt.call rejects with when its signal aborts: the signal's reason
// (AbortSignal.timeout's TimeoutError, a custom reason), as fetch does.
function abortReason(signal) {
  const r = signal.reason;
  return r !== undefined ? r : new DOMException('The operation was aborted', 'AbortError');
}

/** A JS value handed to C (rt.handle); pass it as a call argument. */
export class JsHandle {
  #id;
  constructor(token, id) {
    if (token !== CREATE) throw new TypeError('cfuture: JsHandle is made by rt.handle(value)');
    this.#id = id;
  }
  get id() { return this.#id; }
  valueOf() { return this.#id; }
}

export class CFutureError extends Error {
  constructor(code, errno, message) {
    super(message);
    this.name = 'CFutureError';
    this.code = code;
    this.errno = errno;
  }
}

function checkCount(options, key) {
  const v = options[key];
  if (v === undefined) return 0;
  if (typeof v !== 'number') throw new TypeError(`cfuture: option ${key} must be a number, got ${describe(v)}`);
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
    throw new RangeError(`cfuture: option ${key} must be an integer from 0 to 2^32-1 (0: the default), got ${v}`);
  return v;
}

function checkHostName(name) {
  if (typeof name !== 'string' || name === '' || name.includes('\0'))
    throw new TypeError('cfuture: a host function name must be a non-empty string without NUL');
}

class Clock {
  #cf; #rt;
  constructor(cf, rt) { this.#cf = cf; this.#rt = rt; }
  get paused() { return this.#cf.clockPaused(this.#rt()); }
  /** Current runtime time in ms (the C runtime's clock). */
  now() { return this.#cf.clockNow(this.#rt()); }
  pause() { this.#cf.clockPause(this.#rt()); }
  resume() { this.#cf.clockResume(this.#rt()); }
  /** Advance a paused clock by ms (finite, >= 0), firing due timers in
   * order. Bad amounts reject with a TypeError or RangeError. */
  advance(ms) {
    try {
      return this.#cf.clockAdvance(this.#rt(), ms);
    } catch (e) {
      return Promise.reject(e);
    }
  }
}

export class Runtime {
  #ptr;
  #cf;
  #values = new Set();
  #disposed = false;

  constructor(token, module, options = {}) {
    if (token !== CREATE)
      throw new TypeError('cfuture: a Runtime is made by loadRuntime() (or createRuntime(module) for a second one on a loaded module)');
    if (!isPlainObject(options)) throw new TypeError(`cfuture: options must be a plain object, got ${describe(options)}`);
    for (const k of Object.keys(options))
      if (!RUNTIME_OPTIONS.includes(k) && !LOADER_OPTIONS.includes(k))
        throw new TypeError(`cfuture: unknown option "${k}" (accepted: ${[...LOADER_OPTIONS, ...RUNTIME_OPTIONS].join(', ')})`);
    const cf = module && module.cfuture;
    if (!cf || typeof cf.runtimeNew !== 'function')
      throw new TypeError('cfuture: the module was not linked with the cfuture JS library (use the flags of cfuture-emcc-flags)');
    const polls = checkCount(options, 'budgetPolls');
    const ms = checkCount(options, 'budgetMs');
    const coop = checkCount(options, 'coopBudget');
    const host = options.host ?? {};
    if (!isPlainObject(host)) throw new TypeError('cfuture: option host must be an object of functions');
    for (const [name, fn] of Object.entries(host)) {
      checkHostName(name);
      if (typeof fn !== 'function') throw new TypeError(`cfuture: host function "${name}" is ${describe(fn)}, not a function`);
    }
    this.module = module;
    this.#cf = cf;
    this.#ptr = cf.runtimeNew(polls, ms, coop);
    if (!this.#ptr) throw new RangeError('cfuture: cannot create a runtime (out of wasm memory)');
    this.clock = new Clock(cf, () => this.#live());
    for (const [name, fn] of Object.entries(host)) cf.hostSet(this.#ptr, name, fn);
  }

  get pointer() { return this.#ptr; }
  get disposed() { return this.#disposed; }

  #live() {
    if (this.#disposed) throw new Error('cfuture: runtime disposed');
    return this.#ptr;
  }

  #error(rc, message) {
    return new CFutureError(this.#cf.errName(rc), rc, message || this.#cf.strerror(rc));
  }

  // One call argument as { type, number, bytes }; handles are collected
  // so that the call can release those C never took.
  #arg(v, i, handles) {
    const T = this.#cf.contract.types;
    switch (typeof v) {
      case 'number': return { type: T.number, number: v, bytes: null };
      case 'boolean': return { type: T.number, number: v ? 1 : 0, bytes: null };
      case 'bigint': return { type: T.number, number: Number(v), bytes: null };
      case 'string': return { type: T.string, number: 0, bytes: utf8.encode(v) };
      case 'undefined': return { type: T.undefined, number: 0, bytes: null };
      case 'function': case 'symbol':
        throw new TypeError(`cfuture: call argument ${i} is a ${typeof v}, which cannot cross to C`);
    }
    if (v instanceof JsHandle) {
      handles.push(v.id);
      return { type: T.number, number: v.id, bytes: null };
    }
    if (v instanceof Uint8Array) return { type: T.bytes, number: 0, bytes: v };
    if (v instanceof ArrayBuffer) return { type: T.bytes, number: 0, bytes: new Uint8Array(v) };
    if (ArrayBuffer.isView(v)) return { type: T.bytes, number: 0, bytes: new Uint8Array(v.buffer, v.byteOffset, v.byteLength) };
    if (v !== null && !isPlainObject(v) && !Array.isArray(v))
      throw new TypeError(`cfuture: call argument ${i} is ${describe(v)}; pass plain data (objects, arrays), a string, a number or bytes`);
    let json;
    try {
      json = JSON.stringify(v);
    } catch (e) {
      throw new TypeError(`cfuture: call argument ${i} cannot be sent as JSON: ${e && e.message}`);
    }
    return { type: T.json, number: 0, bytes: utf8.encode(json) };
  }

  #releaseHandles(handles) {
    for (const h of handles) {
      this.#values.delete(h);
      this.#cf.valueRelease(h);
    }
  }

  /**
   * Call an exported C async function. The last argument may be call
   * options { signal }. Resolves with its result; rejects with a
   * CFutureError (.code "CF_E..."), the signal's reason, or a TypeError for
   * arguments that cannot cross (before anything starts).
   */
  call(name, ...args) {
    return new Promise((resolve, reject) => {
      const ptr = this.#live();
      if (typeof name !== 'string' || name === '' || name.includes('\0'))
        throw new TypeError('cfuture: rt.call needs the export name as a non-empty string without NUL');
      let signal;
      const last = args[args.length - 1];
      let isOptions;
      try {
        isOptions = args.length > 0 && isPlainObject(last) && hasOwn(last, 'signal');
      } catch (e) {
        throw new TypeError(`cfuture: the last call argument threw while being read: ${e && e.message}`);
      }
      if (isOptions) {
        args.pop();
        for (const k of Object.keys(last))
          if (k !== 'signal') throw new TypeError(`cfuture: unknown call option "${k}" (accepted: signal)`);
        signal = last.signal;
        if (signal !== undefined && !isAbortSignal(signal))
          throw new TypeError(`cfuture: call option signal must be an AbortSignal, got ${describe(signal)}`);
      }
      const maxArgs = this.#cf.contract.limits.argsMax;
      if (args.length > maxArgs)
        throw new RangeError(`cfuture: rt.call takes at most ${maxArgs} arguments, got ${args.length}`);
      const handles = [];
      const conv = args.map((v, i) => {
        try {
          return this.#arg(v, i, handles);
        } catch (e) {
          // A Proxy or getter that throws while being inspected.
          throw e instanceof TypeError ? e : new TypeError(`cfuture: call argument ${i} threw while being read: ${e && e.message}`);
        }
      });
      if (signal && signal.aborted) {
        this.#releaseHandles(handles);
        reject(abortReason(signal));
        return;
      }
      const cf = this.#cf;
      let onAbort = null;
      const done = () => {
        if (onAbort) signal.removeEventListener('abort', onAbort);
        this.#releaseHandles(handles); // those C took are already gone
      };
      const entry = {
        rec: 0,
        settle: (rc, value, message) => {
          done();
          if (rc < 0) reject(this.#error(rc, message)); else resolve(value);
        },
        fail: (e) => {
          done();
          reject(e);
        }
      };
      let id;
      try {
        id = cf.callStart(ptr, name, conv, entry);
      } catch (e) {
        this.#releaseHandles(handles);
        throw e;
      }
      if (id < 0) {
        this.#releaseHandles(handles);
        const why = cf.callError() || (id === cf.contract.errors.CF_ENOENT.errno ? `no exported async function "${name}"` : undefined);
        reject(this.#error(id, why));
        return;
      }
      if (signal) {
        onAbort = () => {
          if (!cf.callAbort(id)) return; // already settled
          done();
          reject(abortReason(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  /** Register a host function C can await with cf_js_call_init (this
   * runtime only). */
  host(name, fn) {
    const ptr = this.#live();
    checkHostName(name);
    if (typeof fn !== 'function') throw new TypeError('cfuture: host function must be a function');
    this.#cf.hostSet(ptr, name, fn);
    return this;
  }

  /** Hand a value (usually a Promise) to C: a JsHandle to pass to rt.call,
   * where C takes it with cf_promise_init. A handle passed to a call that
   * does not take it is released when the call settles. */
  handle(value) {
    this.#live();
    const id = this.#cf.valueNew(value);
    this.#values.add(id);
    return new JsHandle(CREATE, id);
  }

  /** Release a handle C never consumed. */
  releaseHandle(h) {
    const id = h instanceof JsHandle ? h.id : h;
    if (typeof id !== 'number') throw new TypeError('cfuture: releaseHandle needs a handle from rt.handle()');
    this.#values.delete(id);
    this.#cf.valueRelease(id);
  }

  /** Snapshot of live tasks. */
  tasks() {
    const r = this.#cf.tasks(this.#live());
    if (typeof r === 'number') throw this.#error(r);
    return r;
  }

  /** Runtime counters (for tests and tools). */
  stats() {
    const ptr = this.#live();
    const cf = this.#cf;
    return {
      ...cf.stats(ptr), hostOps: cf.liveOps(), heapBytes: this.module.HEAPU8.length,
      hostTimerArmed: cf.timerArmed(ptr), alive: cf.alive(ptr)
    };
  }

  /** Free the runtime: aborts every task (pending calls reject with
   * CF_ECANCELED). Safe anywhere, also inside a host function: the C
   * runtime is then freed when the current crossing returns. */
  dispose() {
    if (this.#disposed) return;
    for (const h of this.#values) this.#cf.valueRelease(h);
    this.#values.clear();
    const ptr = this.#ptr;
    this.#disposed = true;
    this.#ptr = 0;
    this.#cf.runtimeFree(ptr);
  }
}

/** Create a runtime on an instantiated cfuture module (loadRuntime does
 * this; call it again for a second runtime on the same module). */
export function createRuntime(module, options = {}) {
  return new Runtime(CREATE, module, options);
}
