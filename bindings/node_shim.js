// node_shim.js: --extern-pre-js of cfuture modules that include Node
// (module scope, outside the factory). Emscripten 3.1.6's ES module output
// calls require('fs'/'path') and reads __dirname in Node; ES modules have
// neither. Both come from process.getBuiltinModule (Node >= 20.16): no
// import('module') and no top-level await, so a bundler targeting browsers
// finds nothing to resolve here (`require` is a local variable), and none of
// this runs outside Node.
var require, __dirname;
if (typeof process == 'object' && process.versions != null &&
    process.versions.node != null && typeof window == 'undefined') {
  if (typeof process.getBuiltinModule != 'function') {
    throw new Error('cfuture: this module needs Node >= 20.16 (process.getBuiltinModule); found ' + process.version);
  }
  require = function (id) { return process.getBuiltinModule(id); };
  __dirname = require('path').dirname(require('url').fileURLToPath(import.meta.url));
}
