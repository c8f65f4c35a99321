/* threads.js: the JS side of the threaded build's blocking pool
 * (src/wasm/threads.c) and of the JS driver's cross-thread wake
 * (src/wasm/driver_js.c). Only linked into modules that call it, i.e. the
 * -pthread flavour; never throws into C.
 *
 * Wake: C keeps one Atomics.waitAsync armed on a futex word of the driver
 * (wait); pool threads bump the word and notify it. When the wait resolves
 * (a task on this thread's event loop, no polling) C runs the turn
 * (cfw_threads_woken) and arms again. A wait that finds the word already
 * changed resolves synchronously: the call into C then goes through a
 * microtask (C is on the stack now), and after 64 such in a row through a
 * macrotask, so a stream of completions cannot starve the event loop. A
 * wait that throws (never seen) is reported and retried after 1 ms.
 *
 * Idle release: the pool's threads have exited (or were left to exit by a
 * freed runtime). Emscripten keeps their Workers for reuse (unusedWorkers),
 * and a live Worker keeps Node running, so they are terminated. A Worker
 * whose thread is still winding down reaches unusedWorkers a moment later:
 * sweep again every 20 ms for up to 1 s while any Worker still runs (the
 * timer is unref'd: it never keeps Node alive by itself). Workers running
 * threads are never touched; a later spawn makes new ones. */
var LibraryCFutureThreads = {
  $CFThreads__deps: ['$CF', '$CFX'],
  $CFThreads: {
    view: null,
    syncStreak: 0,
    woken: function(d) {
      CFX.depth++;
      try { _cfw_threads_woken(d); } catch (e) { CFX.trap(e); } finally { CFX.leave(); }
    },
    heap32: function() {
      var buf = wasmMemory.buffer; // a new object only after memory growth
      if (!CFThreads.view || CFThreads.view.buffer !== buf) CFThreads.view = new Int32Array(buf);
      return CFThreads.view;
    }
  },

  cfjs_threads_has_wait_async: function() {
    return typeof Atomics === 'object' && typeof Atomics.waitAsync === 'function' ? 1 : 0;
  },

  cfjs_threads_wait__deps: ['$CFThreads'],
  cfjs_threads_wait: function(addr, seen, d) {
    var go = function() { CFThreads.woken(d); };
    try {
      var r = Atomics.waitAsync(CFThreads.heap32(), addr >> 2, seen);
      if (r.async) {
        CFThreads.syncStreak = 0;
        r.value.then(go, go);
        return;
      }
    } catch (e) { // never seen; degrade to a 1 ms poll rather than hang
      CF.report(e);
      setTimeout(go, 1);
      return;
    }
    if (++CFThreads.syncStreak < 64) queueMicrotask(go);
    else { CFThreads.syncStreak = 0; setTimeout(go, 0); }
  },

  cfjs_threads_idle: function() {
    try {
      if (typeof PThread === 'undefined') return;
      var sweep = function(left) {
        try {
          var idle = PThread.unusedWorkers.splice(0);
          for (var i = 0; i < idle.length; i++) {
            try { idle[i].terminate(); } catch (e) { /* already gone */ }
          }
          if (left > 0 && PThread.runningWorkers.length > 0) {
            var t = setTimeout(function() { sweep(left - 1); }, 20);
            if (t && typeof t.unref === 'function') t.unref();
          }
        } catch (e) { /* never throw into C */ }
      };
      sweep(50);
    } catch (e) { /* never throw into C */ }
  }
};
mergeInto(LibraryManager.library, LibraryCFutureThreads);
