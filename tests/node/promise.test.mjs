// promise.test.mjs: the Promise bridge in both directions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadTestRuntime, until, sleep } from './helpers.mjs';
import { createRuntime } from '../../bindings/runtime.mjs';

let rt;
const seen = { aborted: 0 };
before(async () => {
  rt = await loadTestRuntime({
    host: {
      num: (x) => Promise.resolve(x * 2),
      str: async (s) => `got ${s}`,
      bytes: async () => new Uint8Array([0, 1, 2, 255]),
      json: async (o) => ({ echo: o, list: [1, 'two'] }),
      plain: () => 42,
      reject: async (m) => { throw new TypeError(m); },
      rejectValue: () => Promise.reject('just a string'),
      throws: () => { throw new Error('sync throw'); },
      never: (opts) => new Promise(() => {
        opts.signal.addEventListener('abort', () => seen.aborted++);
      }),
      later: (ms) => new Promise((r) => setTimeout(() => r(7), ms)),
      // Which shapes receive the call object ({ signal }) after their
      // arguments: every one that can see it (1 = got it).
      none: () => 5,
      neverNone: () => new Promise(() => {}),
      one: (o) => (o.signal instanceof AbortSignal ? 1 : 0),
      dflt: (o = null) => (o && o.signal ? 1 : 0),
      destr: ({ signal } = {}) => (signal ? 1 : 0),
      rest: (...a) => a.length,
      args: function () { return arguments.length; },
      bound: function () { return arguments.length; }.bind(null),
      after: (x, o) => x + (o && o.signal ? 1 : 0),
      restAfter: (...a) => a.length,
      // Names around the 16-byte inline buffer of cf_promise_t.
      abcdefghijklm: () => 13,
      abcdefghijklmn: () => 14,
      abcdefghijklmno: () => 15,
      abcdefghijklmnop: () => 16
    }
  });
});
after(() => rt.dispose());

test('C awaits JS values: number, string, bytes, JSON, plain values', async () => {
  let r = await rt.call('call_host', 'num', '[21]', 1);
  assert.equal(r.code, 'CF_OK');
  assert.equal(r.number, 42);
  r = await rt.call('call_host', 'str', '["ü"]', 2);
  assert.equal(r.text, 'got ü');
  r = await rt.call('call_host', 'bytes', null, 3);
  assert.equal(r.len, 4);
  r = await rt.call('call_host', 'json', '[{"a":1}]', 4);
  assert.deepEqual(JSON.parse(r.text), { echo: { a: 1 }, list: [1, 'two'] });
  r = await rt.call('call_host', 'plain', null, 1);
  assert.equal(r.number, 42);
});

test('rejections become CF_EJS with the message', async () => {
  let r = await rt.call('call_host', 'reject', '["boom"]', 1);
  assert.equal(r.code, 'CF_EJS');
  assert.equal(r.error, 'boom');
  r = await rt.call('call_host', 'rejectValue', null, 1);
  assert.equal(r.code, 'CF_EJS');
  assert.equal(r.error, 'just a string');
  r = await rt.call('call_host', 'throws', null, 1);
  assert.equal(r.error, 'sync throw');
  r = await rt.call('call_host', 'missing', null, 1);
  assert.equal(r.code, 'CF_EINVAL');
  assert.match(r.error, /no host function/);
  r = await rt.call('call_host', 'str', null, 1);
  assert.equal(r.code, 'CF_EINVAL', 'a string is not a number');
});

test('await a Promise handed over as a handle', async () => {
  let r = await rt.call('await_handle', rt.handle(Promise.resolve('hi')), 2);
  assert.equal(r.text, 'hi');
  r = await rt.call('await_handle', rt.handle(Promise.reject(new Error('no'))), 2);
  assert.equal(r.code, 'CF_EJS');
  assert.equal(r.error, 'no');
  const h = rt.handle(Promise.resolve(1));
  await rt.call('await_handle', h, 1);
  r = await rt.call('await_handle', h, 1);
  assert.equal(r.code, 'CF_EINVAL', 'a handle is consumed once');
  assert.equal(rt.stats().hostOps, 0);
});

