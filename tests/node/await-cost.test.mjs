// await-cost.test.mjs: what one C await of a resolved JS Promise costs
// (cf_js_call_init on a host function returning Promise.resolve) next to a
// JS `await` of the same Promise. Reports the numbers; asserts only that
// every await completed with its value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadTestRuntime } from './helpers.mjs';

test('ns per await: C awaiting a resolved JS Promise vs JS await', async () => {
  const N = 20000;
  const rt = await loadTestRuntime({ host: { one: () => Promise.resolve(1) } });
  try {
    const one = () => Promise.resolve(1);
    await rt.call('after_await', 'one', 1000, 0); // warm-up
    let t0 = performance.now();
    const sum = await rt.call('after_await', 'one', N, 0);
    const cNs = ((performance.now() - t0) * 1e6) / N;
    assert.equal(sum, N);
    let js = 0;
    for (let i = 0; i < 1000; i++) js += await one();
    js = 0;
    t0 = performance.now();
    for (let i = 0; i < N; i++) js += await one();
    const jsNs = ((performance.now() - t0) * 1e6) / N;
    assert.equal(js, N);
    console.log(`# C await of a resolved JS Promise: ${cNs.toFixed(0)} ns; JS await: ${jsNs.toFixed(0)} ns (x${(cNs / jsNs).toFixed(1)})`);
    assert.equal(rt.stats().hostOps, 0);
  } finally {
    rt.dispose();
  }
});
