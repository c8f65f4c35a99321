/* cfuture_lib.js: the Emscripten JS library of cfuture (--js-library).
 *
 * Owns everything JavaScript does for the C runtime, inside each module
 * instance (exposed as Module.cfuture for bindings/index.mjs):
 *   - drivers: the event-loop driver behind src/wasm/driver_js.c (one host
 *     timer per runtime for its earliest deadline, microtask/macrotask runs,
 *     keepalive, the pausable virtual clock);
 *   - the host-op table: slot + generation handles for every pending host
 *     operation (fetch, body reader, body read, promise) and for JS values
 *     handed to C;
 *   - fetch, streamed bodies, awaited Promises, and the settlement of
 *     rt.call Promises.
 * Invariants:
 *   - A completion reaches C only if its slot is still live and still holds
 *     the same record; the slot is freed before C is called. Cancelling (C
 *     dropped the future) frees the slot first, so late completions are
 *     ignored: exactly one completion or one cancel per op.
 *   - Completions are never delivered synchronously inside the C call that
 *     started the op (always from a promise reaction or a microtask).
 *   - No view of the wasm heap is kept across a call into C (cfw_malloc
 *     can grow memory): HEAPU8/HEAPF64 are re-read after each such call, and
 *     every copy checks its bounds.
 *   - Every promise this file creates has a rejection handler.
 */
