// runtime.mjs: the Runtime class of the cfuture JS API (environment
// neutral: nothing here imports Node modules, so bundlers can ship it to
// browsers and workers as is).
//
// Runtime owns: rt.call (C async functions as Promises, with AbortSignal),
// host functions C can await, value handles, the task inspector, the
// virtual clock, and dispose. It talks to the module's JS library
// (module.cfuture, bindings/cfuture_lib.js) only through its functions.
// Invariants: every Promise returned here settles exactly once; internal
// promises always have rejection handlers; no wasm heap view is kept
// across a call into C.

const TASK_FIELDS = 8;
const STATS_FIELDS = 10;
const TASK_STATES = ['idle', 'queued', 'running', 'finished', 'canceled'];
const T_NUMBER = 1, T_STRING = 2, T_BYTES = 3, T_JSON = 4;

function abortError(signal) {
  const r = signal && signal.reason;
  if (r instanceof DOMException && r.name === 'AbortError') return r;
  return new DOMException('The operation was aborted', 'AbortError');
}

function isCallOptions(x) {
  if (!x || typeof x !== 'object' || Array.isArray(x) || ArrayBuffer.isView(x) || x instanceof ArrayBuffer) return false;
  const keys = Object.keys(x);
  return keys.length === 1 && keys[0] === 'signal' &&
    (x.signal === undefined || (typeof x.signal === 'object' && typeof x.signal.aborted === 'boolean'));
}

export class CFutureError extends Error {
  constructor(code, errno, message) {
    super(message);
    this.name = 'CFutureError';
    this.code = code;
    this.errno = errno;
  }
}

