// fetch.test.mjs: cf_fetch against a local node:http server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { loadTestRuntime, startServer, refusedPort, withTimeout, until, sleep } from './helpers.mjs';

let rt, srv;
before(async () => {
  srv = await startServer();
  rt = await loadTestRuntime();
});
after(async () => {
  rt.dispose();
  await srv.close();
});

const info = (...a) => rt.call('fetch_info', ...a);

test('200, 404 and 500 are statuses with headers and body', async () => {
  for (const code of [200, 404, 500]) {
    const r = await info(`${srv.base}/status/${code}`);
    assert.equal(r.rc, 0);
    assert.equal(r.status, code);
    assert.equal(r.text, `status ${code}`);
    assert.equal(r.contentType, 'text/plain');
    assert.equal(r.xTest, 'status');
    assert.ok(r.nheaders >= 3);
  }
  const nf = await info(`${srv.base}/nowhere`);
  assert.equal(nf.status, 404);
  assert.equal(nf.statusText, 'Not Found');
});

test('method, request headers and body reach the server', async () => {
  const r = await info(`${srv.base}/echo`, 'PUT', 'x-test\x01hello there', 'payload ✓');
  assert.equal(r.rc, 0);
  assert.equal(r.xTest, 'hello there');
  assert.deepEqual(JSON.parse(r.text), { method: 'PUT', body: 'payload ✓' });
});

test('slow endpoint completes after its delay', async () => {
  const t0 = performance.now();
  const r = await info(`${srv.base}/slow?sleep=150`);
  assert.equal(r.text, 'slept');
  assert.ok(performance.now() - t0 >= 140);
});

test('16 MiB body: SHA-256 matches, whole and streamed', async () => {
  const whole = await info(`${srv.base}/big`);
  assert.equal(whole.rc, 0);
  assert.equal(whole.bodyLen, srv.big.length);
  assert.equal(whole.sha, srv.state.bigSha);
  const streamed = await info(`${srv.base}/big`, '', '', undefined, 0, 1);
  assert.equal(streamed.rc, 0);
  assert.equal(streamed.readRc, 0);
  assert.equal(streamed.bodyLen, srv.big.length);
  assert.equal(streamed.sha, srv.state.bigSha);
  assert.ok(streamed.chunks > 1, `streamed in ${streamed.chunks} chunks`);
});

test('chunked transfer encoding streams chunk by chunk', async () => {
  const r = await info(`${srv.base}/chunked`, '', '', undefined, 0, 1);
  assert.equal(r.rc, 0);
  assert.equal(r.bodyLen, 8000);
  let expect = '';
  for (let i = 0; i < 8; i++) expect += String.fromCharCode(97 + i).repeat(1000);
  assert.equal(r.sha, crypto.createHash('sha256').update(expect).digest('hex'));
  assert.ok(r.chunks >= 2);
});

test('max body size: CF_EMSGSIZE, whole and streamed', async () => {
  const whole = await info(`${srv.base}/big`, '', '', undefined, 1024 * 1024);
  assert.equal(whole.code, 'CF_EMSGSIZE');
  const streamed = await info(`${srv.base}/big`, '', '', undefined, 1024 * 1024, 1);
  assert.equal(streamed.rc, 0);
  assert.equal(streamed.readRc, -90);
  assert.ok(streamed.bodyLen <= 1024 * 1024);
  const ok = await info(`${srv.base}/status/200`, '', '', undefined, 10);
  assert.equal(ok.rc, 0);
  assert.equal(rt.stats().hostOps, 0);
});

test('streaming pulls only when C reads (backpressure), drop closes it', async () => {
  const ac = new AbortController();
  const p = info(`${srv.base}/endless`, '', '', undefined, 0, 1, 100, { signal: ac.signal });
  p.catch(() => {});
  await sleep(600);
  // C read about 6 chunks in 600 ms; the server could write 1 GiB if the
  // client pulled eagerly. Socket buffers hold a few MiB at most.
  assert.ok(srv.state.streamWritten < 64 * 1024 * 1024, `server wrote ${srv.state.streamWritten} bytes`);
  const closed = srv.waitAbort();
  ac.abort();
  await assert.rejects(p, { name: 'AbortError' });
  await withTimeout(closed, 5000, 'server-side close');
  assert.ok(srv.state.streamClosed);
  await until(() => rt.stats().hostOps === 0, 2000, 'host ops released');
});

test('connection refused: CF_ECONNREFUSED with the host message', async () => {
  const port = await refusedPort();
  const r = await info(`http://127.0.0.1:${port}/`);
  assert.equal(r.code, 'CF_ECONNREFUSED');
  assert.match(r.error, /fetch failed/);
  assert.match(r.error, /ECONNREFUSED/);
});

test('dropping the future aborts the request (seen by the server)', async () => {
  const before = srv.state.aborted;
  const closed = srv.waitAbort();
  const r = await rt.call('fetch_many', `${srv.base}/slow?sleep=10000`, 1, 100);
  assert.deepEqual(r, { ok: 0, timedOut: 1, other: 0 });
  await withTimeout(closed, 5000, 'server-side close');
  assert.equal(srv.state.aborted, before + 1);
  assert.equal(rt.stats().hostOps, 0);
  assert.equal(rt.stats().hostHolds, 0);
});

test('1000 concurrent fetches', async () => {
  const r = await rt.call('fetch_many', `${srv.base}/status/200`, 1000, 0);
  assert.deepEqual(r, { ok: 1000, timedOut: 0, other: 0 });
  assert.equal(rt.stats().hostOps, 0);
});

test('invalid URLs and headers: CF_EINVAL before any request', async () => {
  const before = srv.state.requests;
  const fetchesBefore = rt.module.cfuture.hostStats().fetches;
  const bad = [
    ['not a url'], ['ftp://127.0.0.1/'], ['http://'], ['http:///x'], ['//127.0.0.1/x'],
    ['http://exa mple.com/'], ['http://a\r\nb/'], ['http://user:pw@127.0.0.1/'],
    ['http://127.0.0.1:99999/'], ['http://[::1/'],
    [`${srv.base}/`, 'GE T'], [`${srv.base}/`, 'CONNECT'], [`${srv.base}/`, 'TRACE'],
    [`${srv.base}/`, 'GET', 'bad name\x01v'], [`${srv.base}/`, 'GET', 'x:y\x01v'],
    [`${srv.base}/`, 'GET', '\x01v'], [`${srv.base}/`, 'GET', 'x-a\x01a\r\nInjected: 1'],
    [`${srv.base}/`, 'GET', 'x-a\x01a\nb']
  ];
  for (const args of bad) {
    const r = await info(...args);
    assert.equal(r.code, 'CF_EINVAL', JSON.stringify(args));
  }
  assert.equal(rt.module.cfuture.hostStats().fetches, fetchesBefore, 'no JS fetch was started');
  assert.equal(srv.state.requests, before, 'the server saw no request');
});
