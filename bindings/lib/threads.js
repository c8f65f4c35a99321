/* threads.js: the JS side of the threaded build's blocking pool
 * (src/wasm/threads.c). Only linked into modules that call it, i.e. the
 * -pthread flavour; never throws into C (a failed terminate is ignored: the
 * Worker is gone or going either way).
 *
 * Idle release: the pool's threads have exited (or were left to exit by a
 * freed runtime). Emscripten keeps their Workers for reuse (unusedWorkers),
 * and a live Worker keeps Node running, so they are terminated. A Worker
 * whose thread is still winding down reaches unusedWorkers a moment later:
 * sweep again every 20 ms for up to 1 s while any Worker still runs (the
 * timer is unref'd: it never keeps Node alive by itself). Workers running
 * threads are never touched; a later spawn makes new ones. */
var LibraryCFutureThreads = {
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
