// w7_fetch.mjs: JS baseline for W7, and the loopback server both sides use.
//   node w7_fetch.mjs fetch <n> <reps> <url>
//     n concurrent fetch(url) from JS, bodies read, Promise.all: wall ms.
// startServer() (imported by bench/run.mjs) serves a small fixed body on
// 127.0.0.1 at an ephemeral port, in the orchestrating process, so the
// cfuture (wasm) and the JS clients hit the same server in the same run.
import http from 'node:http';
import { emit, now } from './lib.mjs';

export const WARMUPS = 3;

export function startServer() {
  const body = Buffer.alloc(256, 'x');
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
    res.end(body);
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 4096 }, () => {
    resolve({ server, url: `http://127.0.0.1:${server.address().port}/bytes` });
  }));
}

async function once(n, url) {
  const t0 = now();
  const rs = await Promise.all(Array.from({ length: n }, () => fetch(url).then(async (r) => { await r.arrayBuffer(); return r.status; })));
  const ms = (now() - t0) / 1e6;
  if (rs.some((s) => s !== 200)) throw new Error('w7: bad status');
  return ms;
}

if (process.argv[1] && process.argv[1].endsWith('w7_fetch.mjs') && process.argv[2] === 'fetch') {
  const n = Number(process.argv[3]), reps = Number(process.argv[4]), url = process.argv[5];
  // Three warm-ups, as on the cfuture side (run_wasm.mjs): the first
  // batches open the sockets and warm the pools and run ~2x slower.
  for (let i = 0; i < WARMUPS; i++) await once(n, url);
  for (let i = 0; i < reps; i++) emit('w7', n, 'ms', await once(n, url));
}
