// pipeline.test.mjs: channels and streams across the JS boundary
// (tests/wasm/t_pipeline.c):
//   - a C producer task fed by JS Promises through the Promise bridge,
//     sending into a bounded mpsc read by a C consumer: order, count, and
//     backpressure (the producer waits in mpsc_send while the channel is
//     full, and asks JS for nothing more);
//   - a 4 MiB chunked fetch body streamed chunk by chunk into a bounded
//     channel and through buffered(n) C workers, in order: byte count,
//     byte sum and SHA-256; then the wasm heap and the host-op table are
//     back to their baseline, also after aborting mid-download.
// CF_TEST_MODULE overrides the module path (a separate build dir).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import crypto from 'node:crypto';
import { loadRuntime } from '../../bindings/index.mjs';
import { TEST_MODULE, until, sleep } from './helpers.mjs';

const BODY_SIZE = 4 * 1024 * 1024;
const PIECE = 64 * 1024;

let rt, srv;

async function startPipelineServer() {
  const body = crypto.randomBytes(BODY_SIZE);
  let sum = 0;
  for (const b of body) sum = (sum + b) >>> 0;
  const state = { sha: crypto.createHash('sha256').update(body).digest('hex'), sum, endlessWritten: 0, endlessClosed: 0, endlessFinished: 0 };
  const server = http.createServer((req, res) => {
    if (req.url === '/body') {
      // Transfer-Encoding: chunked, written as the client pulls.
      let off = 0;
      const pump = () => {
        while (off < body.length) {
          const piece = body.subarray(off, off + PIECE);
          off += piece.length;
          if (!res.write(piece)) { res.once('drain', pump); return; }
        }
        res.end();
      };
      pump();
    } else if (req.url === '/endless') {
      const piece = Buffer.alloc(PIECE, 7);
      state.endlessWritten = 0;
      res.on('close', () => { if (res.writableFinished) state.endlessFinished++; else state.endlessClosed++; });
      const pump = () => {
        while (!res.destroyed && state.endlessWritten < 1024 * 1024 * 1024) {
          state.endlessWritten += piece.length;
          if (!res.write(piece)) { res.once('drain', pump); return; }
        }
      };
      pump();
    } else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${server.address().port}`, state,
    close() { server.closeAllConnections(); return new Promise((r) => server.close(r)); }
  };
}

before(async () => {
  srv = await startPipelineServer();
  rt = await loadRuntime({ module: process.env.CF_TEST_MODULE || TEST_MODULE });
});
after(async () => {
  rt.dispose();
  await srv.close();
});

async function settled() {
  await until(() => {
    const s = rt.stats();
    return s.liveTasks === 0 && s.hostOps === 0 && s.hostHolds === 0 && s.liveTimers === 0;
  }, 10000, 'runtime idle');
}

// Several event-loop turns: long enough for a wrongly running producer to
// take its next step (each step is a microtask or macrotask hop).
async function settle() {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  await sleep(20);
}

const producerTask = () => rt.tasks().find((t) => t.name === 'producer');

test('a C producer fed by JS promises: order, count, backpressure', async () => {
  const N = 12, CAP = 3;
  const given = [];
  let asked = 0;
  const problems = [];
  rt.host('pj_next', (i) => {
    asked++;
    const v = i * 7 + 0.5;
    given.push(v);
    // Resolve on a later macrotask, at varying delays: the producer really waits.
    return new Promise((r) => setTimeout(() => r(v), i % 3));
  });
  rt.host('pj_gate', async (k) => {
    // The consumer has received k values. The producer may have sent k + CAP
    // (the channel is full) and asked for one more, which it cannot send.
    const expected = Math.min(N, k + CAP + 1);
    try {
      await until(() => asked >= expected, 5000, `producer asked for ${expected} values`);
      if (k + CAP < N) {
        await until(() => producerTask()?.awaits === 'mpsc_send', 5000, 'producer waiting in mpsc_send');
        await settle();
        assert.equal(producerTask()?.awaits, 'mpsc_send', `k=${k}: producer still blocked on the full channel`);
        assert.equal(producerTask()?.state !== 'running', true);
      }
      assert.equal(asked, expected, `k=${k}: producer ran ahead of the channel`);
    } catch (e) {
      problems.push(e);
      throw e;
    }
  });
  let r;
  try {
    r = await rt.call('pipe_js', 'pj_next', 'pj_gate', N, CAP);
  } catch (e) {
    throw problems[0] ?? e; // the gate's assertion says more than CF_EJS
  }
  assert.deepEqual(problems, []);
  assert.equal(r.rc, 0);
  assert.equal(r.count, N);
  assert.deepEqual(r.values, given);
  await settled();
});

test('a C producer fed by JS promises, ungated: everything arrives in order', async () => {
  const N = 200;
  rt.host('pj_fast', async (i) => i * 3);
  const r = await rt.call('pipe_js', 'pj_fast', '', N, 2);
  assert.equal(r.rc, 0);
  assert.equal(r.count, N);
  assert.deepEqual(r.values, Array.from({ length: N }, (_, i) => i * 3));
  await settled();
});

test('a rejected JS promise stops the producer; the consumer drains and ends', async () => {
  rt.host('pj_fail', (i) => (i === 5 ? Promise.reject(new Error('no more')) : Promise.resolve(i)));
  const r = await rt.call('pipe_js', 'pj_fail', '', 10, 2);
  assert.equal(r.count, 5);
  assert.deepEqual(r.values, [0, 1, 2, 3, 4]);
  assert.ok(r.rc < 0, `producer rc ${r.rc}`);
  await settled();
});

test('aborting the consumer while the producer is blocked releases everything', async () => {
  rt.host('pj_hold', async () => { await new Promise(() => {}); });
  rt.host('pj_val', async (i) => i);
  // warm-up: capacities of the task table and heap settle
  await rt.call('pipe_js', 'pj_val', '', 5, 1);
  await settled();
  const base = await rt.call('live_bytes');
  const ac = new AbortController();
  const p = rt.call('pipe_js', 'pj_val', 'pj_hold', 50, 4, { signal: ac.signal });
  await until(() => producerTask()?.awaits === 'mpsc_send', 5000, 'producer blocked');
  ac.abort();
  await assert.rejects(p, { name: 'AbortError' });
  await settled();
  assert.equal(await rt.call('live_bytes'), base);
  assert.equal(rt.module.cfuture.liveOps(), 0);
});

test('4 MiB chunked body -> channel -> buffered workers: bytes, sum, SHA-256 in order', async () => {
  for (const [workers, cap, slice] of [[4, 2, 4096], [1, 1, 1 << 20]]) {
    const r = await rt.call('pipe_fetch', `${srv.base}/body`, workers, cap, slice);
    assert.equal(r.status, 200);
    assert.equal(r.fetchRc, 0);
    assert.equal(r.bodyRc, 0);
    assert.equal(r.res, 0, 'the worker stream ended cleanly');
    assert.equal(r.bytes, BODY_SIZE);
    assert.equal(r.sum, srv.state.sum);
    assert.equal(r.sha, srv.state.sha);
    assert.equal(r.chunks, r.sent);
    assert.ok(r.chunks > 1, `${r.chunks} chunks`);
    assert.ok(r.maxInflight >= 1 && r.maxInflight <= workers, `max in flight ${r.maxInflight} (limit ${workers})`);
    await settled();
  }
});

test('the fetch pipeline returns the heap and host ops to baseline, also when aborted', async () => {
  await settled();
  const base = await rt.call('live_bytes');
  const r = await rt.call('pipe_fetch', `${srv.base}/body`, 3, 2, 8192);
  assert.equal(r.sha, srv.state.sha);
  await settled();
  assert.equal(await rt.call('live_bytes'), base, 'after a full run');
  assert.equal(rt.module.cfuture.liveOps(), 0);

  // Abort mid-download: chunks are in the producer, the channel and the
  // workers; all must be freed and the download cancelled.
  const closedBefore = srv.state.endlessClosed;
  const ac = new AbortController();
  const p = rt.call('pipe_fetch', `${srv.base}/endless`, 3, 2, 256, { signal: ac.signal });
  await until(() => srv.state.endlessWritten >= 1024 * 1024, 10000, 'download under way');
  ac.abort();
  await assert.rejects(p, { name: 'AbortError' });
  await until(() => srv.state.endlessClosed > closedBefore, 5000, 'server saw the connection close');
  assert.equal(srv.state.endlessFinished, 0);
  await settled();
  assert.equal(await rt.call('live_bytes'), base, 'after an aborted run');
  assert.equal(rt.module.cfuture.liveOps(), 0);
});
