// builtins.test.mjs: the prebuilt default module's own exports ("sleep",
// "fetch_text") called from JS alone, with bad input: each is a clear
// rejection or a well-defined duration, never a crash or a hang.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { loadRuntime } from '../../bindings/index.mjs';

let rt;
before(async () => { rt = await loadRuntime(); });
after(() => rt.dispose());

test('unknown export rejects with CF_ENOENT', async () => {
  await assert.rejects(rt.call('no_such_fn'), { code: 'CF_ENOENT' });
});

test('sleep: non-numbers are CF_EINVAL; negative is zero; huge never fires', async () => {
  await assert.rejects(rt.call('sleep', 'abc'), { code: 'CF_EINVAL' });
  // A negative duration is zero: done at once (the result is the slept time
  // on the runtime's whole-ms clock, which may tick over between two reads).
  const slept = await rt.call('sleep', -5);
  assert.ok(slept >= 0 && slept <= 1, `slept ${slept} ms`);
  const ac = new AbortController();
  const forever = rt.call('sleep', 1e308, { signal: ac.signal });
  const raced = await Promise.race([forever.then(() => 'fired'),
    new Promise((r) => setTimeout(() => r('pending'), 50))]);
  assert.equal(raced, 'pending', 'a 1e308 ms sleep must not overflow into the past');
  ac.abort();
  await assert.rejects(forever, { name: 'AbortError' });
});

test('sleep: a fractional duration rounds up, never early', async () => {
  const t0 = performance.now();
  await rt.call('sleep', 2.5);
  assert.ok(performance.now() - t0 >= 2.5);
});

test('fetch_text: bad URLs are CF_EINVAL before any request', async () => {
  for (const bad of ['not a url', 123, 'http://exa mple/', 'ftp://x/'])
    await assert.rejects(rt.call('fetch_text', bad), { code: 'CF_EINVAL' }, String(bad));
  await assert.rejects(rt.call('fetch_text'), { code: 'CF_EINVAL' });
});
