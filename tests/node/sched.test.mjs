// sched.test.mjs: fairness with the host event loop: starvation and
// responsiveness under busy C tasks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadTestRuntime, startServer, withTimeout, timingTest } from './helpers.mjs';

let rt, srv;
before(async () => {
  srv = await startServer();
  rt = await loadTestRuntime();
});
after(async () => {
  rt.dispose();
  await srv.close();
});

test('100 self-waking tasks starve neither a sleep nor a fetch', async () => {
  await rt.call('spawn', 0, 100);
  const t0 = performance.now();
  const [nap, res] = await withTimeout(Promise.all([
    rt.call('sleep', 50),
    rt.call('fetch_info', `${srv.base}/slow?sleep=20`)
  ]), 10000, 'sleep and fetch under 100 spinning tasks');
  const elapsed = performance.now() - t0;
  const polls = await rt.call('stop_wakers');
  assert.ok(nap.end - nap.start >= 50);
  assert.equal(res.text, 'slept');
  assert.ok(elapsed < 5000, `took ${elapsed} ms`);
  assert.ok(polls > 1000, `the spinners ran meanwhile (${polls} polls)`);
  await withTimeout((async () => { while (rt.stats().liveTasks) await new Promise((r) => setImmediate(r)); })(), 5000, 'spinners stop');
});

test('1e4 busy tasks: event-loop delay p99 < 20 ms', timingTest, async () => {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  const done = await rt.call('spawn', 1, 10000, 1500, 20);
  h.disable();
  assert.equal(done, 10000);
  const p99 = h.percentile(99) / 1e6;
  const max = h.max / 1e6;
  console.log(`# event-loop delay p99 ${p99.toFixed(2)} ms, max ${max.toFixed(2)} ms`);
  assert.ok(p99 < 20, `p99 ${p99} ms`);
  assert.ok(rt.module.cfuture.hostStats().macrotasks > 10, 'turns continued on macrotasks');
});
