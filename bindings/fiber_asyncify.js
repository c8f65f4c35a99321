/* fiber_asyncify.js: the JS side of Asyncify in a cfuture fiber module
 * (linked by the "fibers" list of scripts/emcc-flags.json only).
 *
 * cfuture's fibers switch entirely inside wasm (src/wasm/fiber_em.c calls
 * Binaryen's Asyncify runtime from C): no unwind ever reaches JavaScript.
 * Emscripten's JS half of -sASYNCIFY (3.1.6) still wraps every wasm export
 * in a function that pushes the export's name on Asyncify.exportCallStack,
 * calls it with .apply(arguments) and pops it in a finally block, so that
 * a JS-driven sleep knows where to rewind. That wrapper is on every
 * completion and every executor turn JS starts: it was the stackless tax
 * of a fiber module (bench/README.md, W9: w4seq 1.13x the plain build).
 * Here the exports stay unwrapped.
 *
 * What this rules out: JS-driven Asyncify (EM_ASYNC_JS, emscripten_sleep,
 * Asyncify.handleSleep), which never worked on a fiber or inside a poll in
 * these modules anyway (ASYNCIFY_IGNORE_INDIRECT leaves the executor
 * uninstrumented). It now stops with a message instead of corrupting the
 * stack: await with cf_await on a fiber instead. */
mergeInto(LibraryManager.library, {
  $Asyncify__postset:
    'Asyncify.instrumentWasmExports = function(exports) { return exports; };\n' +
    'Asyncify.handleSleep = function() {\n' +
    '  abort("cfuture: JS-driven Asyncify (EM_ASYNC_JS, emscripten_sleep) is not supported in a fiber module: ' +
    'await a cf_promise_t with cf_await on a fiber (docs/fibers.md)");\n' +
    '};'
});
