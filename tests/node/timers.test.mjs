// timers.test.mjs: the JS driver's host timer, ordering, the virtual clock.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadTestRuntime, sleep, until, timingTest } from './helpers.mjs';

let rt, cf;
before(async () => {
  rt = await loadTestRuntime();
  cf = rt.module.cfuture;
});
after(() => rt.dispose());

test('equal deadlines fire in start order', async () => {
  const order = await rt.call('order', 50, 20);
  assert.deepEqual(order, Array.from({ length: 50 }, (_, i) => i));
});

test('sleeps never complete early (runtime and host clocks)', async () => {
  // Short sleeps from arbitrary sub-ms phases: deadlines start from the
  // clock rounded up to a quarter-ms tick, so even measured with the
  // host's fractional clock nothing completes before its duration.
  for (const ms of [1, 2, 3, 5, 17, 40, 1, 2, 1, 3, 1, 2]) {
    const t0 = performance.now();
    const r = await rt.call('sleep', ms);
    const host = performance.now() - t0;
    assert.ok(r.end - r.start >= ms, `runtime clock: ${r.end - r.start} < ${ms}`);
    assert.ok(host >= ms, `host clock: ${host} < ${ms}`);
  }
});

test('at most one host timer with 1e5 C timers pending', timingTest, async () => {
  const base = cf.hostStats().maxHostTimersArmed;
  assert.ok(base <= 1);
  const n = await rt.call('spawn_sleepers', 100000, 1500, 500);
  assert.equal(n, 100000);
  await until(() => rt.stats().liveTimers === 100000, 5000, '1e5 timers registered');
  assert.equal(cf.hostStats().hostTimersArmed, 1);
  assert.equal(rt.stats().hostTimerArmed, 1);
  await until(() => rt.stats().liveTasks === 0, 10000, 'sleepers finished');
  assert.equal(cf.hostStats().maxHostTimersArmed, 1);
  assert.equal(rt.stats().liveTimers, 0);
  assert.equal(cf.hostStats().hostTimersArmed, 0);
});

test('delays beyond 2^31-1 ms are split, never fired early', async () => {
  const fires = cf.hostStats().timerFires;
  const p = rt.call('sleep', 3e9, { signal: AbortSignal.timeout(100) }); // rejects with the signal's reason, as fetch does
  await assert.rejects(p, { name: 'TimeoutError' });
  // Node would clamp an over-long setTimeout to 1 ms and fire at once.
  assert.equal(cf.hostStats().timerFires, fires);
  await until(() => rt.stats().liveTimers === 0, 2000, 'timer cancelled');
});

test('virtual clock: pause, advance fires timers in order, resume', async () => {
  rt.clock.pause();
  assert.equal(rt.clock.paused, true);
  const t0 = rt.clock.now();
  const got = [];
  const a = rt.call('sleep', 1000).then((r) => got.push(['a', r.end - r.start]));
  const b = rt.call('sleep', 500).then((r) => got.push(['b', r.end - r.start]));
  await sleep(30);
  assert.deepEqual(got, [], 'nothing fires while paused');
  await rt.clock.advance(499);
  assert.deepEqual(got, []);
  await rt.clock.advance(1);
  assert.deepEqual(got, [['b', 500]]);
  await rt.clock.advance(10000);
  await Promise.all([a, b]);
  assert.deepEqual(got, [['b', 500], ['a', 1000]]);
  assert.equal(rt.clock.now(), t0 + 10500);
  rt.clock.resume();
  assert.equal(rt.clock.paused, false);
  const r = await rt.call('sleep', 10);
  assert.ok(r.start >= t0 + 10500, 'time continues from the virtual time');
});

test('deadlines keep quarter milliseconds: a sleep started at a fractional time fires a tick after it, never before', async () => {
  rt.clock.pause();
  try {
    const t0 = rt.clock.now(); // pause() makes it a whole ms
    await rt.clock.advance(0.375); // amounts exact in binary: no float drift
    let fired = false;
    const p = rt.call('sleep', 10).then((r) => { fired = true; return r; });
    await rt.clock.advance(10); // t0 + 10.375: before start + 10 ms
    assert.equal(fired, false);
    await rt.clock.advance(0.0625); // t0 + 10.4375: start rounded up to a tick is t0 + 0.5
    assert.equal(fired, false, 'never before the deadline, counted in ticks');
    await rt.clock.advance(0.0625); // t0 + 10.5: start + 10 ms, rounded up to a tick
    assert.equal(fired, true, 'whole-ms deadlines would have waited until t0 + 11');
    const r = await p;
    assert.equal(r.start, t0, 'the runtime clock C reads (cf_runtime_now) stays whole ms');
    assert.equal(r.end, t0 + 10);
  } finally {
    rt.clock.resume();
  }
});

test('a timer already overdue when armed runs on the next macrotask', async () => {
  // One sleeper busies the thread for 80 ms right after its 5 ms timer, so
  // the other's 30 ms deadline is long past when it becomes the earliest
  // (unless the host timer itself were 25 ms late):
  // the driver must not route it through setTimeout(0) (clamped to 1 ms).
  const before = cf.hostStats().overdueArms;
  assert.equal(await rt.call('overdue', 80), 1);
  assert.ok(cf.hostStats().overdueArms > before, 'the overdue deadline took the immediate path');
  assert.equal(rt.stats().liveTimers, 0);
  assert.equal(cf.hostStats().hostTimersArmed, 0);
});