test('dropping the C future aborts the host signal and ignores late results', async () => {
  const before = seen.aborted;
  let r = await rt.call('call_host', 'never', null, 1, 30);
  assert.equal(r.code, 'CF_ETIMEDOUT');
  assert.equal(seen.aborted, before + 1);
  r = await rt.call('call_host', 'later', '[60]', 1, 20);
  assert.equal(r.code, 'CF_ETIMEDOUT');
  await sleep(80); // the late resolution arrives and must be ignored
  assert.equal(rt.stats().hostOps, 0);
  assert.equal(rt.stats().hostHolds, 0);
});

test('rt.call results and C errors', async () => {
  assert.equal(await rt.call('add', 2, 40), 42);
  assert.equal(await rt.call('echo', 'text ✓'), 'text ✓');
  assert.deepEqual(await rt.call('echo', { a: [1, null] }), { a: [1, null] });
  assert.deepEqual(await rt.call('echo', new Uint8Array([9, 8])), new Uint8Array([9, 8]));
  await assert.rejects(rt.call('fail', -110), (e) => e instanceof Error && e.code === 'CF_ETIMEDOUT' && e.errno === -110);
  await assert.rejects(rt.call('init_fails'), { code: 'CF_ERANGE' });
  await assert.rejects(rt.call('no_such_export'), { code: 'CF_ENOENT' });
});

test('aborting the signal aborts the C task and rejects with AbortError', async () => {
  const ac = new AbortController();
  const p = rt.call('sleep', 60000, { signal: ac.signal });
  await until(() => rt.tasks().some((t) => t.name === 'sleep' && t.awaits === 'sleep'), 2000, 'task visible');
  ac.abort();
  await assert.rejects(p, (e) => e instanceof DOMException && e.name === 'AbortError');
  await until(() => rt.tasks().length === 0, 2000, 'task gone');
  assert.equal(rt.stats().liveTimers, 0);
  const pre = new AbortController();
  pre.abort();
  await assert.rejects(rt.call('sleep', 10, { signal: pre.signal }), { name: 'AbortError' });
  // A signal that never fires does not keep anything alive.
  assert.equal(await rt.call('add', 1, 1, { signal: new AbortController().signal }), 2);
});

test('tasks() shows names, states, awaits, polls and wakes', async () => {
  const p = rt.call('sleep', 100);
  await until(() => rt.tasks().length === 1, 2000, 'task listed');
  const [t] = rt.tasks();
  assert.equal(t.name, 'sleep');
  assert.equal(t.state, 'idle');
  assert.equal(t.awaits, 'sleep');
  assert.ok(t.id > 0);
  assert.ok(t.polls >= 1);
  await p;
  assert.deepEqual(rt.tasks(), []);
});

test('dispose rejects pending calls with CF_ECANCELED', async () => {
  const rt2 = await loadTestRuntime();
  const p = rt2.call('sleep', 60000);
  await sleep(10);
  rt2.dispose();
  await assert.rejects(p, { code: 'CF_ECANCELED' });
  await assert.rejects(rt2.call('add', 1, 2), /disposed/);
});

test('host functions get the call object exactly when they can see it', async () => {
  const got = async (fn, json = null) => {
    const r = await rt.call('call_host', fn, json, 1);
    assert.equal(r.code, 'CF_OK', fn);
    return r.number;
  };
  assert.equal(await got('none'), 5);
  for (const fn of ['one', 'dflt', 'destr', 'rest', 'args', 'bound']) assert.equal(await got(fn), 1, fn);
  assert.equal(await got('after', '[41]'), 42);
  assert.equal(await got('restAfter', '[1,2]'), 3);
  // One without the object is still cancelled cleanly when C drops it.
  const r = await rt.call('call_host', 'neverNone', null, 1, 20);
  assert.equal(r.code, 'CF_ETIMEDOUT');
  assert.equal(rt.stats().hostOps, 0);
  assert.equal(rt.stats().hostHolds, 0);
});

test('host function names of every length around the inline buffer', async () => {
  for (const [fn, n] of [['abcdefghijklm', 13], ['abcdefghijklmn', 14], ['abcdefghijklmno', 15], ['abcdefghijklmnop', 16]]) {
    // alternating with a short name, so the bindings' name cache misses
    assert.equal((await rt.call('call_host', fn, null, 1)).number, n, fn);
    assert.equal((await rt.call('call_host', 'none', null, 1)).number, 5);
    assert.equal((await rt.call('call_host', fn, '[]', 1)).number, n, fn + ' with JSON arguments');
  }
});

