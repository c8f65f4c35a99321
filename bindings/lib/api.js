/* api.js: what bindings/runtime.mjs may use of a module ($CFApi, exposed
 * as Module.cfuture): functions only, never internal fields, so the JS API
 * and the library can change independently. Also owns the settlement of
 * rt.call Promises and deferred teardown.
 *
 * Invariants:
 *   - every rt.call entry is settled exactly once: by C (callSettle), by
 *     its abort, or by the runtime's teardown (C settles every call it
 *     drops with CF_ECANCELED);
 *   - a runtime is never freed while any C frame is on the stack: free
 *     requested inside a crossing (a host function, a print hook, an abort
 *     listener) runs when the outermost crossing returns (CFX.depth).
 */
var LibraryCFutureApi = {
  $CFApi__deps: ['$CF', '$CFC', '$CFX', '$CFDriver', '$CFPromise'],
  $CFApi__postset: 'CFApi.init(); Module["cfuture"] = CFApi;',
  $CFApi: {
    // Serialised at link time: values made in the running host are set by
    // init().
    contract: null,
    calls: null,
    nextCall: 0,
    init: function() { CFApi.contract = CFC; CFApi.calls = new Map(); },

    // ---- runtimes -----------------------------------------------------------
    runtimeNew: function(budgetPolls, budgetMs, coopBudget) {
      return CFX.runtimeNew(budgetPolls, budgetMs, coopBudget);
    },
    // Free now, or when the outermost crossing unwinds. Pending calls of
    // this runtime reject with CF_ECANCELED either way.
    runtimeFree: function(rt) {
      var d = CFDriver.of(rt);
      if (d) { d.hostFns.clear(); CFPromise.changed(); } // nothing new may start on its behalf
      CFX.afterCrossings(function() { CFX.runtimeFree(rt); });
    },
    liveOps: function() { return CF.liveOps; },
    hostStats: function() { return Object.assign({}, CFDriver.stats); },
    // Start a new high-water mark of armed host timers (benchmarks).
    hostStatsResetMax: function() {
      CFDriver.stats.maxHostTimersArmed = CFDriver.stats.hostTimersArmed;
    },

    // ---- host functions and values -----------------------------------------
    hostSet: function(rt, name, fn) {
      var d = CFDriver.of(rt);
      if (!d) throw new Error('cfuture: runtime has no JS driver');
      d.hostFns.set(name, fn);
      CFPromise.changed();
    },
    valueNew: function(v) { return CFPromise.valueNew(v); },
    valueRelease: function(h) { CFPromise.valueRelease(h); },

    // ---- clock ----------------------------------------------------------------
    driver: function(rt) {
      var d = CFDriver.of(rt);
      if (!d) throw new Error('cfuture: runtime has no JS driver');
      return d;
    },
    clockNow: function(rt) { return Math.floor(CFDriver.now(CFApi.driver(rt))); },
    clockPaused: function(rt) { return CFApi.driver(rt).paused; },
    clockPause: function(rt) { CFDriver.pause(CFApi.driver(rt)); },
    clockResume: function(rt) { CFDriver.resume(CFApi.driver(rt)); },
    // Validates synchronously (TypeError / RangeError), then advances.
    clockAdvance: function(rt, ms) {
      var d = CFApi.driver(rt);
      CFDriver.checkAdvance(d, ms);
      return CFDriver.advance(d, ms);
    },
    timerArmed: function(rt) {
      var d = CFDriver.of(rt);
      return d && d.timer !== null ? 1 : 0;
    },
    alive: function(rt) {
      var d = CFDriver.of(rt);
      return d ? d.alive : 0;
    },

    // ---- calls ------------------------------------------------------------------
    // args: [{ type, number, bytes }] already validated by runtime.mjs.
    // entry: { settle(rc, value, message), fail(error) }. Returns the call
    // id (> 0) or a negative CF_E* code (nothing was started, nothing kept).
    callStart: function(rt, name, args, entry) {
      CFApi.lastError = '';
      var a = CFX.argsNew(args.length);
      if (!a) return CF.E.ENOMEM;
      var nameBlock = null;
      try {
        for (var i = 0; i < args.length; i++) {
          var v = args[i], block = null;
          if (v.type === CFC.types.undefined) continue; // slots start undefined
          if (v.bytes) {
            block = CF.copyIn(v.bytes, true);
            if (!block) { CFX.argsFree(a); return CF.E.ENOMEM; }
          }
          var rc = CFX.argsSet(a, i, v.type, v.number, block ? block[0] : 0, v.bytes ? v.bytes.length : 0);
          if (rc < 0) {
            CFX.argsFree(a);
            CFApi.lastError = 'argument ' + i + ' was refused by C';
            return rc;
          }
        }
        nameBlock = CF.copyIn(CF.utf8(name), true);
      } catch (e) {
        CFX.argsFree(a);
        throw e;
      }
      if (!nameBlock) { CFX.argsFree(a); return CF.E.ENOMEM; }
      var id = CFApi.nextCall = (CFApi.nextCall + 1) >>> 0 || 1;
      CFApi.calls.set(id, entry);
      var rec;
      try {
        rec = CFX.callStart(rt, nameBlock[0], a, id, nameBlock[1] - 1); // takes the args in every case
      } finally {
        CF.freeBlock(nameBlock);
      }
      if (rec < 0) {
        CFApi.calls.delete(id);
        CFApi.lastError = CFX.callError();
        return rec;
      }
      entry.rec = rec;
      return id;
    },
    // Why the last callStart returned a negative code ('' if unknown).
    lastError: '',
    callError: function() { return CFApi.lastError; },
    // Reject now (the caller does), drop the task's frame on its next poll.
    callAbort: function(id) {
      var e = CFApi.calls.get(id);
      if (!e) return false;
      CFApi.calls.delete(id);
      CFX.callAbort(e.rec);
      return true;
    },
    callSettle: function(id, rc, type, number, data, len, msgPtr, msgLen) {
      var c = CFApi.calls.get(id);
      if (!c) return; // aborted or disposed: already rejected
      CFApi.calls.delete(id);
      var v, msg = null;
      try {
        if (rc >= 0) {
          if (type === CFC.types.number) v = number;
          else if (type === CFC.types.string) v = CF.fromUtf8(CF.copyOut(data, len));
          else if (type === CFC.types.bytes) v = CF.copyOut(data, len);
          else if (type === CFC.types.json) v = JSON.parse(CF.fromUtf8(CF.copyOut(data, len)));
        } else if (msgPtr) {
          msg = CF.fromUtf8(CF.copyOut(msgPtr, msgLen));
        }
      } catch (e) {
        c.fail(e);
        return;
      }
      c.settle(rc, v, msg);
    },

    // ---- inspector ----------------------------------------------------------
    stats: function(rt) {
      var n = CFC.statsFields.length, bytes = n * 8;
      var buf = CFX.malloc(bytes);
      if (!buf) throw new RangeError('cfuture: out of wasm memory');
      try {
        CFX.runtimeStats(rt, buf);
        var f = new Float64Array(CF.copyOut(buf, bytes).buffer), out = {};
        for (var i = 0; i < n; i++) out[CFC.statsFields[i]] = f[i];
        return out;
      } finally {
        CFX.free(buf, bytes);
      }
    },
    // Returns an array of records named by CFC.taskFields (strings
    // resolved, state as its name).
    tasks: function(rt) {
      var nf = CFC.taskFields.length, cap = 64;
      for (;;) {
        var bytes = cap * nf * 8;
        var buf = CFX.malloc(bytes);
        if (!buf) throw new RangeError('cfuture: out of wasm memory');
        try {
          var n = CFX.tasks(rt, buf, cap);
          if (n < 0) return n;
          if (n > cap) { cap = n; continue; }
          var f = new Float64Array(CF.copyOut(buf, n * nf * 8).buffer), out = [];
          for (var i = 0; i < n; i++) {
            var r = {};
            for (var k = 0; k < nf; k++) {
              var name = CFC.taskFields[k], x = f[i * nf + k];
              if (name.slice(-3) === 'Ptr') r[name.slice(0, -3)] = x ? CF.str(x) : null;
              else if (name === 'state') r.state = CFC.taskStates[x] || 'unknown';
              else r[name] = x;
            }
            out.push(r);
          }
          return out;
        } finally {
          CFX.free(buf, bytes);
        }
      }
    },
    errName: function(rc) {
      for (var k in CFC.errors) if (CFC.errors[k].errno === rc) return k;
      return rc < 0 ? 'CF_E' + (-rc) : 'CF_OK';
    },
    strerror: function(rc) {
      for (var k in CFC.errors) if (CFC.errors[k].errno === rc) return CFC.errors[k].message;
      return 'error ' + rc;
    }
  }
};

mergeInto(LibraryManager.library, LibraryCFutureApi);