var LibraryCFuture = {
  // The object below is serialised at link time: values that must be
  // computed in the running host are set by init().
  $CF__postset: 'CF.init(); Module["cfuture"] = CF;',
  $CF: {
    E: {
      ENOENT: -2, ENOMEM: -12, EINVAL: -22, EMSGSIZE: -90, ETIMEDOUT: -110,
      ECONNREFUSED: -111, ECANCELED: -125, ENETWORK: -1005, EJS: -1006,
      EHOST: -1008
    },
    SLOT_BITS: 20,
    slots: [null],
    freeSlots: [],
    liveOps: 0,
    drivers: [null],
    calls: null,
    nextCall: 0,
    hostFns: null,
    isNode: false,
    stats: { hostTimersArmed: 0, maxHostTimersArmed: 0, timerFires: 0, overdueArms: 0,
             earlyFires: 0, microtasks: 0, macrotasks: 0, fetches: 0,
             bodyReads: 0 },
    encoder: null,
    decoder: null,
    lastName: null,
    promiseRecs: null,
    HostCall: null,
    noop: function() {},

    // ---- host-op table -------------------------------------------------
    opNew: function(rec) {
      var idx = CF.freeSlots.length ? CF.freeSlots.pop() : CF.slots.length;
      if (idx >= (1 << CF.SLOT_BITS)) throw new RangeError('cfuture: host-op table full');
      var s = CF.slots[idx];
      if (!s) s = CF.slots[idx] = { gen: 0, rec: null };
      s.rec = rec;
      CF.liveOps++;
      return (idx + s.gen * (1 << CF.SLOT_BITS)) >>> 0;
    },
    opGet: function(handle) {
      handle = handle >>> 0;
      var idx = handle & ((1 << CF.SLOT_BITS) - 1);
      var gen = Math.floor(handle / (1 << CF.SLOT_BITS));
      var s = CF.slots[idx];
      return s && s.rec && s.gen === gen ? s.rec : null;
    },
    opLive: function(handle, rec) {
      return rec !== null && CF.opGet(handle) === rec;
    },
    opFree: function(handle) {
      handle = handle >>> 0;
      var idx = handle & ((1 << CF.SLOT_BITS) - 1);
      var s = CF.slots[idx];
      if (!s || !s.rec || s.gen !== Math.floor(handle / (1 << CF.SLOT_BITS))) return false;
      s.rec = null;
      s.gen = (s.gen + 1) & 0xfff;
      CF.freeSlots.push(idx);
      CF.liveOps--;
      return true;
    },
    opCancel: function(handle) {
      var rec = CF.opGet(handle);
      if (!rec) return;
      CF.opFree(handle);
      if (rec.cancel) {
        try { rec.cancel(); } catch (e) { CF.report(e); }
      }
    },
    report: function(e) {
      // A bug in a callback must not become an unhandled rejection.
      try { err('cfuture: ' + (e && e.stack ? e.stack : e)); } catch (e2) {}
    },

    // ---- memory ---------------------------------------------------------
    utf8: function(s) {
      if (!CF.encoder) CF.encoder = new TextEncoder();
      return CF.encoder.encode(s);
    },
    fromUtf8: function(bytes) {
      if (!CF.decoder) CF.decoder = new TextDecoder();
      return CF.decoder.decode(bytes);
    },
    checkRange: function(ptr, len) {
      ptr = ptr >>> 0; len = len >>> 0;
      if (ptr + len > HEAPU8.length) throw new RangeError('cfuture: wasm range out of bounds');
    },
    // Copy bytes into a new cf_malloc'd block (+ a NUL if nul). Returns
    // [ptr, size] or null when out of memory.
    copyIn: function(bytes, nul) {
      var len = bytes.length, size = len + (nul ? 1 : 0) || 1;
      var ptr = _cfw_malloc(size) >>> 0;
      if (!ptr) return null;
      CF.checkRange(ptr, size);
      HEAPU8.set(bytes, ptr); // HEAPU8 read after the call that may grow
      if (nul) HEAPU8[ptr + len] = 0;
      return [ptr, size];
    },
    // Copy out (never a view: the heap may be replaced later).
    copyOut: function(ptr, len) {
      ptr = ptr >>> 0; len = len >>> 0;
      CF.checkRange(ptr, len);
      return HEAPU8.slice(ptr, ptr + len);
    },
    str: function(ptr) {
      return ptr ? UTF8ToString(ptr >>> 0) : '';
    },
    // Allocate a NUL-terminated UTF-8 copy of s; caller frees with freeStr.
    allocStr: function(s) {
      var r = CF.copyIn(CF.utf8(s), true);
      if (!r) throw new RangeError('cfuture: out of wasm memory');
      return r;
    },
    freeBlock: function(r) { if (r) _cfw_free(r[0], r[1]); },
    latin1: function(bytes) {
      var s = '';
      for (var i = 0; i < bytes.length; i += 8192)
        s += String.fromCharCode.apply(null, bytes.subarray(i, i + 8192));
      return s;
    },
    latin1Bytes: function(s) {
      var b = new Uint8Array(s.length);
      for (var i = 0; i < s.length; i++) b[i] = s.charCodeAt(i) & 0xff;
      return b;
    },
    errorMessage: function(e) {
      if (e && typeof e === 'object' && typeof e.message === 'string') {
        var m = e.message;
        var c = e.cause;
        if (c && typeof c === 'object' && (c.message || c.code))
          m += ': ' + (c.message || c.code);
        return m;
      }
      try { return String(e); } catch (e2) { return 'unprintable rejection'; }
    },

    // ---- drivers ----------------------------------------------------------
    init: function() {
      // What a host function gets as its last argument: the signal is
      // made on first read, aborted if the op was cancelled meanwhile.
      CF.HostCall = function() { this.ctl = null; this.canceled = false; };
      Object.defineProperty(CF.HostCall.prototype, 'signal', { get: function() {
        if (this.ctl === null) {
          this.ctl = new AbortController();
          if (this.canceled) this.ctl.abort();
        }
        return this.ctl.signal;
      } });
      CF.HostCall.prototype.cancel = function() {
        this.canceled = true;
        if (this.ctl !== null) this.ctl.abort();
      };
      CF.promiseRecs = [];
      CF.calls = new Map();
      CF.hostFns = Object.create(null);
      CF.isNode = typeof process === 'object' && process.versions != null &&
        process.versions.node != null;
    },
    hostNow: function() { return performance.now(); },
    driverNew: function() {
      var d = { id: CF.drivers.length, rt: 0, timer: null, deadline: -1,
                runPending: 0, keep: null, alive: 0, paused: false, virt: 0,
                offset: 0, dead: false, channel: null, arms: 0 };
      var self = d;
      d.runNow = function() {
        self.runPending = 0;
        if (!self.dead && self.rt) _cfw_runtime_turn(self.rt);
      };
      d.fire = function() {
        self.timer = null;
        CF.stats.hostTimersArmed--;
        CF.stats.timerFires++;
        if (self.dead || self.deadline < 0) return;
        if (CF.now(self) < self.deadline) { // host timers may fire early: never let C see that
          CF.stats.earlyFires++;
          CF.schedule(self);
          return;
        }
        if (self.rt) _cfw_runtime_turn(self.rt);
      };
      CF.drivers.push(d);
      return d.id;
    },
    now: function(d) {
      return d.paused ? d.virt : CF.hostNow() - d.offset;
    },
    clearTimer: function(d) {
      if (d.timer !== null) {
        if (d.timerIsImmediate) clearImmediate(d.timer);
        else clearTimeout(d.timer);
        d.timer = null;
        CF.stats.hostTimersArmed--;
      }
    },
    schedule: function(d) {
      CF.clearTimer(d);
      if (d.deadline < 0 || d.paused || d.dead) return;
      var delay = Math.ceil(d.deadline - CF.now(d));
      // setTimeout takes at most 2^31-1 ms; a longer wait re-arms on fire.
      delay = Math.min(Math.max(delay, 0), 2147483647);
      // Already due (the runtime fell behind a burst of timers): fire on
      // the next check phase, not through setTimeout(0)'s 1 ms clamp, or
      // every batch of a burst would add a millisecond of lateness.
      d.timerIsImmediate = delay === 0 && typeof setImmediate === 'function';
      if (delay === 0) CF.stats.overdueArms++;
      d.timer = d.timerIsImmediate ? setImmediate(d.fire) : setTimeout(d.fire, delay);
      // Liveness is the keepalive handle's job (the runtime counts timers).
      // Never unref an Immediate: Node then blocks in its poll phase as if it
      // were not there (until some other timer), instead of running it.
      if (!d.timerIsImmediate && d.timer && typeof d.timer.unref === 'function') d.timer.unref();
      CF.stats.hostTimersArmed++;
      if (CF.stats.hostTimersArmed > CF.stats.maxHostTimersArmed)
        CF.stats.maxHostTimersArmed = CF.stats.hostTimersArmed;
    },
    macrotask: function(d) {
      if (typeof setImmediate === 'function') {
        setImmediate(d.runNow);
        return;
      }
      if (!d.channel) { // browsers: MessageChannel is not clamped like setTimeout(0)
        d.channel = new MessageChannel();
        d.channel.port1.onmessage = d.runNow;
      }
      d.channel.port2.postMessage(0);
    },
    driverFree: function(d) {
      d.dead = true;
      d.rt = 0;
      CF.clearTimer(d);
      d.deadline = -1;
      if (d.keep) { clearInterval(d.keep); d.keep = null; }
      if (d.channel) { d.channel.port1.close(); d.channel = null; }
      CF.drivers[d.id] = null;
    },
    driverOf: function(rt) {
      for (var i = 1; i < CF.drivers.length; i++) {
        var d = CF.drivers[i];
        if (d && d.rt === rt) return d;
      }
      return null;
    },
    // Virtual clock (tokio's time::pause): time stands still until advanced.
    pause: function(d) {
      if (d.paused) return;
      // Whole milliseconds, so virtual deadlines are exact: sleep(100) then
      // advance(100) fires it (a fractional start would round it up).
      d.virt = Math.ceil(CF.now(d));
      d.paused = true;
      CF.clearTimer(d);
    },
    resume: function(d) {
      if (!d.paused) return;
      d.offset = CF.hostNow() - d.virt; // continue from the virtual time
      d.paused = false;
      CF.schedule(d);
    },
    settle: function() {
      return new Promise(function(resolve) {
        if (typeof setImmediate === 'function') setImmediate(resolve);
        else { var c = new MessageChannel(); c.port1.onmessage = function() { c.port1.close(); resolve(); }; c.port2.postMessage(0); }
      });
    },
    // Move virtual time forward by ms, stopping at each due deadline so that
    // timers fire in order and tasks they wake run before later timers.
    advance: async function(d, ms) {
      if (!d.paused) throw new Error('cfuture: clock.advance needs a paused clock');
      var target = d.virt + Math.max(0, ms);
      await CF.settle();
      while (!d.dead && d.deadline >= 0 && d.deadline <= target) {
        d.virt = Math.max(d.virt, d.deadline);
        if (d.rt) _cfw_runtime_turn(d.rt);
        await CF.settle();
      }
      d.virt = target;
      await CF.settle();
    },

    // ---- fetch --------------------------------------------------------------
    headerList: function(ptr, len) {
      var bytes = CF.copyOut(ptr, len), out = [], parts = [], start = 0;
      for (var i = 0; i < bytes.length; i++) {
        if (bytes[i] === 0) { parts.push(CF.latin1(bytes.subarray(start, i))); start = i + 1; }
      }
      for (var j = 0; j + 1 < parts.length; j += 2) out.push([parts[j], parts[j + 1]]);
      return out;
    },
    fetchErrorCode: function(e) {
      var c = e && e.cause;
      var code = c && typeof c === 'object' ? c.code : undefined;
      if (code === 'ECONNREFUSED') return CF.E.ECONNREFUSED;
      if (code === 'ERR_INVALID_URL' || (e && e.name === 'TypeError' && /invalid url|failed to parse url/i.test(e.message || '')))
        return CF.E.EINVAL;
      if (e && e.name === 'AbortError') return CF.E.ECANCELED;
      return CF.E.ENETWORK;
    },
    fetchFail: function(h, rec, f, rc, msg) {
      if (!CF.opLive(h, rec)) return;
      CF.opFree(h);
      try { rec.ctl.abort(); } catch (e) {}
      var m = msg ? CF.copyIn(CF.utf8(msg), true) : null;
      _cfw_fetch_done(f, rc, m ? m[0] : 0, m ? m[1] : 0);
    },
    headBlocks: function(res) {
      var parts = [], n = 0;
      res.headers.forEach(function(value, name) {
        parts.push(CF.latin1Bytes(name), CF.latin1Bytes(value));
        n++;
      });
      var total = 0, i;
      for (i = 0; i < parts.length; i++) total += parts[i].length + 1;
      var buf = new Uint8Array(total), o = 0;
      for (i = 0; i < parts.length; i++) { buf.set(parts[i], o); o += parts[i].length + 1; }
      return { bytes: buf, n: n };
    },
    // Deliver status and headers; false if out of memory (all freed).
    deliverHead: function(f, res, stream) {
      var st = CF.copyIn(CF.utf8(res.statusText || ''), true);
      var hb = CF.headBlocks(res);
      var hd = st ? CF.copyIn(hb.bytes, false) : null;
      if (!st || !hd) { CF.freeBlock(st); CF.freeBlock(hd); return false; }
      _cfw_fetch_head(f, res.status, st[0], st[1], hd[0], hd[1], hb.n, stream);
      return true;
    },
    runFetch: async function(h, rec, f, url, init, max, stream) {
      var res;
      try {
        res = await fetch(url, init);
      } catch (e) {
        CF.fetchFail(h, rec, f, CF.fetchErrorCode(e), CF.errorMessage(e));
        return;
      }
      if (!CF.opLive(h, rec)) return; // dropped: the signal already aborted the body
      if (stream) {
        var reader = res.body ? res.body.getReader() : null;
        var srec = reader ? { kind: 'body', ctl: rec.ctl, reader: reader, max: max,
                              total: 0, stash: null, pending: null, reading: false } : null;
        if (srec) srec.cancel = function() { CF.bodyCancel(srec); };
        var sh = srec ? CF.opNew(srec) : 0;
        if (!CF.deliverHead(f, res, sh)) {
          if (sh) CF.opCancel(sh);
          CF.fetchFail(h, rec, f, CF.E.ENOMEM, 'out of memory');
          return;
        }
        CF.opFree(h);
        _cfw_fetch_done(f, 0, 0, 0);
        return;
      }
      var len = Number(res.headers.get('content-length'));
      if (max > 0 && len > max) {
        CF.fetchFail(h, rec, f, CF.E.EMSGSIZE, 'body of ' + len + ' bytes exceeds ' + max);
        return;
      }
      var chunks = [], total = 0;
      if (res.body) {
        var rd = res.body.getReader();
        for (;;) {
          var r;
          try {
            r = await rd.read();
          } catch (e) {
            CF.fetchFail(h, rec, f, CF.fetchErrorCode(e), CF.errorMessage(e));
            return;
          }
          if (!CF.opLive(h, rec)) return;
          if (r.done) break;
          total += r.value.length;
          if (max > 0 && total > max) {
            CF.fetchFail(h, rec, f, CF.E.EMSGSIZE, 'body exceeds ' + max + ' bytes');
            return;
          }
          chunks.push(r.value);
        }
      }
      var ptr = _cfw_malloc(total || 1) >>> 0;
      if (!ptr) { CF.fetchFail(h, rec, f, CF.E.ENOMEM, 'out of memory'); return; }
      CF.checkRange(ptr, total);
      var heap = HEAPU8, o = ptr; // no call into C until the copy is done
      for (var i = 0; i < chunks.length; i++) { heap.set(chunks[i], o); o += chunks[i].length; }
      if (!CF.deliverHead(f, res, 0)) {
        _cfw_free(ptr, total || 1);
        CF.fetchFail(h, rec, f, CF.E.ENOMEM, 'out of memory');
        return;
      }
      _cfw_fetch_body(f, ptr, total, total || 1);
      CF.opFree(h);
      _cfw_fetch_done(f, 0, 0, 0);
    },
    bodyCancel: function(srec) {
      srec.dead = true;
      try { srec.ctl.abort(); } catch (e) {}
      srec.reader.cancel().catch(CF.noop);
    },
    // Pull one chunk from the network: only when C has asked for one.
    bodyPump: function(sh, srec) {
      srec.reading = true;
      CF.stats.bodyReads++;
      srec.reader.read().then(function(r) {
        srec.reading = false;
        if (srec.dead) return;
        if (r.done) srec.stash = { done: true };
        else {
          srec.total += r.value.length;
          if (srec.max > 0 && srec.total > srec.max)
            srec.stash = { rc: CF.E.EMSGSIZE };
          else srec.stash = { value: r.value };
        }
        CF.bodyDeliver(sh, srec);
      }, function(e) {
        srec.reading = false;
        if (srec.dead) return;
        srec.stash = { rc: CF.fetchErrorCode(e) };
        CF.bodyDeliver(sh, srec);
      }).catch(CF.report);
    },
    bodyDeliver: function(sh, srec) {
      var p = srec.pending;
      srec.pending = null;
      if (!p || !CF.opLive(p.h, p.rec) || !srec.stash) return; // the chunk waits for the next read
      var s = srec.stash;
      srec.stash = null;
      CF.opFree(p.h);
      if (s.value) {
        var c = CF.copyIn(s.value, false);
        if (c) { _cfw_fetch_chunk_done(p.r, 0, c[0], s.value.length, c[1], 0); return; }
        s = { rc: CF.E.ENOMEM };
      }
      // End or error: the body handle goes away with it.
      if (CF.opFree(sh) && s.rc) CF.bodyCancel(srec);
      _cfw_fetch_chunk_done(p.r, s.done ? 0 : s.rc, 0, 0, 0, 1);
    },

    // ---- promises ---------------------------------------------------------
    convert: function(v, as) {
      // Returns { number } or { bytes } or { rc, msg }.
      switch (as) {
        case 0: return { number: 0 };
        case 1:
          if (typeof v === 'number') return { number: v };
          if (typeof v === 'bigint' || typeof v === 'boolean') return { number: Number(v) };
          return { rc: CF.E.EINVAL, msg: 'expected a number, got ' + (v === null ? 'null' : typeof v) };
        case 2: return { bytes: CF.utf8(typeof v === 'string' ? v : String(v)) };
        case 3:
          if (v instanceof Uint8Array) return { bytes: v };
          if (v instanceof ArrayBuffer) return { bytes: new Uint8Array(v) };
          if (ArrayBuffer.isView(v)) return { bytes: new Uint8Array(v.buffer, v.byteOffset, v.byteLength) };
          if (typeof v === 'string') return { bytes: CF.utf8(v) };
          return { rc: CF.E.EINVAL, msg: 'expected bytes, got ' + (v === null ? 'null' : typeof v) };
        case 4:
          try {
            var s = JSON.stringify(v);
            return { bytes: CF.utf8(s === undefined ? 'null' : s) };
          } catch (e) {
            return { rc: CF.E.EINVAL, msg: CF.errorMessage(e) };
          }
      }
      return { rc: CF.E.EINVAL, msg: 'unknown conversion ' + as };
    },
    // Host-op records of awaited promises are pooled: a record goes back
    // to the pool only once its promise reaction has run (so a late
    // settlement can never be mistaken for a later op's), and its two
    // reaction callbacks are made once per record, not per await.
    promiseRec: function() {
      var rec = CF.promiseRecs.pop();
      if (rec) return rec;
      rec = { kind: 'promise', h: 0, p: 0, as: 0, ctx: null, rc: 0,
              onOk: null, onErr: null, cancel: null };
      rec.onOk = function(v) { CF.promiseSettle(rec, true, v); };
      rec.onErr = function(e) { CF.promiseSettle(rec, false, e); };
      rec.cancel = function() { var c = rec.ctx; if (c) c.cancel(); };
      return rec;
    },
    promiseSettle: function(rec, ok, v) {
      var h = rec.h, p = rec.p, as = rec.as, rc = rec.rc;
      var live = CF.opGet(h) === rec;
      rec.h = rec.p = rec.rc = 0;
      rec.ctx = null;
      CF.promiseRecs.push(rec);
      if (!live) return; // dropped meanwhile: ignore
      CF.opFree(h);
      try {
        // The common case (a number) converts without allocating.
        if (ok && as === 1 && typeof v === 'number') {
          _cfw_promise_done(p, 0, v, 0, 0, 0, 0, 0);
          return;
        }
        var out = ok ? CF.convert(v, as)
                     : { rc: rc || CF.E.EJS, msg: CF.errorMessage(v) };
        if (out.rc) {
          var m = CF.copyIn(CF.utf8(out.msg || ''), true);
          _cfw_promise_done(p, out.rc, 0, 0, 0, 0, m ? m[0] : 0, m ? m[1] : 0);
          return;
        }
        var d = out.bytes ? CF.copyIn(out.bytes, true) : null;
        if (out.bytes && !d) { _cfw_promise_done(p, CF.E.ENOMEM, 0, 0, 0, 0, 0, 0); return; }
        _cfw_promise_done(p, 0, out.number || 0, d ? d[0] : 0, out.bytes ? out.bytes.length : 0, d ? d[1] : 0, 0, 0);
      } catch (e) {
        CF.report(e); // never a rejection of the reaction's own promise
      }
    },
    // The name of the host function at ptr: the last one is kept with its
    // bytes, so a loop awaiting the same function does not decode it again.
    hostName: function(ptr, len) {
      var c = CF.lastName, i;
      ptr = ptr >>> 0;
      CF.checkRange(ptr, len);
      if (c !== null && c.bytes.length === len) {
        for (i = 0; i < len && HEAPU8[ptr + i] === c.bytes[i]; i++);
        if (i === len) return c.name;
      }
      c = { bytes: HEAPU8.slice(ptr, ptr + len), name: '' };
      c.name = CF.fromUtf8(c.bytes);
      CF.lastName = c;
      return c.name;
    },
    promiseStart: function(p, source, fnName, json, as) {
      var rec = CF.promiseRec();
      var value, ok = true;
      rec.p = p;
      rec.as = as;
      if (source) {
        var vr = CF.opGet(source);
        if (vr && vr.kind === 'value') {
          CF.opFree(source);
          value = vr.value;
        } else {
          ok = false;
          value = new Error('unknown or already consumed value handle ' + source);
          rec.rc = CF.E.EINVAL;
        }
      } else {
        var fn = CF.hostFns[fnName];
        if (typeof fn !== 'function') {
          ok = false;
          value = new Error('no host function named "' + fnName + '"');
          rec.rc = CF.E.EINVAL;
        } else {
          try {
            // The AbortController is made only if the function reads its
            // signal (HostCall): it is most of the cost of a short call.
            var ctx = rec.ctx = new CF.HostCall();
            if (json === null) {
              value = fn(ctx);
            } else {
              var args = JSON.parse(json);
              if (args == null) args = [];
              else if (!Array.isArray(args)) args = [args];
              args.push(ctx);
              value = fn.apply(null, args);
            }
          } catch (e) {
            ok = false;
            value = e;
          }
        }
      }
      rec.h = CF.opNew(rec);
      if (!ok && rec.rc) {
        queueMicrotask(function() { rec.onErr(value); });
        return rec.h;
      }
      (ok ? Promise.resolve(value) : Promise.reject(value)).then(rec.onOk, rec.onErr);
      return rec.h;
    },
    // A JS value (usually a Promise) handed to C as a handle.
    valueNew: function(v) {
      if (v && typeof v.then === 'function') v.then(CF.noop, CF.noop); // C observes it; never unhandled
      return CF.opNew({ kind: 'value', value: v });
    },

    // ---- rt.call settlement -----------------------------------------------
    callSettle: function(id, rc, type, number, data, len) {
      var c = CF.calls.get(id);
      if (!c) return; // aborted or disposed: already rejected
      CF.calls.delete(id);
      var v;
      try {
        if (rc >= 0) {
          if (type === 1) v = number;
          else if (type === 2) v = CF.fromUtf8(CF.copyOut(data, len));
          else if (type === 3) v = CF.copyOut(data, len);
          else if (type === 4) v = JSON.parse(CF.fromUtf8(CF.copyOut(data, len)));
        }
      } catch (e) {
        c.fail(e);
        return;
      }
      c.settle(rc, v);
    }
  },

  cfjs_driver_new__deps: ['$CF'],
  cfjs_driver_new: function() { return CF.driverNew(); },
  cfjs_driver_free__deps: ['$CF'],
  cfjs_driver_free: function(id) { var d = CF.drivers[id]; if (d) CF.driverFree(d); },
  cfjs_driver_attach__deps: ['$CF'],
  cfjs_driver_attach: function(id, rt) { var d = CF.drivers[id]; if (d) d.rt = rt; },
  cfjs_driver_now__deps: ['$CF'],
  cfjs_driver_now: function(id) { return CF.now(CF.drivers[id]); },
  cfjs_driver_arm__deps: ['$CF'],
  cfjs_driver_arm: function(id, deadline) {
    var d = CF.drivers[id];
    d.arms++;
    d.deadline = deadline;
    CF.schedule(d);
  },
  cfjs_driver_request_run__deps: ['$CF'],
  cfjs_driver_request_run: function(id, kind) {
    var d = CF.drivers[id];
    if (d.runPending) return; // coalesce: one outstanding run per runtime
    d.runPending = kind + 1;
    if (kind === 0) { CF.stats.microtasks++; queueMicrotask(d.runNow); }
    else { CF.stats.macrotasks++; CF.macrotask(d); }
  },
  cfjs_driver_keepalive__deps: ['$CF'],
  cfjs_driver_keepalive: function(id, alive) {
    var d = CF.drivers[id];
    d.alive = alive;
    if (!CF.isNode) return;
    if (!d.keep) {
      d.keep = setInterval(CF.noop, 1 << 30);
      d.keep.unref();
    }
    if (alive) d.keep.ref(); else d.keep.unref();
  },

  cfjs_op_cancel__deps: ['$CF'],
  cfjs_op_cancel: function(handle) { CF.opCancel(handle); },

  cfjs_fetch_start__deps: ['$CF'],
  cfjs_fetch_start: function(f, method, url, headers, hlen, body, blen, hasBody, maxBody, stream) {
    var rec = { kind: 'fetch', ctl: new AbortController() };
    rec.cancel = function() { rec.ctl.abort(); };
    var init = { method: CF.str(method), headers: CF.headerList(headers, hlen),
                 signal: rec.ctl.signal };
    if (hasBody) init.body = CF.copyOut(body, blen);
    var h = CF.opNew(rec);
    CF.stats.fetches++;
    CF.runFetch(h, rec, f, CF.str(url), init, maxBody, !!stream).catch(function(e) {
      CF.report(e);
      CF.fetchFail(h, rec, f, CF.E.EHOST, CF.errorMessage(e));
    });
    return h;
  },
  cfjs_fetch_read__deps: ['$CF'],
  cfjs_fetch_read: function(r, sh, remaining) {
    var srec = CF.opGet(sh);
    if (!srec || srec.kind !== 'body' || srec.pending) return 0;
    var rec = { kind: 'read' };
    var h = CF.opNew(rec);
    srec.pending = { h: h, rec: rec, r: r };
    if (srec.stash) queueMicrotask(function() { CF.bodyDeliver(sh, srec); });
    else if (!srec.reading) CF.bodyPump(sh, srec);
    return h;
  },

  cfjs_promise_await__deps: ['$CF'],
  cfjs_promise_await: function(p, source, fn, fnLen, json, as) {
    return CF.promiseStart(p, source >>> 0, fn ? CF.hostName(fn, fnLen >>> 0) : null,
                           json ? CF.str(json) : null, as);
  },
  cfjs_value_release__deps: ['$CF'],
  cfjs_value_release: function(handle) {
    var r = CF.opGet(handle);
    if (r && r.kind === 'value') CF.opFree(handle);
  },

  cfjs_call_settle__deps: ['$CF'],
  cfjs_call_settle: function(id, rc, type, number, data, len) {
    CF.callSettle(id >>> 0, rc, type, number, data, len);
  }
};

mergeInto(LibraryManager.library, LibraryCFuture);