// promise.c tells JS when a call names the same function as the last one
// sent, and JS then reuses its resolution without reading the name: it
// must never call another function than the one named.
test('repeated host calls: same-length names, re-registered functions, two runtimes', async () => {
  rt.host('va', () => 1).host('vb', () => 2);
  for (let i = 0; i < 3; i++) {
    assert.equal((await rt.call('call_host', 'va', null, 1)).number, 1);
    assert.equal((await rt.call('call_host', 'va', null, 1)).number, 1);
    assert.equal((await rt.call('call_host', 'vb', null, 1)).number, 2);
  }
  rt.host('va', () => 10); // same name, new function: the next call sees it
  assert.equal((await rt.call('call_host', 'va', null, 1)).number, 10);
  assert.equal((await rt.call('call_host', 'va', null, 1)).number, 10);
  // a missing name between two repeated ones
  const r = await rt.call('call_host', 'vx', null, 1);
  assert.equal(r.code, 'CF_EINVAL', 'vx is not registered');
  assert.equal((await rt.call('call_host', 'va', null, 1)).number, 10);
  // another runtime on the same module: its own function under the same name
  const other = createRuntime(rt.module, { host: { va: () => 20 } });
  try {
    assert.equal((await other.call('call_host', 'va', null, 1)).number, 20);
    assert.equal((await rt.call('call_host', 'va', null, 1)).number, 10);
    assert.equal((await other.call('call_host', 'va', null, 1)).number, 20);
  } finally {
    other.dispose();
  }
});

// A completion whose task is all there is to run polls that task directly
// (runtime.c, cf__runtime_host_run); what the poll leaves behind must go on
// as if the wake had been queued: a cf_yield_now still waits for the next
// turn (a macrotask), a self-wake is polled again in the same turn, a
// spawned child and a timer armed by that poll run, and nothing is left
// held afterwards.
test('the direct poll of a completed await hands yields, wakes, spawns and timers to the turn', async () => {
  const N = 20;
  const stats = () => rt.module.cfuture.hostStats();
  const idle = () => {
    const s = rt.stats();
    assert.equal(s.hostHolds, 0, 'no hold left');
    assert.equal(s.hostOps, 0, 'no host op left');
    assert.equal(s.liveTimers, 0, 'no timer left');
    assert.equal(s.queuedTasks, 0, 'nothing queued');
  };
  assert.equal(await rt.call('after_await', 'none', N, 0), 5 * N);
  idle();
  let m0 = stats().macrotasks;
  assert.equal(await rt.call('after_await', 'none', N, 1), 5 * N);
  assert.ok(stats().macrotasks - m0 >= N, `a yield after each await waited for a macrotask (${stats().macrotasks - m0} for ${N})`);
  idle();
  m0 = stats().macrotasks;
  assert.equal(await rt.call('after_await', 'none', N, 2), 5 * N);
  assert.ok(stats().macrotasks - m0 < N, 'a self-wake is polled again in the same turn, not a macrotask later');
  idle();
  const turns0 = rt.stats().turns;
  assert.equal(await rt.call('after_await', 'none', N, 3), 10 * N);
  // two host awaits per round (the parent's, the child's), each completed
  // by a direct poll that a turn continues (the spawned child, the woken
  // parent): one turn each, not two
  const perRound = (rt.stats().turns - turns0) / N;
  assert.ok(perRound >= 1.9 && perRound < 3, `turns per round with a spawn: ${perRound}`);
  idle();
  const t0 = performance.now();
  assert.equal(await rt.call('after_await', 'none', 5, 4), 25);
  assert.ok(performance.now() - t0 >= 5 - 0.5, 'five 1 ms sleeps took at least 5 ms');
  idle();
});

test('a future polled after ready is reported once on console.error and the runtime goes on', async () => {
  const rt = await loadTestRuntime();
  const lines = [];
  const orig = console.error;
  console.error = (...a) => lines.push(a.join(' '));
  let n;
  try {
    n = await rt.call('misuse');
  } finally {
    console.error = orig;
  }
  assert.equal(n, 1);
  assert.deepEqual(lines, ["cfuture: misuse of future 'ready': polled after it returned ready"]);
  assert.equal(await rt.call('add', 2, 3), 5);
  rt.dispose();
});
