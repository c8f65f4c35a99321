// fiber.test.mjs: fiber exports (CF_EXPORT_FIBER) called through rt.call,
// from the fiber test module (build-wasm/cfuture_fiber_test.mjs, linked
// with Asyncify by cfuture_add_fiber_module; C in tests/wasm/fiber/).
// A fiber export looks like any export to JS: results, a JS Promise
// awaited inside the fiber, fiber and stackless children, select and
// timeout, AbortSignal aborts that unwind the fiber (its cleanup runs, the
// heap returns to its baseline), a fiber ignoring cancellation (abandoned,
// counted, the runtime keeps serving), deep recursion, 1e4 concurrent
// fibers, the inspector, and stackless exports in the same module.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadRuntime } from '../../bindings/index.mjs';
import { createRuntime } from '../../bindings/runtime.mjs';
import { until, withTimeout } from './helpers.mjs';

const FIBER_MODULE = process.env.CF_FIBER_TEST_MODULE ||
  fileURLToPath(new URL('../../build-wasm/cfuture_fiber_test.mjs', import.meta.url));

let rt;
before(async () => {
  rt = await loadRuntime({
    module: FIBER_MODULE,
    host: { double: async (x) => { await new Promise((r) => setTimeout(r, 2)); return 2 * x; } }
  });
});
after(() => rt.dispose());

const counts = () => rt.call('fiber_counts');
const T = { timeout: 30000 };

test('a fiber export returns its result; its locals survive awaits', T, async () => {
  const r = await rt.call('fiber_sleeps', 3, 10);
  assert.equal(r.n, 3);
  assert.ok(r.end - r.start >= 30, `slept ${r.end - r.start} ms`);
});

test('a fiber awaits a JS Promise (host function)', T, async () => {
  assert.equal(await rt.call('fiber_js', 21), 42);
  assert.equal(await rt.call('fiber_js', -1.5), -3);
});

test('fiber and stackless children, select and timeout inside a fiber', T, async () => {
  assert.deepEqual(await rt.call('fiber_mix'),
    { fiber: 7, stackless: 5, select: 0, index: 1, timeout: 'CF_ETIMEDOUT' });
});

test('AbortSignal unwinds the fiber: its cleanup runs, nothing leaks', T, async () => {
  const base = await counts();
  for (let i = 0; i < 20; i++) {
    const ac = new AbortController();
    const p = rt.call('fiber_hold', 60000, { signal: ac.signal });
    setTimeout(() => ac.abort(), i % 4); // before and after the first poll
    await assert.rejects(p, { name: 'AbortError' });
  }
  await until(() => rt.stats().liveTasks === 0, 5000, 'tasks gone');
  const c = await counts();
  assert.equal(c.live, 0);
  assert.equal(c.liveBytes, base.liveBytes);
  assert.ok(c.unwound - base.unwound >= 15, `unwound ${c.unwound - base.unwound} of 20`);
  assert.equal(rt.stats().liveTimers, 0);
});

test('an already-aborted signal rejects without running the fiber', T, async () => {
  const before = await counts();
  await assert.rejects(rt.call('fiber_hold', 60000, { signal: AbortSignal.abort() }),
    { name: 'AbortError' });
  const c = await counts();
  assert.equal(c.created, before.created);
});

test('a fiber that ignores cancellation is abandoned and counted', T, async () => {
  const base = await counts();
  const ac = new AbortController();
  const p = rt.call('fiber_stubborn', { signal: ac.signal });
  setTimeout(() => ac.abort(), 10);
  await assert.rejects(p, { name: 'AbortError' });
  const c = await counts();
  assert.equal(c.abandoned, base.abandoned + 1);
  assert.equal(c.live, 0);
  // the runtime keeps serving
  assert.equal(await rt.call('fiber_js', 2), 4);
});

test('the inspector shows a fiber export and what it awaits', T, async () => {
  const ac = new AbortController();
  const p = rt.call('fiber_hold', 60000, { signal: ac.signal });
  await until(() => rt.tasks().some((t) => t.name === 'fiber_hold' && t.awaits === 'sleep'),
    5000, 'fiber_hold awaiting sleep');
  ac.abort();
  await assert.rejects(p, { name: 'AbortError' });
});

test('deep recursion inside a fiber (1e3 frames, yield at the bottom)', T, async () => {
  assert.equal(await rt.call('fiber_deep', 1000), 1000);
});

test('1e4 concurrent fibers, then the heap is back to its baseline', T, async () => {
  await rt.call('fiber_many', 10); // grow the slot table once
  const base = await counts();
  const n = await withTimeout(rt.call('fiber_many', 10000), 25000, 'fiber_many');
  assert.equal(n, 10000);
  const c = await counts();
  assert.equal(c.live, 0);
  // the slot table grew for 1e4 tasks; everything else is back
  assert.ok(c.liveBytes - base.liveBytes < 256 * 1024, `grew ${c.liveBytes - base.liveBytes}`);
  const again = await rt.call('fiber_many', 10000);
  assert.equal(again, 10000);
  assert.equal((await counts()).liveBytes, c.liveBytes);
});

test('stackless exports run in the same (Asyncify) module', T, async () => {
  assert.equal(await rt.call('plain_spin', 1000), undefined);
});

test('dispose with suspended fibers unwinds them', T, async () => {
  // a second runtime on the same module instance, so rt can read counters
  const base = await counts();
  const other = createRuntime(rt.module);
  const calls = [1, 2, 3].map(() => other.call('fiber_hold', 60000));
  await until(() => other.tasks().filter((t) => t.awaits === 'sleep').length === 3, 5000,
    'three fibers asleep');
  other.dispose();
  for (const p of calls) await assert.rejects(p);
  const c = await counts();
  assert.equal(c.unwound, base.unwound + 3);
  assert.equal(c.live, 0);
  assert.equal(c.liveBytes, base.liveBytes);
});

test('an Asyncify buffer overflow is reported with the fiber\'s name (child process)', T, async () => {
  const { spawnSync } = await import('node:child_process');
  // The module aborts; the child exits as soon as the report reaches printErr.
  const script = `import { loadRuntime } from ${JSON.stringify(new URL('../../bindings/index.mjs', import.meta.url).href)};
const rt = await loadRuntime({ module: ${JSON.stringify(FIBER_MODULE)},
  printErr: (l) => { process.stderr.write(l + '\\n'); if (/overflowed/.test(l)) process.exit(3); } });
process.stdout.write('deep ' + await rt.call('fiber_deep', 5) + '\\n');
await rt.call('fiber_deep_small', 30);
process.exit(0);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.stdout, 'deep 5\n');
  assert.match(r.stderr, /cfuture: fiber 'small-buffer' overflowed its 256-byte Asyncify buffer/);
  assert.equal(r.status, 3);
});
