// sched.test.mjs: fairness with the host event loop: starvation and
// responsiveness under busy C tasks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadTestRuntime, startServer, withTimeout } from './helpers.mjs';

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

// Responsiveness is asserted by counting, not by timing (a loaded machine
// delays any callback): while the tasks run, the event loop must keep
// completing iterations (a setImmediate chain advances once per iteration)
// and the runtime must hand back between its turns (macrotasks). One turn
// holding the loop for the whole run would give ~1 iteration.
test('1e4 busy tasks: the event loop keeps turning meanwhile', async () => {
  const h = monitorEventLoopDelay({ resolution: 1 });
  let ticks = 0, ticking = true;
  const tick = () => { ticks++; if (ticking) setImmediate(tick); };
  const macro0 = rt.module.cfuture.hostStats().macrotasks;
  h.enable();
  setImmediate(tick);
  const done = await withTimeout(rt.call('spawn', 1, 10000, 1500, 20), 30000, 'busy tasks');
  ticking = false;
  h.disable();
  assert.equal(done, 10000);
  const turns = rt.module.cfuture.hostStats().macrotasks - macro0;
  console.log(`# ${ticks} loop iterations, ${turns} macrotask turns; event-loop delay p99 ${(h.percentile(99) / 1e6).toFixed(2)} ms (info)`);
  assert.ok(turns > 10, `turns continued on macrotasks (${turns})`);
  assert.ok(ticks > 10, `the event loop iterated ${ticks} times`);
});
