// demo/server.mjs: the demo's HTTP server (plain node:http, no framework).
//
// Owns: serving the page (web/), the JS bindings (bindings/) and the built
// wasm module (dist/) as static files, plus httpstat-like endpoints the demo
// programs fetch, plus /stats so tests can see what the client did (in
// particular, that a request was closed by the client before its response).
//
// Invariants:
//   - binds 127.0.0.1 only; port 0 picks a free port (the URL is printed);
//   - static paths never escape their root (normalised, then prefix-checked);
//   - every endpoint that sleeps cancels its timer when the client goes away,
//     and counts that request as aborted (a request is exactly one of
//     completed / aborted once it is over);
//   - responses are never cached (the page must see fresh builds);
//   - every response carries ISOLATION_HEADERS (COOP same-origin + COEP
//     require-corp), so the page is cross-origin isolated and may use
//     SharedArrayBuffer: the threaded "parallel" card needs it.
//
// Endpoints (all GET unless noted; any path takes ?tag=<id> to find it in
// /stats later):
//   /200?sleep=ms              200 "200 OK" after `ms`
//   /status/<code>?sleep=ms    that status (100..599 excluding 1xx), reason
//                              phrase as body
//   /bytes/<n>?seed=s          n deterministic bytes (see bytesPattern)
//   /stream/<n>?size=b&delay=ms  n chunks of b bytes, chunked encoding,
//                              `delay` ms apart
//   /stats                     JSON counters; /stats?tag=t for one tag
//   POST /stats/reset          zero the counters
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..');

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.d.ts': 'text/plain; charset=utf-8',
};

/** Cross-origin isolation (docs/threads.md, "What your server must send"):
 * on the page and on everything it loads (module, .wasm, worker scripts). */
export const ISOLATION_HEADERS = {
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-embedder-policy': 'require-corp',
};

const MAX_SLEEP_MS = 10 * 60 * 1000;
const MAX_BYTES = 256 * 1024 * 1024;

/** Byte i of /bytes/<n>?seed=s: cheap to recompute in a test. */
export function bytesPattern(n, seed = 0) {
  const buf = Buffer.allocUnsafe(n);
  let x = (seed >>> 0) ^ 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    // xorshift32: deterministic, not all-equal, so truncation is visible.
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    buf[i] = x & 0xff;
  }
  return buf;
}

function intParam(url, name, dflt, min, max) {
  const v = url.searchParams.get(name);
  if (v === null || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n)) return NaN;
  return Math.min(max, Math.max(min, Math.trunc(n)));
}

/**
 * Start the server. Options: port (0 = any free port), host (127.0.0.1),
 * roots: { '/': webDir, '/dist/': distDir, '/bindings/': bindingsDir },
 * log (function or null).
 * Resolves to { url, port, server, stats(), resetStats(), close() }.
 */
