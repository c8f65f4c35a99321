// threads.test.mjs: the threaded module (threads.cmake, cfuture_threads_test:
// tests/wasm/threads/t_threads.c) in Node: blocking jobs on Emscripten
// pthreads (worker_threads) awaited from the event loop; results delivered
// once and identical to one thread's; a running job sees the call's abort;
// the event loop keeps turning while the pool is saturated; the process
// exits by itself when the pool has gone idle; after thousands of jobs the
// allocator's live bytes and the wasm heap are back to their baseline; a
// blocking job streams progress to a task through a thread channel (in
// order, exactly once, with backpressure; the receiver dropped mid-stream;
// the runtime disposed while the job blocks on a full ring, and Node still
// exits); completions still arrive where Atomics.waitAsync is missing (the
// postMessage path). Skipped when the module was not built. Every test has
// a time limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadRuntime } from '../../bindings/node.mjs';
import { runNode } from './helpers.mjs';

const MODULE = process.env.CF_THREADS_TEST_MODULE ||
  fileURLToPath(new URL('../../build-wasm/threads/cfuture_threads_test.mjs', import.meta.url));
const INDEX = new URL('../../bindings/node.mjs', import.meta.url).href;
const skip = existsSync(MODULE) ? {} : { skip: `${MODULE} not built` };

test('jobs on 1 and 2 threads give the same results', { ...skip, timeout: 60000 }, async () => {
  const rt = await loadRuntime({ module: MODULE });
  const one = await rt.call('par', 8, 2e6, 1);
  const two = await rt.call('par', 8, 2e6, 2);
  assert.equal(one.sum, two.sum);
  assert.equal(two.threads, 2);
  assert.ok(await rt.call('pool_threads') <= 2);
  rt.dispose?.();
});

test('empty jobs round-trip through the inbox', { ...skip, timeout: 60000 }, async () => {
  const rt = await loadRuntime({ module: MODULE });
  const r = await rt.call('empties', 200);
  assert.ok(r.us_per_job > 0 && r.us_per_job < 50000, JSON.stringify(r));
  rt.dispose?.();
});

test('aborting the call cancels a running job', { ...skip, timeout: 60000 }, async () => {
  const rt = await loadRuntime({ module: MODULE });
  const ac = new AbortController();
  const p = rt.call('until_cancel', { signal: ac.signal });
  await new Promise((r) => setTimeout(r, 100)); // let a Worker start it
  assert.equal(await rt.call('cancel_seen'), 0);
  ac.abort();
  await assert.rejects(p);
  const t0 = Date.now();
  while (await rt.call('cancel_seen') !== 1) {
    assert.ok(Date.now() - t0 < 10000, 'the job never saw its cancellation');
    await new Promise((r) => setTimeout(r, 10));
  }
  rt.dispose?.();
});

test('the event loop keeps turning while the pool is busy', { ...skip, timeout: 60000 }, async () => {
  const rt = await loadRuntime({ module: MODULE });
  let ticks = 0, worst = 0, last = performance.now();
  const iv = setInterval(() => {
    const now = performance.now();
    worst = Math.max(worst, now - last);
    last = now;
    ticks++;
  }, 5);
  const r = await rt.call('par', 4, 1e8, 2);
  clearInterval(iv);
  assert.ok(r.ms > 100, `jobs too short to tell (${r.ms} ms)`);
  assert.ok(ticks >= r.ms / 50, `only ${ticks} interval ticks in ${r.ms} ms`);
  assert.ok(worst < 200, `the event loop stalled for ${worst} ms`);
  rt.dispose?.();
});

