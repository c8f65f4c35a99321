// node_shim.js: --extern-pre-js for cfuture modules (ES module output).
// Emscripten 3.1.6's MODULARIZE+EXPORT_ES6 loader uses `require` and
// `__dirname`, which ES modules lack in Node; define both, and only in Node
// (nothing of this runs in a browser or worker).
var require, __dirname;
if (typeof process === 'object' && process.versions != null &&
    process.versions.node != null && typeof window === 'undefined') {
  require = (await import('module')).createRequire(import.meta.url);
  __dirname = require('path').dirname(require('url').fileURLToPath(import.meta.url));
}
