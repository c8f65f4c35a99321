// keepalive.test.mjs: Node stays alive exactly while the runtime has work
// (tasks, timers, host ops) and exits on its own when it is done.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_MODULE, runNode } from './helpers.mjs';

const INDEX = new URL('../../bindings/index.mjs', import.meta.url).href;

function runChild(body, timeoutMs = 10000) {
  const src = `import { loadRuntime } from ${JSON.stringify(INDEX)};
const rt = await loadRuntime({ module: ${JSON.stringify(TEST_MODULE)}, host: { later: (ms) => new Promise((r) => setTimeout(() => r(5), ms).unref()) } });
const t0 = performance.now();
${body}`;
  return runNode(['--unhandled-rejections=strict', '--input-type=module', '-e', src], timeoutMs);
}

test('a sleeping task keeps Node alive; it exits on its own after', async () => {
  const r = await runChild(`rt.call('sleep', 300).then((v) => console.log('slept', Math.round(performance.now() - t0)));`);
  assert.equal(r.code, 0, r.err);
  const m = /slept (\d+)/.exec(r.out);
  assert.ok(m, r.out + r.err);
  assert.ok(Number(m[1]) >= 299);
});

test('a pending host Promise keeps Node alive', async () => {
  // The host's own timer is unref'd: only the runtime's hold keeps Node up.
  const r = await runChild(`rt.call('call_host', 'later', '[200]', 1).then((v) => console.log('host', v.code));`);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /host CF_OK/);
});

test('an idle runtime does not keep Node alive', async () => {
  const t0 = performance.now();
  const r = await runChild(`console.log('idle', await rt.call('add', 1, 2));`);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /idle 3/);
  assert.ok(performance.now() - t0 < 5000);
});

test('an rt.call aborted by its signal lets Node exit at once', async () => {
  // The abort comes from a JS timer, outside any turn, and completes the
  // call's task right there (no turn follows).
  const r = await runChild(`const ac = new AbortController();
setTimeout(() => ac.abort(), 50);
try { await rt.call('sleep', 60000, { signal: ac.signal }); } catch (e) { console.log('aborted', e.name, Math.round(performance.now() - t0)); }`, 5000);
  assert.equal(r.code, 0, r.err);
  const m = /aborted AbortError (\d+)/.exec(r.out);
  assert.ok(m, r.out + r.err);
});
