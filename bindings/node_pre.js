// node_pre.js: --pre-js of cfuture modules that include Node (runs inside
// the factory, before the module reads its options). In Node, Emscripten
// 3.1.6 would fetch() the .wasm's file: URL, which Node's fetch rejects
// ("fetch failed"). Unless the caller passed the bytes (wasmBinary) or its
// own instantiateWasm, read the file the module would have fetched
// (wasmBinaryFile: next to the .mjs, or what Module.locateFile returned)
// and instantiate it; a read error rejects the factory's promise.
// (An -sSINGLE_FILE module's wasmBinaryFile is a data: URL: decoded here.)
if (typeof process == 'object' && process.versions != null && process.versions.node != null &&
    typeof window == 'undefined' && !Module['wasmBinary'] && !Module['instantiateWasm']) {
  Module['instantiateWasm'] = function (imports, receive) {
    var file = wasmBinaryFile;
    var comma = file.indexOf(',');
    var read = /^data:/.test(file) // -sSINGLE_FILE: the .wasm is in the URL itself
      ? Promise.resolve(Buffer.from(file.slice(comma + 1), 'base64'))
      : process.getBuiltinModule('fs').promises.readFile(/^file:/.test(file) ? new URL(file) : file);
    read.then(function (bytes) { return WebAssembly.instantiate(bytes, imports); })
      .then(function (r) { receive(r.instance, r.module); }, function (e) {
        try { abort('cfuture: cannot load ' + file + ': ' + (e && e.message || e)); } catch (_) { /* abort rejected the factory's promise */ }
      });
    return {};
  };
}
