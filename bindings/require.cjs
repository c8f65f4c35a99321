'use strict';
// require.cjs: require('cfuture') from CommonJS in Node. cfuture is an ES
// module; Node >= 20.19 can require() it (no top-level await anywhere in
// it), which this does. Older Node gets an error that says what to do.
try {
  module.exports = require('./node.mjs');
} catch (e) {
  if (e && (e.code === 'ERR_REQUIRE_ESM' || e.code === 'ERR_REQUIRE_ASYNC_MODULE')) {
    throw new Error("cfuture is an ES module and this Node cannot require() it (Node >= 20.19 can): " +
      "use const { loadRuntime } = await import('cfuture')", { cause: e });
  }
  throw e;
}