class Clock {
  #rt;
  constructor(rt) { this.#rt = rt; }
  get paused() { return this.#rt._driver().paused; }
  /** Current runtime time in ms (the C runtime's clock). */
  now() { return Math.floor(this.#rt._cf.now(this.#rt._driver())); }
  pause() { this.#rt._cf.pause(this.#rt._driver()); }
  resume() { this.#rt._cf.resume(this.#rt._driver()); }
  /** Advance a paused clock, firing due timers in order. */
  advance(ms) { return this.#rt._cf.advance(this.#rt._driver(), ms); }
}

export class Runtime {
  #ptr;
  #values = new Set();
  #disposed = false;
  constructor(module, options = {}) {
    this.module = module;
    this._cf = module.cfuture;
    if (!this._cf) throw new Error('cfuture: the module was not linked with cfuture_lib.js');
    this.#ptr = module._cfw_runtime_new(options.budgetPolls ?? 0, options.budgetMs ?? 0, options.coopBudget ?? 0);
    if (!this.#ptr) throw new Error('cfuture: cannot create a runtime (out of memory)');
    this.clock = new Clock(this);
    for (const [name, fn] of Object.entries(options.host ?? {})) this.host(name, fn);
  }

  get pointer() { return this.#ptr; }
  get disposed() { return this.#disposed; }

  _driver() {
    this.#check();
    const d = this._cf.driverOf(this.#ptr);
    if (!d) throw new Error('cfuture: runtime has no JS driver');
    return d;
  }

  #check() {
    if (this.#disposed) throw new Error('cfuture: runtime disposed');
  }

  #error(rc) {
    const m = this.module;
    return new CFutureError(this._cf.str(m._cfw_err_name(rc)), rc, this._cf.str(m._cfw_strerror(rc)));
  }

  #buildArgs(args) {
    const cf = this._cf, m = this.module;
    const a = m._cfw_args_new(args.length);
    if (!a) throw new RangeError('cfuture: out of wasm memory');
    try {
      args.forEach((v, i) => {
        let type, bytes = null, num = 0;
        if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') { type = T_NUMBER; num = Number(v); }
        else if (v === undefined) return;
        else if (typeof v === 'string') { type = T_STRING; bytes = cf.utf8(v); }
        else if (v instanceof Uint8Array) { type = T_BYTES; bytes = v; }
        else if (v instanceof ArrayBuffer) { type = T_BYTES; bytes = new Uint8Array(v); }
        else if (ArrayBuffer.isView(v)) { type = T_BYTES; bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength); }
        else { type = T_JSON; bytes = cf.utf8(JSON.stringify(v)); }
        let block = null;
        if (bytes) {
          block = cf.copyIn(bytes, true);
          if (!block) throw new RangeError('cfuture: out of wasm memory');
        }
        m._cfw_args_set(a, i, type, num, block ? block[0] : 0, bytes ? bytes.length : 0);
      });
    } catch (e) {
      m._cfw_args_free(a);
      throw e;
    }
    return a;
  }

  /**
   * Call an exported C async function. The last argument may be
   * { signal } to abort it. Resolves with its result; rejects with a
   * CFutureError (.code "CF_E...") or an AbortError DOMException.
   */
  call(name, ...args) {
    let opts = {};
    if (args.length && isCallOptions(args[args.length - 1])) opts = args.pop();
    return new Promise((resolve, reject) => {
      this.#check();
      const signal = opts.signal;
      if (signal && signal.aborted) { reject(abortError(signal)); return; }
      const cf = this._cf, m = this.module;
      const id = (cf.nextCall = (cf.nextCall + 1) >>> 0 || 1);
      const argp = this.#buildArgs(args);
      const nameBlock = cf.allocStr(String(name));
      let onAbort = null;
      const entry = {
        rec: 0,
        settle: (rc, value) => {
          if (onAbort) signal.removeEventListener('abort', onAbort);
          if (rc < 0) reject(this.#error(rc)); else resolve(value);
        },
        fail: (e) => {
          if (onAbort) signal.removeEventListener('abort', onAbort);
          reject(e);
        }
      };
      cf.calls.set(id, entry);
      let rec;
      try {
        rec = m._cfw_call_start(this.#ptr, nameBlock[0], argp, id);
      } finally {
        cf.freeBlock(nameBlock);
      }
      if (rec < 0) {
        cf.calls.delete(id);
        reject(rec === -2 ? new CFutureError('CF_ENOENT', rec, `no exported async function "${name}"`) : this.#error(rec));
        return;
      }
      entry.rec = rec;
      if (signal) {
        onAbort = () => {
          if (!cf.calls.has(id)) return;
          cf.calls.delete(id);
          m._cfw_call_abort(rec); // the task drops its frame on its next poll
          reject(abortError(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
      }
    });
  }

  /** Register a host function C can await with cf_js_call_init. */
  host(name, fn) {
    if (typeof fn !== 'function') throw new TypeError('cfuture: host function must be a function');
    this._cf.hostFns[name] = fn;
    return this;
  }

  /** Hand a value (usually a Promise) to C: returns a handle for cf_promise_init. */
  handle(value) {
    this.#check();
    const h = this._cf.valueNew(value);
    this.#values.add(h);
    return h;
  }

  /** Release a handle C never consumed. */
  releaseHandle(h) {
    this.#values.delete(h);
    const r = this._cf.opGet(h);
    if (r && r.kind === 'value') this._cf.opFree(h);
  }

  /** Snapshot of live tasks. */
  tasks() {
    this.#check();
    const cf = this._cf, m = this.module;
    let cap = 64;
    for (;;) {
      const bytes = cap * TASK_FIELDS * 8;
      const buf = m._cfw_malloc(bytes);
      if (!buf) throw new RangeError('cfuture: out of wasm memory');
      try {
        const n = m._cfw_tasks(this.#ptr, buf, cap);
        if (n < 0) throw this.#error(n);
        if (n > cap) { cap = n; continue; }
        const f = new Float64Array(cf.copyOut(buf, n * TASK_FIELDS * 8).buffer);
        const out = [];
        for (let i = 0; i < n; i++) {
          const o = i * TASK_FIELDS;
          out.push({
            id: f[o], name: f[o + 6] ? cf.str(f[o + 6]) : null,
            state: TASK_STATES[f[o + 1]] ?? 'unknown',
            awaits: f[o + 7] ? cf.str(f[o + 7]) : null,
            polls: f[o + 2], wakes: f[o + 3], spawnedAt: f[o + 4], rc: f[o + 5]
          });
        }
        return out;
      } finally {
        m._cfw_free(buf, bytes);
      }
    }
  }

  /** Runtime counters (for tests and tools). */
  stats() {
    this.#check();
    const cf = this._cf, m = this.module;
    const bytes = STATS_FIELDS * 8;
    const buf = m._cfw_malloc(bytes);
    if (!buf) throw new RangeError('cfuture: out of wasm memory');
    try {
      m._cfw_runtime_stats(this.#ptr, buf);
      const f = new Float64Array(cf.copyOut(buf, bytes).buffer);
      const d = cf.driverOf(this.#ptr);
      return {
        liveTasks: f[0], queuedTasks: f[1], liveWakers: f[2], liveTimers: f[3],
        hostHolds: f[4], polls: f[5], wakes: f[6], turns: f[7], timerArms: f[8],
        now: f[9], hostOps: cf.liveOps, heapBytes: m.HEAPU8.length,
        hostTimerArmed: d && d.timer !== null ? 1 : 0,
        alive: d ? d.alive : 0
      };
    } finally {
      m._cfw_free(buf, bytes);
    }
  }

  /** Free the runtime: aborts every task (pending calls reject with CF_ECANCELED). */
  dispose() {
    if (this.#disposed) return;
    for (const h of this.#values) this.releaseHandle(h);
    const ptr = this.#ptr;
    this.#disposed = true;
    this.#ptr = 0;
    this.module._cfw_runtime_free(ptr);
  }
}

