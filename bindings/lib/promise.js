/* promise.js: C awaiting JavaScript ($CFPromise): calls of host functions
 * (cf_js_call_init), awaited value handles (cf_promise_init), and the
 * conversion of settled values to what C asked for.
 *
 * Host functions are per runtime (registered on its driver record), so two
 * runtimes on one module never see each other's. Everything a host does is
 * guarded: a function that throws, a returned object whose `then` or
 * `constructor` getter throws, a rejection with a Proxy, a value that does
 * not convert: each completes the await once, with
 *   rejection / throw        -> CF_EJS and the value's message,
 *   wrong type for `as`      -> CF_EINVAL and what was expected,
 *   unknown function/handle  -> CF_EINVAL.
 * Invariants: a record returns to the pool only once its reaction has run
 * (a late settlement can never be taken for a later op's), and its reusable
 * callbacks are given only to the intrinsic Promise.prototype.then (any other
 * `then` gets one-shot callbacks, see foreignThen); the C future is
 * completed by exactly one call of CFX.promiseDone (or CFX.promiseNumber,
 * its two-argument form for a number or no value).
 */
var LibraryCFuturePromise = {
  $CFPromise__deps: ['$CF', '$CFDriver'],
  $CFPromise__postset: 'CFPromise.then = Promise.prototype.then; CFPromise.apply = Reflect.apply;',
  $CFPromise: {
    pool: null, // free records, linked through .nextFree
    sent: null, // the resolution of the last call C sent (see start)
    // Taken when the library loads (a host may patch the globals later):
    then: null, // the intrinsic Promise.prototype.then (see start)
    apply: null, // Reflect.apply (see foreignThen)
    HostCall: null,

    // What a host function gets as its last argument: the signal is made
    // on first read (the AbortController is most of a short call's cost),
    // already aborted if the op was cancelled meanwhile.
    hostCall: function() {
      if (CFPromise.HostCall) return new CFPromise.HostCall();
      var HostCall = function() { this.ctl = null; this.canceled = false; };
      Object.defineProperty(HostCall.prototype, 'signal', { get: function() {
        if (this.ctl === null) {
          this.ctl = new AbortController();
          if (this.canceled) this.ctl.abort();
        }
        return this.ctl.signal;
      } });
      HostCall.prototype.cancel = function() {
        this.canceled = true;
        if (this.ctl !== null) this.ctl.abort();
      };
      CFPromise.HostCall = HostCall;
      return new HostCall();
    },

    typeName: function(v) {
      if (v === null) return 'null';
      if (Array.isArray(v)) return 'an array';
      return typeof v;
    },
    // Returns { number } or { bytes } or { rc, msg }. Never throws.
    convert: function(v, as) {
      try {
        switch (as) {
          case CFC.types.undefined: return { number: 0 };
          case CFC.types.number:
            if (typeof v === 'number') return { number: v };
            if (typeof v === 'bigint' || typeof v === 'boolean') return { number: Number(v) };
            return { rc: CF.E.EINVAL, msg: 'expected a number, got ' + CFPromise.typeName(v) };
          case CFC.types.string:
            if (typeof v === 'string') return { bytes: CF.utf8(v) };
            if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint')
              return { bytes: CF.utf8(String(v)) };
            return { rc: CF.E.EINVAL, msg: 'expected a string, got ' + CFPromise.typeName(v) };
          case CFC.types.bytes:
            if (v instanceof Uint8Array) return { bytes: v };
            if (v instanceof ArrayBuffer) return { bytes: new Uint8Array(v) };
            if (ArrayBuffer.isView(v)) return { bytes: new Uint8Array(v.buffer, v.byteOffset, v.byteLength) };
            if (typeof v === 'string') return { bytes: CF.utf8(v) };
            return { rc: CF.E.EINVAL, msg: 'expected bytes, got ' + CFPromise.typeName(v) };
          case CFC.types.json:
            var s = JSON.stringify(v);
            return { bytes: CF.utf8(s === undefined ? 'null' : s) };
        }
        return { rc: CF.E.EINVAL, msg: 'unknown conversion ' + as };
      } catch (e) {
        return { rc: CF.E.EJS, msg: 'converting the value threw: ' + CF.faultMessage(e) };
      }
    },

    rec: function() {
      var rec = CFPromise.pool;
      if (rec !== null) {
        CFPromise.pool = rec.nextFree;
        rec.nextFree = null;
        return rec;
      }
      rec = { kind: 'promise', h: 0, p: 0, as: 0, ctx: null, rc: 0, nextFree: null,
              onOk: null, onErr: null, cancel: null, gen: 0, rec: null, next: 0, own: 0 };
      CF.opOwn(rec); // its slot for good: see opOwn
      rec.onOk = function(v) { CFPromise.settle(rec, true, v); };
      rec.onErr = function(e) { CFPromise.settle(rec, false, e); };
      rec.cancel = function() { var c = rec.ctx; if (c) c.cancel(); };
      return rec;
    },
    settle: function(rec, ok, v) {
      var h = rec.h, p = rec.p, as = rec.as, rc = rec.rc;
      rec.h = rec.p = rec.rc = 0;
      rec.ctx = null;
      rec.nextFree = CFPromise.pool;
      CFPromise.pool = rec;
      if (!CF.opDisarm(h, rec)) return; // dropped meanwhile: ignore
      // The common cases (a number, or no value asked for) convert without
      // allocating and cross with two arguments.
      if (ok && as === 1 && typeof v === 'number') {
        CFX.promiseNumber(p, v);
        return;
      }
      if (ok && as === 0) {
        CFX.promiseNumber(p, 0);
        return;
      }
      var out = ok ? CFPromise.convert(v, as) : { rc: rc || CF.E.EJS, msg: CF.faultMessage(v) };
      var d = null;
      if (!out.rc && out.bytes) {
        try { d = CF.copyIn(out.bytes, true); } catch (e) { d = null; }
        if (!d) out = { rc: CF.E.ENOMEM, msg: 'out of wasm memory for the value' };
      }
      if (out.rc) {
        var m = CF.copyMessage(out.msg || '');
        CFX.promiseDone(p, out.rc, 0, 0, 0, 0, m[0], m[1]);
        return;
      }
      CFX.promiseDone(p, 0, out.number || 0, d ? d[0] : 0, out.bytes ? out.bytes.length : 0, d ? d[1] : 0, 0, 0);
    },
    // The host function named at ptr for runtime driverId. A call that
    // repeats the last one does not come here: promise.c says so and start
    // reuses `sent`. hostGen changes whenever any runtime's functions
    // change, which invalidates `sent`.
    hostGen: 0,
    resolve: function(driverId, ptr, len) {
      ptr = ptr >>> 0;
      CF.checkRange(ptr, len);
      var name = CF.fromUtf8(HEAPU8.slice(ptr, ptr + len));
      var fn = CFPromise.lookup(driverId, name);
      return { name: name, driverId: driverId, gen: CFPromise.hostGen,
               fn: fn, wantsCall: CFPromise.wantsCall(fn) };
    },
    changed: function() { CFPromise.hostGen++; },
    // Whether fn can see the HostCall passed after its arguments. One with
    // an empty parameter list (no defaults, no rest, no destructuring) that
    // never mentions `arguments` cannot, so it gets none: the object is a
    // good part of a short call's cost. Native and bound functions do not
    // show their text: they always get one. Decided once per function.
    wants: null, // WeakMap fn -> wantsCall
    wantsCall: function(fn) {
      if (typeof fn !== 'function') return true;
      var w = CFPromise.wants || (CFPromise.wants = new WeakMap()), r = w.get(fn);
      if (r === undefined) w.set(fn, r = CFPromise.readsCall(fn));
      return r;
    },
    readsCall: function(fn) {
      try {
        if (fn.length > 0) return true;
        var text = Function.prototype.toString.call(fn);
        if (text.indexOf('[native code]') >= 0) return true;
        var open = text.indexOf('(');
        if (open < 0 || !/^\(\s*\)/.test(text.slice(open))) return true;
        return text.indexOf('arguments') >= 0;
      } catch (e) {
        return true;
      }
    },
    lookup: function(driverId, name) {
      var d = CFDriver.get(driverId);
      if (d) return d.hostFns.get(name);
      // Under a user executor (no JS driver): the one runtime that has it.
      for (var i = 1; i < CFDriver.drivers.length; i++) {
        var o = CFDriver.drivers[i];
        if (o && !o.dead && o.hostFns.has(name)) return o.hostFns.get(name);
      }
      return undefined;
    },
    // Start one await. Returns its handle; the outcome always arrives
    // later, from a promise reaction or a microtask. The rarer paths (a
    // value handle, arguments, a failed lookup) are helpers so that start
    // stays below V8's inlining limit (460 bytes of bytecode) and inlines
    // into the import that calls it: one JS frame less per await.
    start: function(p, driverId, source, fnPtr, fnLen, jsonPtr, as, same) {
      // C's "same as the last call sent" refers to the last resolution made
      // for a call sent to JS: forget it first thing for any other call, so
      // a throw below can never leave it naming a different function.
      if (!source && !same) CFPromise.sent = null;
      var rec = CFPromise.rec();
      var value;
      rec.p = p;
      rec.as = as;
      var h = rec.h = CF.opArm(rec);
      try {
        if (source) {
          value = CFPromise.take(rec, source);
        } else {
          var hf = CFPromise.sent;
          if (!same || hf === null || hf.gen !== CFPromise.hostGen || hf.driverId !== driverId)
            hf = CFPromise.sent = CFPromise.resolve(driverId, fnPtr, fnLen);
          var fn = hf.fn;
          if (typeof fn !== 'function') value = CFPromise.missing(rec, hf);
          else if (jsonPtr) value = CFPromise.callArgs(rec, fn, hf.wantsCall, jsonPtr);
          else if (hf.wantsCall) value = fn(rec.ctx = CFPromise.hostCall());
          else value = fn();
        }
        if (rec.rc === 0) {
          // A thenable is adopted through once-only resolving functions.
          // The record's own (pooled) callbacks go only to the intrinsic
          // then, which calls one of them once, from a microtask; any other
          // `then` (a native promise's own, a patched prototype) gets
          // one-shot callbacks (foreignThen). `then` is read once (a getter
          // runs once); that read, and calling the intrinsic through the
          // global (a constant to V8), let V8 inline the call, which it
          // does not for the stored CFPromise.then (4-9% per await). A
          // getter that throws (`then`, a promise's `constructor`) is this
          // await's rejection.
          var pr = Promise.resolve(value), t = pr.then;
          if (t === CFPromise.then && Promise.prototype.then === t)
            Promise.prototype.then.call(pr, rec.onOk, rec.onErr);
          else
            CFPromise.foreignThen(rec, pr, t);
          return h;
        }
      } catch (e) {
        value = e;
      }
      CFPromise.failSoon(rec, value);
      return h;
    },
    // Attach to a promise whose `then` is not the intrinsic one. Whatever
    // it does (call back synchronously, twice, both ways, late, or throw
    // after calling), the record is settled exactly once and never from
    // inside this call: so it returns to the pool once, and a late call
    // cannot reach the op the record serves next. Never throws.
    foreignThen: function(rec, pr, t) {
      var done = false, sync = true;
      var once = function(ok, v) {
        if (done) return;
        done = true;
        if (sync) queueMicrotask(function() { CFPromise.settle(rec, ok, v); });
        else CFPromise.settle(rec, ok, v);
      };
      try {
        CFPromise.apply(t, pr, [function(v) { once(true, v); }, function(e) { once(false, e); }]);
      } catch (e) {
        once(false, e);
      }
      sync = false;
    },
    // The value behind handle source, which the op takes over; a bad
    // handle sets rec.rc and returns the rejection.
    take: function(rec, source) {
      var vr = CF.opGet(source);
      if (vr && vr.kind === 'value') {
        CF.opFree(source);
        return vr.value;
      }
      rec.rc = CF.E.EINVAL;
      return new Error('unknown or already consumed value handle ' + source);
    },
    missing: function(rec, hf) {
      rec.rc = CF.E.EINVAL;
      return new Error('no host function named "' + hf.name + '" on this runtime');
    },
    callArgs: function(rec, fn, wantsCall, jsonPtr) {
      var args = JSON.parse(CF.str(jsonPtr));
      if (args == null) args = [];
      else if (!Array.isArray(args)) args = [args];
      if (wantsCall) args.push(rec.ctx = CFPromise.hostCall());
      return fn.apply(null, args);
    },
    // A closure here rather than in start: one there would make V8 allocate
    // start's context (rec, value) on every call, the fast path included.
    failSoon: function(rec, e) {
      queueMicrotask(function() { rec.onErr(e); });
    },
    // A JS value (usually a Promise) handed to C as a handle.
    valueNew: function(v) {
      try {
        if (v !== null && (typeof v === 'object' || typeof v === 'function') && typeof v.then === 'function')
          Promise.resolve(v).then(CF.noop, CF.noop); // C observes it; never unhandled
      } catch (e) {
        // A throwing `then` getter: C's await of it will reject the same way.
      }
      return CF.opNew({ kind: 'value', value: v });
    },
    valueRelease: function(handle) {
      var r = CF.opGet(handle);
      if (r && r.kind === 'value') CF.opFree(handle);
    }
  }
};

mergeInto(LibraryManager.library, LibraryCFuturePromise);
