/* threads.js: the JS side of the threaded build's blocking pool
 * (src/wasm/threads.c). Only linked into modules that call it, i.e. the
 * -pthread flavour; never throws into C (a failed terminate is ignored: the
 * Worker is gone or going either way). */
var LibraryCFutureThreads = {
  // The pool's last thread was joined: drop the Workers Emscripten keeps
  // for reuse, so they do not keep Node alive. The next pthread_create
  // makes a new one.
  cfjs_threads_idle: function() {
    try {
      if (typeof PThread === 'undefined') return;
      var idle = PThread.unusedWorkers.splice(0);
      for (var i = 0; i < idle.length; i++) {
        try { idle[i].terminate(); } catch (e) { /* already gone */ }
      }
    } catch (e) { /* never throw into C */ }
  }
};
mergeInto(LibraryManager.library, LibraryCFutureThreads);
