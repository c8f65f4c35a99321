// leaks.test.mjs: the wasm heap (live bytes through the allocator hook)
// and the host-op table return to their baseline after large workloads.
// Each workload runs once to warm up (the task slot table and timer heap
// keep their capacity by design), then again against the baseline.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadTestRuntime, startServer, until } from './helpers.mjs';

let rt, srv;
before(async () => {
  srv = await startServer();
  rt = await loadTestRuntime();
});
after(async () => {
  rt.dispose();
  await srv.close();
});

async function settled() {
  await until(() => { const s = rt.stats(); return s.liveTasks === 0 && s.hostOps === 0 && s.hostHolds === 0 && s.liveTimers === 0; },
    10000, 'runtime idle');
}

async function checkReturnsToBaseline(run) {
  await run();
  await settled();
  const base = await rt.call('live_bytes');
  await run();
  await settled();
  const now = await rt.call('live_bytes');
  assert.equal(now, base, `live bytes ${now} vs baseline ${base}`);
  assert.equal(rt.module.cfuture.liveOps(), 0);
}

test('1e5 tasks', async () => {
  await checkReturnsToBaseline(async () => {
    assert.equal(await rt.call('spawn', 2, 100000), 100000);
  });
});

test('1e4 dropped fetches', async () => {
  await checkReturnsToBaseline(async () => {
    let timedOut = 0;
    for (let i = 0; i < 10; i++) {
      const r = await rt.call('fetch_many', `${srv.base}/slow?sleep=10000`, 1000, 2);
      timedOut += r.timedOut;
    }
    assert.equal(timedOut, 10000);
  });
});

test('1e5 cancelled timers (in one poll, and in aborted tasks)', async () => {
  await checkReturnsToBaseline(async () => {
    assert.equal(await rt.call('cancel_timers', 100000), 0);
    assert.equal(await rt.call('abort_sleepers', 100000), 100000);
  });
  assert.equal(rt.stats().hostTimerArmed, 0);
});

test('promises and calls', async () => {
  rt.host('v', async () => 'x'.repeat(100));
  await checkReturnsToBaseline(async () => {
    for (let i = 0; i < 1000; i++) await rt.call('call_host', 'v', null, 2);
    const ac = new AbortController();
    const ps = [];
    for (let i = 0; i < 1000; i++) ps.push(rt.call('sleep', 100000, { signal: ac.signal }).catch((e) => e.name));
    ac.abort();
    assert.ok((await Promise.all(ps)).every((n) => n === 'AbortError'));
  });
});