export async function startServer(opts = {}) {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? 0;
  const log = opts.log ?? null;
  const roots = opts.roots ?? {
    '/dist/': path.join(repoRoot, 'dist'),
    '/bindings/': path.join(repoRoot, 'bindings'),
    // The page shows each example's C source next to its card.
    '/demo-src/': path.join(repoRoot, 'demo'),
    '/': path.join(repoRoot, 'web'),
  };
  // Longest prefix first so '/' is the fallback.
  const rootList = Object.entries(roots).sort((a, b) => b[0].length - a[0].length);

  let stats = freshStats();
  const sockets = new Set();

  function freshStats() {
    return { requests: 0, completed: 0, aborted: 0, inflight: 0, tags: {}, paths: {} };
  }

  // Every request passes through track(): it decides completed vs aborted
  // exactly once, from the response's own 'close' event.
  function track(req, res, url) {
    const tag = url.searchParams.get('tag');
    const key = url.pathname.split('/').slice(0, 2).join('/') || '/';
    stats.requests++;
    stats.inflight++;
    stats.paths[key] = (stats.paths[key] ?? 0) + 1;
    const gen = stats;
    let t = null;
    if (tag) {
      t = gen.tags[tag] ??= { requests: 0, completed: 0, aborted: 0, inflight: 0 };
      t.requests++;
      t.inflight++;
    }
    const started = Date.now();
    res.on('close', () => {
      const aborted = !res.writableFinished;
      gen.inflight--;
      if (aborted) gen.aborted++; else gen.completed++;
      if (t) {
        t.inflight--;
        if (aborted) t.aborted++; else t.completed++;
        t.lastMs = Date.now() - started;
      }
      if (log) log(`${aborted ? 'ABORT' : res.statusCode} ${req.method} ${url.pathname}${url.search} ${Date.now() - started}ms`);
    });
  }

  function send(res, status, body, type = 'text/plain; charset=utf-8', extra = {}) {
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(String(body));
    res.writeHead(status, {
      'content-type': type,
      'content-length': buf.length,
      'cache-control': 'no-store',
      'access-control-allow-origin': '*',
      ...ISOLATION_HEADERS,
      ...extra,
    });
    res.end(buf);
  }

  // Sleep `ms` unless the client leaves first; resolves to false then.
  function sleepUnlessClosed(res, ms) {
    if (!(ms > 0)) return Promise.resolve(!res.destroyed);
    return new Promise((resolve) => {
      const timer = setTimeout(() => { res.off('close', onClose); resolve(true); }, ms);
      const onClose = () => { clearTimeout(timer); resolve(false); };
      res.once('close', onClose);
    });
  }

  async function handleStatus(req, res, url, code) {
    const sleep = intParam(url, 'sleep', 0, 0, MAX_SLEEP_MS);
    if (Number.isNaN(sleep)) return send(res, 400, 'bad sleep');
    if (!(await sleepUnlessClosed(res, sleep))) return;
    const reason = http.STATUS_CODES[code] ?? 'Unknown';
    // 204/304 must not carry a body.
    if (code === 204 || code === 304) {
      res.writeHead(code, { 'cache-control': 'no-store', 'access-control-allow-origin': '*', ...ISOLATION_HEADERS });
      return res.end();
    }
    send(res, code, `${code} ${reason}`, 'text/plain; charset=utf-8', { 'x-sleep-ms': String(sleep) });
  }

  async function handleBytes(req, res, url, n) {
    const seed = intParam(url, 'seed', 0, 0, 0xffffffff);
    const sleep = intParam(url, 'sleep', 0, 0, MAX_SLEEP_MS);
    if (Number.isNaN(seed) || Number.isNaN(sleep)) return send(res, 400, 'bad parameter');
    if (!(await sleepUnlessClosed(res, sleep))) return;
    send(res, 200, bytesPattern(n, seed), 'application/octet-stream');
  }

  async function handleStream(req, res, url, n) {
    const size = intParam(url, 'size', 1024, 1, 16 * 1024 * 1024);
    const delay = intParam(url, 'delay', 0, 0, MAX_SLEEP_MS);
    if (Number.isNaN(size) || Number.isNaN(delay)) return send(res, 400, 'bad parameter');
    // No content-length: node:http uses chunked transfer encoding.
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'cache-control': 'no-store',
      'access-control-allow-origin': '*',
      'x-chunk-count': String(n),
      'x-chunk-size': String(size),
      ...ISOLATION_HEADERS,
    });
    const all = bytesPattern(n * size, intParam(url, 'seed', 0, 0, 0xffffffff));
    for (let i = 0; i < n; i++) {
      if (i > 0 && !(await sleepUnlessClosed(res, delay))) return;
      if (res.destroyed) return;
      // Respect backpressure so a slow reader throttles us.
      if (!res.write(all.subarray(i * size, (i + 1) * size))) {
        const ok = await new Promise((resolve) => {
          const onDrain = () => { res.off('close', onClose); resolve(true); };
          const onClose = () => { res.off('drain', onDrain); resolve(false); };
          res.once('drain', onDrain);
          res.once('close', onClose);
        });
        if (!ok) return;
      }
    }
    res.end();
  }

  function handleStats(req, res, url) {
    if (req.method === 'POST' && url.pathname === '/stats/reset') {
      stats = freshStats();
      return send(res, 200, '{"ok":true}', MIME['.json']);
    }
    const tag = url.searchParams.get('tag');
    const body = tag
      ? (stats.tags[tag] ?? { requests: 0, completed: 0, aborted: 0, inflight: 0 })
      : stats;
    send(res, 200, JSON.stringify(body), MIME['.json']);
  }

  function handleStatic(req, res, url) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
    let pathname;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return send(res, 400, 'bad path');
    }
    if (pathname.includes('\0')) return send(res, 400, 'bad path');
    for (const [prefix, dir] of rootList) {
      if (!pathname.startsWith(prefix)) continue;
      let rel = pathname.slice(prefix.length);
      if (rel === '' || rel.endsWith('/')) rel += 'index.html';
      const file = path.resolve(dir, '.' + path.posix.normalize('/' + rel));
      if (file !== dir && !file.startsWith(dir + path.sep)) return send(res, 403, 'forbidden');
      let st;
      try {
        st = fs.statSync(file);
      } catch {
        return send(res, 404, `not found: ${pathname}`);
      }
      if (!st.isFile()) return send(res, 404, `not found: ${pathname}`);
      const type = MIME[file.endsWith('.d.ts') ? '.d.ts' : path.extname(file)] ?? 'application/octet-stream';
      res.writeHead(200, {
        'content-type': type,
        'content-length': st.size,
        'cache-control': 'no-store',
        ...ISOLATION_HEADERS,
      });
      if (req.method === 'HEAD') return res.end();
      fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
      return;
    }
    send(res, 404, 'not found');
  }

  async function route(req, res) {
    const url = new URL(req.url, `http://${req.headers.host ?? 'localhost'}`);
    const p = url.pathname;
    // /stats observes the traffic; counting it would disturb what it reports.
    if (p !== '/stats' && p !== '/stats/reset') track(req, res, url);
    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-origin': '*',
        'access-control-allow-methods': 'GET, POST, OPTIONS',
        'access-control-allow-headers': '*',
        ...ISOLATION_HEADERS,
      });
      return res.end();
    }
    let m;
    if (p === '/200') return handleStatus(req, res, url, 200);
    if ((m = /^\/status\/(\d{3})$/.exec(p))) {
      const code = Number(m[1]);
      if (code < 200 || code > 599) return send(res, 400, 'status must be 200..599');
      return handleStatus(req, res, url, code);
    }
    if ((m = /^\/bytes\/(\d+)$/.exec(p))) {
      const n = Number(m[1]);
      if (n > MAX_BYTES) return send(res, 413, `at most ${MAX_BYTES} bytes`);
      return handleBytes(req, res, url, n);
    }
    if ((m = /^\/stream\/(\d+)$/.exec(p))) {
      const n = Number(m[1]);
      if (n > 100000) return send(res, 413, 'at most 100000 chunks');
      return handleStream(req, res, url, n);
    }
    if (p === '/stats' || p === '/stats/reset') return handleStats(req, res, url);
    return handleStatic(req, res, url);
  }

  const server = http.createServer((req, res) => {
    route(req, res).catch((err) => {
      if (log) log(`error: ${err.stack ?? err}`);
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // Many concurrent fetches from one page: don't let keep-alive defaults bite.
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 60000;
  server.requestTimeout = 0;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actualPort = server.address().port;
  const url = `http://${host}:${actualPort}/`;
  return {
    url,
    port: actualPort,
    server,
    stats: () => JSON.parse(JSON.stringify(stats)),
    resetStats: () => { stats = freshStats(); },
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    }),
  };
}

function parseArgs(argv) {
  const out = { port: undefined, quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port' || a === '-p') out.port = argv[++i];
    else if (a.startsWith('--port=')) out.port = a.slice(7);
    else if (a === '--quiet' || a === '-q') out.quiet = true;
    else if (a === '--help' || a === '-h') out.help = true;
    else throw new Error(`unknown argument: ${a}`);
  }
  return out;
}

async function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
  if (args.help) {
    console.log('usage: node demo/server.mjs [--port N] [--quiet]\n' +
      '  port also from CFUTURE_DEMO_PORT or PORT; 0 picks a free port (default 8080)');
    return;
  }
  const raw = args.port ?? process.env.CFUTURE_DEMO_PORT ?? process.env.PORT ?? '8080';
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`bad port: ${raw}`);
    process.exit(2);
  }
  const srv = await startServer({ port, log: args.quiet ? null : (l) => console.log(l) });
  console.log(`cfuture demo: ${srv.url}`);
  const stop = () => srv.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(e.stack ?? e);
    process.exit(1);
  });
}