test('the heap returns to its baseline after many jobs', { ...skip, timeout: 120000 }, async () => {
  const rt = await loadRuntime({ module: MODULE });
  await rt.call('par', 8, 1e5, 2); // warm: the pool, its Workers, the call machinery
  await rt.call('empties', 100);
  const base = await rt.call('live_bytes');
  const heap = rt.stats().heapBytes;
  let jobs = 0;
  for (let round = 0; round < 10; round++) {
    await rt.call('empties', 500);
    await rt.call('par', 64, 1e4, 2);
    jobs += 564;
    // A call's own frame is freed when it settles: between calls nothing of it is live.
    assert.equal(await rt.call('in_flight'), 0, `round ${round}: jobs still in flight`);
  }
  // An aborted running job is finalized once it returns: nothing leaks either.
  const ac = new AbortController();
  const p = rt.call('until_cancel', { signal: ac.signal });
  await new Promise((r) => setTimeout(r, 50));
  ac.abort();
  await assert.rejects(p);
  const t0 = Date.now();
  while (await rt.call('in_flight') !== 0) {
    assert.ok(Date.now() - t0 < 10000, 'the cancelled job was never finalized');
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(await rt.call('live_bytes'), base, `live bytes after ${jobs} jobs`);
  assert.equal(rt.stats().heapBytes, heap, 'the wasm heap grew');
  rt.dispose?.();
});

test('Node exits by itself once the pool is idle', { ...skip, timeout: 30000 }, async () => {
  const src = `import { loadRuntime } from ${JSON.stringify(INDEX)};
const rt = await loadRuntime({ module: ${JSON.stringify(MODULE)} });
const r = await rt.call('par', 4, 1e6, 2);
console.log('done', r.threads);`;
  const t0 = Date.now();
  const r = await runNode(['--input-type=module', '-e', src], 20000);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /done 2/);
  assert.ok(Date.now() - t0 < 15000);
});

test('a blocking job streams progress to a task through a thread channel', { ...skip, timeout: 60000 }, async () => {
  const rt = await loadRuntime({ module: MODULE });
  await rt.call('progress', 10, 2, 0); // warm: the pool (it lives as long as the runtime)
  const base = await rt.call('live_bytes');
  // A ring of 4 for 20000 values: the Worker blocks on a full ring again and again.
  const r = await rt.call('progress', 20000, 4, 0);
  assert.deepEqual(r, { count: 20000, last: 20000, bad: 0, job_rc: 20000 });
  const big = await rt.call('progress', 3000, 1024, 0);
  assert.deepEqual(big, { count: 3000, last: 3000, bad: 0, job_rc: 3000 });
  // The task drops the receiver after 100 values: the job's next send fails.
  const cut = await rt.call('progress', 1e9, 8, 100);
  assert.equal(cut.count, 100);
  assert.equal(cut.bad, 0);
  assert.equal(cut.job_rc, -1001, JSON.stringify(cut)); // CF_ECLOSED
  assert.equal(await rt.call('in_flight'), 0);
  assert.equal(await rt.call('live_bytes'), base, 'channel blocks freed');
  rt.dispose?.();
});

test('completions arrive without Atomics.waitAsync (the postMessage path)', { ...skip, timeout: 30000 }, async () => {
  const src = `delete Atomics.waitAsync;
import(${JSON.stringify(INDEX)}).then(async ({ loadRuntime }) => {
  const rt = await loadRuntime({ module: ${JSON.stringify(MODULE)} });
  const e = await rt.call('empties', 200);
  const p = await rt.call('progress', 2000, 4, 0);
  const r = await rt.call('par', 4, 1e5, 2);
  console.log(JSON.stringify({ ok: e.us_per_job > 0, p, threads: r.threads }));
});`;
  const r = await runNode(['-e', src], 20000);
  assert.equal(r.code, 0, r.err);
  const got = JSON.parse(r.out);
  assert.equal(got.ok, true);
  assert.deepEqual(got.p, { count: 2000, last: 2000, bad: 0, job_rc: 2000 });
  assert.equal(got.threads, 2);
});

test('disposing the runtime while a job blocks on a full thread channel: Node exits by itself', { ...skip, timeout: 30000 }, async () => {
  const src = `import { loadRuntime } from ${JSON.stringify(INDEX)};
const rt = await loadRuntime({ module: ${JSON.stringify(MODULE)} });
const p = rt.call('progress', 1e9, 2, 0); // the job fills the ring of 2, then blocks in cf_thread_send
p.catch((e) => console.log('rejected', e.name));
await new Promise((r) => setTimeout(r, 200));
rt.dispose();
console.log('disposed');`;
  const r = await runNode(['--input-type=module', '-e', src], 20000);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /disposed/);
  assert.match(r.out, /rejected CFutureError/);
});
