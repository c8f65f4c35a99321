// helpers.mjs: shared fixtures for the Node tests: the test module loader
// and a local node:http server on 127.0.0.1 (port 0) with the endpoints
// the fetch tests need, counting what it sees.
import http from 'node:http';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { loadRuntime } from '../../bindings/index.mjs';

// CF_TEST_MODULE runs the suite against another build (e.g. the ASan one).
export const TEST_MODULE = process.env.CF_TEST_MODULE ||
  fileURLToPath(new URL('../../build-wasm/cfuture_test.mjs', import.meta.url));

// Set with CF_TEST_MODULE to a -fsanitize=address build: timing tests skip
// (the sanitizer makes every poll several times slower).
export const SANITIZED = process.env.CF_TEST_SANITIZED === '1';
export const timingTest = SANITIZED ? { skip: 'timing test under a sanitizer build' } : {};

export function loadTestRuntime(options = {}) {
  return loadRuntime({ module: TEST_MODULE, ...options });
}

export const BIG_SIZE = 16 * 1024 * 1024;

// Run `node ...args` in a child process: resolves {code, out, err} when it
// exits, rejects (and kills it) if it is still alive after timeoutMs: the
// keepalive tests' way of asserting that Node exits by itself.
export function runNode(args, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const t = setTimeout(() => { child.kill(); reject(new Error(`child still alive after ${timeoutMs} ms: ${out} ${err}`)); }, timeoutMs);
    child.on('exit', (code) => { clearTimeout(t); resolve({ code, out, err }); });
  });
}

export async function startServer() {
  const big = crypto.randomBytes(BIG_SIZE);
  const state = {
    requests: 0, aborted: 0, paths: [],
    bigSha: crypto.createHash('sha256').update(big).digest('hex'),
    streamWritten: 0, streamClosed: false, closeWaiters: []
  };
  const onAbort = () => {
    state.aborted++;
    for (const w of state.closeWaiters.splice(0)) w();
  };
  const server = http.createServer((req, res) => {
    state.requests++;
    const u = new URL(req.url, 'http://x');
    state.paths.push(u.pathname);
    res.on('close', () => { if (!res.writableFinished) onAbort(); });
    const m = /^\/status\/(\d+)$/.exec(u.pathname);
    if (m) {
      res.statusCode = Number(m[1]);
      res.setHeader('content-type', 'text/plain');
      res.setHeader('x-test', 'status');
      res.end(`status ${m[1]}`);
    } else if (u.pathname === '/slow') {
      const t = setTimeout(() => res.end('slept'), Number(u.searchParams.get('sleep') ?? 0));
      res.on('close', () => clearTimeout(t));
    } else if (u.pathname === '/big') {
      res.setHeader('content-length', String(big.length));
      res.end(big);
    } else if (u.pathname === '/chunked') {
      // Transfer-Encoding: chunked, with pauses between the pieces.
      let i = 0;
      const tick = () => {
        if (i === 8) { res.end(); return; }
        res.write(Buffer.alloc(1000, 97 + i));
        i++;
        setTimeout(tick, 5);
      };
      tick();
    } else if (u.pathname === '/endless') {
      // Writes as fast as the client pulls (honours backpressure).
      const piece = Buffer.alloc(64 * 1024, 120);
      state.streamWritten = 0;
      state.streamClosed = false;
      res.on('close', () => { state.streamClosed = true; });
      const pump = () => {
        while (!res.destroyed && state.streamWritten < 1024 * 1024 * 1024) {
          state.streamWritten += piece.length;
          if (!res.write(piece)) { res.once('drain', pump); return; }
        }
      };
      pump();
    } else if (u.pathname === '/echo') {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.setHeader('x-test', req.headers['x-test'] ?? '');
        res.end(JSON.stringify({ method: req.method, body: Buffer.concat(chunks).toString() }));
      });
    } else {
      res.statusCode = 404;
      res.end('not found');
    }
  });
  server.keepAliveTimeout = 1000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base, state, big,
    waitAbort() { return new Promise((r) => state.closeWaiters.push(r)); },
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    }
  };
}

// A port with nothing listening on it (bound, then released).
export async function refusedPort() {
  const s = http.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise((r) => s.close(r));
  return port;
}

export function withTimeout(p, ms, what) {
  let t;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise((_, reject) => { t = setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms`)), ms); })
  ]);
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function until(cond, ms = 5000, what = 'condition') {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} not reached in ${ms} ms`);
    await sleep(5);
  }
}
