/* crossings.js: every crossing between C (wasm) and JavaScript, in both
 * directions, in one place. Read this file to know the whole boundary.
 *
 * C -> JS: the cfjs_* functions below are the only JS functions C imports
 *   (declared in src/wasm/js_imports.h). Each runs inside a guard: nothing
 *   JavaScript throws ever unwinds through a C frame. An import that starts
 *   an operation turns a fault into that operation's completion (CF_EJS and
 *   a message, delivered later like any completion); the others report it
 *   and return a value C already handles ("refused": 0).
 * JS -> C: $CFX wraps every C export JS calls (src/wasm/exports.h; the
 *   export list is generated from the EMSCRIPTEN_KEEPALIVE functions). The
 *   wrappers that can run C code which calls back into JS count their depth,
 *   so that teardown requested from inside (rt.dispose() in a host
 *   function, a print hook or an abort listener) waits until the outermost
 *   crossing has returned (CFX.afterCrossings). A trap in C (a bug, not a JS
 *   fault) is reported and the crossing returns as if nothing ran.
 *
 * Costs: a guarded crossing is one try block (free in V8 unless it
 * throws) and, for the counted ones, an increment and a decrement.
 */
var LibraryCFutureCrossings = {
  // ---- JS -> C ----------------------------------------------------------------
  $CFX__deps: ['$CF'],
  $CFX: {
    depth: 0,
    deferred: [],
    leave: function() {
      if (--CFX.depth === 0 && CFX.deferred.length) CFX.flush();
    },
    flush: function() {
      while (CFX.depth === 0 && CFX.deferred.length) {
        var fn = CFX.deferred.shift();
        try { fn(); } catch (e) { CF.report(e); }
      }
    },
    // Run fn now if no C frame is on the stack, else once the last returns.
    afterCrossings: function(fn) {
      if (CFX.depth === 0) fn();
      else CFX.deferred.push(fn);
    },
    trap: function(e) { CF.report(e); },

    // Counted: these run the executor (tasks, drops, host functions).
    runtimeTurn: function(rt) {
      CFX.depth++;
      try { return _cfw_runtime_turn(rt); } catch (e) { CFX.trap(e); return 0; } finally { CFX.leave(); }
    },
    runtimeFree: function(rt) {
      CFX.depth++;
      try { _cfw_runtime_free(rt); } catch (e) { CFX.trap(e); } finally { CFX.leave(); }
    },
    // nameLen: the name's UTF-8 bytes, so a NUL inside is refused, not cut.
    callStart: function(rt, name, args, id, nameLen) {
      CFX.depth++;
      try { return _cfw_call_start(rt, name, args, id, nameLen); } catch (e) { CFX.trap(e); return CF.E.EHOST; } finally { CFX.leave(); }
    },
    // Why the last callStart failed ("" if C has no more to say).
    callError: function() { return CF.str(_cfw_call_error()); },
    callAbort: function(rec) {
      CFX.depth++;
      try { _cfw_call_abort(rec); } catch (e) { CFX.trap(e); } finally { CFX.leave(); }
    },
    promiseDone: function(p, rc, number, data, len, size, msg, msgSize) {
      CFX.depth++;
      try { _cfw_promise_done(p, rc, number, data, len, size, msg, msgSize); } catch (e) { CFX.trap(e); } finally { CFX.leave(); }
    },
    // The usual settlement: a number, rc 0, no buffers.
    promiseNumber: function(p, number) {
      CFX.depth++;
      try { _cfw_promise_number(p, number); } catch (e) { CFX.trap(e); } finally { CFX.leave(); }
    },
    fetchDone: function(f, rc, msg, msgSize) {
      CFX.depth++;
      try { _cfw_fetch_done(f, rc, msg, msgSize); } catch (e) { CFX.trap(e); } finally { CFX.leave(); }
    },
    fetchChunkDone: function(r, rc, data, len, size, ended) {
      CFX.depth++;
      try { _cfw_fetch_chunk_done(r, rc, data, len, size, ended); } catch (e) { CFX.trap(e); } finally { CFX.leave(); }
    },
    // Not counted: plain C that never calls JS.
    runtimeNew: function(polls, ms, coop) { return _cfw_runtime_new(polls, ms, coop); },
    fetchHead: function(f, status, st, stSize, hd, hdSize, n, stream) {
      _cfw_fetch_head(f, status, st, stSize, hd, hdSize, n, stream);
    },
    fetchBody: function(f, ptr, len, size) { _cfw_fetch_body(f, ptr, len, size); },
    argsNew: function(n) { return _cfw_args_new(n); },
    // Takes the data block in every case; < 0 when C refuses the argument.
    argsSet: function(a, i, type, number, data, len) { return _cfw_args_set(a, i, type, number, data, len); },
    argsFree: function(a) { _cfw_args_free(a); },
    runtimeStats: function(rt, out) { _cfw_runtime_stats(rt, out); },
    tasks: function(rt, out, cap) { return _cfw_tasks(rt, out, cap); },
    malloc: function(n) { return _cfw_malloc(n) >>> 0; },
    free: function(p, n) { _cfw_free(p, n); }
  },

  // ---- C -> JS ----------------------------------------------------------------
  // driver (src/wasm/driver_js.c): ids name records in CFDriver.drivers.
  cfjs_driver_new__deps: ['$CF', '$CFDriver', '$CFX', '$CFApi'],
  cfjs_driver_new: function() {
    try { return CFDriver.create().id; } catch (e) { CF.report(e); return 0; }
  },
  cfjs_driver_free__deps: ['$CFDriver'],
  cfjs_driver_free: function(id) {
    try { var d = CFDriver.get(id); if (d) CFDriver.free(d); } catch (e) { CF.report(e); }
  },
  cfjs_driver_attach__deps: ['$CFDriver'],
  cfjs_driver_attach: function(id, rt) {
    var d = CFDriver.get(id);
    if (d) d.rt = rt;
  },
  // The clock C reads, in timer ticks (CFC.limits.ticksPerMs per ms),
  // rounded down, or up when `up` (an integer, as a double).
  cfjs_driver_ticks__deps: ['$CFDriver', '$CFC'],
  cfjs_driver_ticks: function(id, up) {
    var d = CFDriver.get(id);
    var t = d ? CFDriver.now(d) * CFC.limits.ticksPerMs : 0;
    return up ? Math.ceil(t) : Math.floor(t);
  },
  // Arm the one host timer for `deadline`, in ticks (< 0: disarm).
  cfjs_driver_arm__deps: ['$CFDriver', '$CFC'],
  cfjs_driver_arm: function(id, deadline) {
    try {
      var d = CFDriver.get(id);
      if (d) CFDriver.arm(d, deadline < 0 ? -1 : deadline / CFC.limits.ticksPerMs);
    } catch (e) { CF.report(e); }
  },
  // kind 0: a microtask turn; 1: a macrotask turn.
  cfjs_driver_request_run__deps: ['$CFDriver'],
  cfjs_driver_request_run: function(id, kind) {
    try { var d = CFDriver.get(id); if (d) CFDriver.requestRun(d, kind); } catch (e) { CF.report(e); }
  },
  cfjs_driver_keepalive__deps: ['$CFDriver'],
  cfjs_driver_keepalive: function(id, alive) {
    try { var d = CFDriver.get(id); if (d) CFDriver.keepalive(d, alive); } catch (e) { CF.report(e); }
  },

  // host ops: C dropped the future; abort the JS side (late completions of
  // the freed slot are ignored).
  cfjs_op_cancel__deps: ['$CF'],
  cfjs_op_cancel: function(handle) {
    try { CF.opCancel(handle); } catch (e) { CF.report(e); }
  },

  // fetch (src/wasm/fetch.c): completes through CFX.fetchHead/Body/Done.
  cfjs_fetch_start__deps: ['$CF', '$CFFetch'],
  cfjs_fetch_start: function(f, method, url, headers, hlen, body, blen, hasBody, maxBody, stream) {
    try {
      return CFFetch.start(f, method, url, headers, hlen, body, blen, hasBody, maxBody, stream);
    } catch (e) {
      CF.report(e);
      return 0; // refused: C completes it with CF_EHOST
    }
  },
  // One chunk of a streamed body; completes through CFX.fetchChunkDone.
  cfjs_fetch_read__deps: ['$CF', '$CFFetch'],
  cfjs_fetch_read: function(r, sh, remaining) {
    try { return CFFetch.read(r, sh); } catch (e) { CF.report(e); return 0; }
  },

  // promises (src/wasm/promise.c): completes through CFX.promiseDone or
  // CFX.promiseNumber.
  cfjs_promise_await__deps: ['$CF', '$CFPromise'],
  cfjs_promise_await: function(p, driverId, source, fn, fnLen, json, as, same) {
    try {
      return CFPromise.start(p, driverId, source >>> 0, fn, fnLen >>> 0, json, as, same);
    } catch (e) {
      CF.report(e);
      return 0; // refused (the table is full): C completes it with an error
    }
  },
  cfjs_value_release__deps: ['$CF', '$CFPromise'],
  cfjs_value_release: function(handle) {
    try { CFPromise.valueRelease(handle); } catch (e) { CF.report(e); }
  },

  // rt.call (src/wasm/export.c): settles the JS Promise of call `id`; the
  // value is copied out before C frees it. msg: an error text or 0.
  cfjs_call_settle__deps: ['$CF', '$CFApi'],
  cfjs_call_settle: function(id, rc, type, number, data, len, msg, msgLen) {
    try { CFApi.callSettle(id >>> 0, rc, type, number, data, len, msg >>> 0, msgLen >>> 0); } catch (e) { CF.report(e); }
  }
};

mergeInto(LibraryManager.library, LibraryCFutureCrossings);
