// tests/browser/server.test.mjs: the demo server on its own (no browser).
// Checks each endpoint's contract, the abort accounting the browser tests
// rely on, static serving (types, traversal) and the CLI's port handling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { startServer, bytesPattern, repoRoot } from '../../demo/server.mjs';

let srv;
before(async () => { srv = await startServer({ port: 0 }); });
after(async () => { await srv.close(); });

const u = (p) => new URL(p, srv.url).href;

async function waitFor(pred, ms = 3000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await pred();
    if (v) return v;
    if (Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('binds 127.0.0.1 on a free port and reports its URL', () => {
  assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.ok(srv.port > 0);
  assert.equal(srv.server.address().address, '127.0.0.1');
});

test('/200 answers 200 OK', async () => {
  const r = await fetch(u('/200'));
  assert.equal(r.status, 200);
  assert.equal(await r.text(), '200 OK');
  assert.equal(r.headers.get('cache-control'), 'no-store');
});

test('/200?sleep delays the response by about that long', async () => {
  const t0 = performance.now();
  const r = await fetch(u('/200?sleep=150'));
  const dt = performance.now() - t0;
  assert.equal(r.status, 200);
  await r.text();
  assert.ok(dt >= 145, `took ${dt} ms`);
  assert.ok(dt < 1000, `took ${dt} ms`);
});

test('/status/<code> gives that status and its reason phrase', async () => {
  for (const [code, text] of [[404, '404 Not Found'], [500, '500 Internal Server Error'], [201, '201 Created'], [418, "418 I'm a Teapot"]]) {
    const r = await fetch(u(`/status/${code}`));
    assert.equal(r.status, code);
    assert.equal(await r.text(), text);
  }
  const r = await fetch(u('/status/204'));
  assert.equal(r.status, 204);
  assert.equal(await r.text(), '');
  assert.equal((await fetch(u('/status/99'))).status, 404);
  assert.equal((await fetch(u('/status/700'))).status, 400);
  assert.equal((await fetch(u('/200?sleep=abc'))).status, 400);
});

test('/status/<code>?sleep waits before answering', async () => {
  const t0 = performance.now();
  const r = await fetch(u('/status/503?sleep=100'));
  assert.equal(r.status, 503);
  await r.text();
  assert.ok(performance.now() - t0 >= 95);
});

test('/bytes/<n> returns n deterministic bytes', async () => {
  const r = await fetch(u('/bytes/100000?seed=7'));
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-length'), '100000');
  const got = Buffer.from(await r.arrayBuffer());
  assert.equal(got.length, 100000);
  assert.ok(got.equals(bytesPattern(100000, 7)));
  assert.ok(!got.equals(bytesPattern(100000, 8)), 'seed changes the bytes');
  const zero = await fetch(u('/bytes/0'));
  assert.equal((await zero.arrayBuffer()).byteLength, 0);
  assert.equal((await fetch(u('/bytes/999999999999'))).status, 413);
});

test('/stream/<n> sends n chunks with chunked encoding', async () => {
  const res = await new Promise((resolve, reject) => {
    http.get(u('/stream/5?size=1000&delay=20'), resolve).on('error', reject);
  });
  assert.equal(res.headers['transfer-encoding'], 'chunked');
  assert.equal(res.headers['content-length'], undefined);
  const parts = [];
  const times = [];
  for await (const c of res) { parts.push(c); times.push(performance.now()); }
  const all = Buffer.concat(parts);
  assert.equal(all.length, 5000);
  assert.ok(all.equals(bytesPattern(5000, 0)));
  // 4 delays of 20 ms between the first and last chunk.
  assert.ok(times.at(-1) - times[0] >= 60, `spread ${times.at(-1) - times[0]} ms`);
});

test('a client abort is counted, per tag and overall, and the sleep is cancelled', async () => {
  const before = srv.stats();
  const ac = new AbortController();
  const p = fetch(u('/200?sleep=5000&tag=abort1'), { signal: ac.signal });
  await waitFor(async () => (await (await fetch(u('/stats?tag=abort1'))).json()).inflight === 1);
  ac.abort();
  await assert.rejects(p, { name: 'AbortError' });
  const t = await waitFor(async () => {
    const s = await (await fetch(u('/stats?tag=abort1'))).json();
    return s.aborted === 1 ? s : null;
  });
  assert.deepEqual({ r: t.requests, a: t.aborted, c: t.completed, i: t.inflight }, { r: 1, a: 1, c: 0, i: 0 });
  assert.ok(t.lastMs < 4000, 'closed long before the sleep would have ended');
  const after = srv.stats();
  assert.equal(after.aborted - before.aborted, 1);
});

test('a completed request is not counted as aborted', async () => {
  await (await fetch(u('/200?sleep=10&tag=done1'))).text();
  const s = await waitFor(async () => {
    const v = await (await fetch(u('/stats?tag=done1'))).json();
    return v.completed === 1 ? v : null;
  });
  assert.equal(s.aborted, 0);
  assert.equal(s.inflight, 0);
});

test('an aborted stream is counted as aborted', async () => {
  const ac = new AbortController();
  const r = await fetch(u('/stream/1000?size=1000&delay=20&tag=abort2'), { signal: ac.signal });
  const reader = r.body.getReader();
  await reader.read();
  ac.abort();
  await assert.rejects(reader.read());
  const s = await waitFor(async () => {
    const v = await (await fetch(u('/stats?tag=abort2'))).json();
    return v.aborted === 1 ? v : null;
  });
  assert.ok(s, 'abort seen');
});

test('POST /stats/reset zeroes the counters', async () => {
  await (await fetch(u('/200?tag=r1'))).text();
  const r = await fetch(u('/stats/reset'), { method: 'POST' });
  assert.equal(r.status, 200);
  await r.text();
  const s = await (await fetch(u('/stats'))).json();
  // The reset request itself finished after the reset; only /stats counts.
  assert.deepEqual(s.tags, {});
  assert.equal(s.aborted, 0);
});

test('static files: page, bindings and dist, with types; no traversal', async () => {
  const page = await fetch(u('/'));
  assert.equal(page.status, 200);
  assert.match(page.headers.get('content-type'), /text\/html/);
  assert.match(await page.text(), /cfuture/);
  const mod = await fetch(u('/app.mjs'));
  assert.equal(mod.status, 200);
  assert.match(mod.headers.get('content-type'), /text\/javascript/);
  await mod.text();
  for (const p of ['/../package.json', '/%2e%2e/package.json', '/dist/../../etc/passwd', '/dist/%2e%2e/demo/server.mjs']) {
    const r = await new Promise((resolve, reject) => {
      // fetch would normalise the path; send it raw.
      http.get({ host: '127.0.0.1', port: srv.port, path: p }, resolve).on('error', reject);
    });
    r.resume();
    assert.ok([403, 404].includes(r.statusCode), `${p} -> ${r.statusCode}`);
  }
  assert.equal((await fetch(u('/nope.html'))).status, 404);
});

test('custom roots serve .wasm as application/wasm', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cf-srv-'));
  fs.writeFileSync(path.join(dir, 'm.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  const s2 = await startServer({ port: 0, roots: { '/dist/': dir, '/': dir } });
  try {
    const r = await fetch(new URL('/dist/m.wasm', s2.url));
    assert.equal(r.headers.get('content-type'), 'application/wasm');
    assert.equal((await r.arrayBuffer()).byteLength, 8);
  } finally {
    await s2.close();
    fs.rmSync(dir, { recursive: true });
  }
});

test('CLI: --port 0 prints the URL and serves; bad port exits 2', async () => {
  const script = path.join(repoRoot, 'demo', 'server.mjs');
  const child = spawn(process.execPath, [script, '--port', '0', '--quiet'], { stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.on('exit', (c) => reject(new Error(`exited ${c}: ${out}`)));
    });
    const r = await fetch(new URL('/200', url));
    assert.equal(r.status, 200);
    await r.text();
  } finally {
    child.kill('SIGTERM');
  }
  const bad = spawn(process.execPath, [script, '--port', 'x'], { stdio: 'ignore' });
  const code = await new Promise((resolve) => bad.on('exit', resolve));
  assert.equal(code, 2);
  const env = spawn(process.execPath, [script, '--quiet'], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, CFUTURE_DEMO_PORT: '0' } });
  try {
    const line = await new Promise((resolve) => env.stdout.once('data', (d) => resolve(String(d))));
    assert.match(line, /http:\/\/127\.0\.0\.1:\d+\//);
  } finally {
    env.kill('SIGTERM');
  }
});
