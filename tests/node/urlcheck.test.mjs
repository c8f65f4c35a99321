// urlcheck.test.mjs: the URL checker of issue 10 in both styles, the same
// checks for each: demo/urlcheck.c (stackless, dist/demo.mjs) and
// demo/fiber/urlcheck.c (fiber, dist/demo_fiber.mjs), both called as
// rt.call('urlcheck', base, timeoutMs, retries) with the path list from
// the host function "urlcheck_paths" (the one JS Promise each awaits).
// Asserts: the same output for both (statuses, a timeout, 404 for a
// missing path), retries exactly on 5xx and timeouts (1 + retries
// requests), at most 4 requests in flight, a JS rejection of the path list
// rejects the call, and an AbortSignal aborts every in-flight fetch and
// leaves no task behind. The line counts the demo page shows are the
// files' real counts of code lines.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { loadRuntime } from '../../bindings/index.mjs';
import { startServer, until } from './helpers.mjs';
import { readFileSync } from 'node:fs';
import { URLCHECK_CODE_LINES } from '../../web/examples.mjs';

const MODULES = {
  stackless: fileURLToPath(new URL('../../dist/demo.mjs', import.meta.url)),
  fiber: fileURLToPath(new URL('../../dist/demo_fiber.mjs', import.meta.url)),
};
const PATHS = ['/status/200', '/status/404', '/status/503', '/slow?sleep=3000',
  '/status/201', '/status/500', '/nowhere', '/status/204'];
const EXPECTED = ['/status/200 200', '/status/404 404', '/status/503 503', '/slow?sleep=3000 timeout',
  '/status/201 201', '/status/500 500', '/nowhere 404', '/status/204 204'];
let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.close(); });

async function load(style, paths) {
  const lines = [];
  const rt = await loadRuntime({ module: MODULES[style], print: (l) => lines.push(l) });
  rt.host('urlcheck_paths', () => (typeof paths === 'function' ? paths() : Promise.resolve(paths)));
  return { rt, lines };
}

for (const style of Object.keys(MODULES)) {
  test(`${style}: statuses, a timeout, retries on 5xx and timeouts, printed in path order`, { timeout: 30_000 }, async () => {
    const { rt, lines } = await load(style, PATHS);
    try {
      server.state.paths.length = 0;
      const t0 = Date.now();
      const text = await rt.call('urlcheck', server.base, 300, 2);
      assert.deepEqual(text.trim().split('\n'), EXPECTED);
      assert.deepEqual(lines, EXPECTED);
      const count = (p) => server.state.paths.filter((q) => q === p).length;
      assert.equal(count('/status/503'), 3); // 1 + 2 retries
      assert.equal(count('/status/500'), 3);
      assert.equal(count('/slow'), 3); // timed out 3 times
      assert.equal(count('/status/404'), 1); // 4xx is an answer, not retried
      assert.equal(count('/status/200'), 1);
      // the three timeouts of one path run one after another: >= 3 x 300 ms
      assert.ok(Date.now() - t0 >= 900, `took ${Date.now() - t0} ms`);
      assert.equal(rt.stats().liveTasks, 0);
    } finally {
      rt.dispose();
    }
  });

  test(`${style}: at most 4 requests in flight`, { timeout: 30_000 }, async () => {
    const { rt } = await load(style, Array.from({ length: 10 }, (_, i) => `/slow?sleep=${100 + i}`));
    try {
      let peak = 0;
      const timer = setInterval(() => {
        const fetching = rt.tasks().filter((t) => t.awaits === 'timeout').length;
        peak = Math.max(peak, fetching);
      }, 5);
      const text = await rt.call('urlcheck', server.base, 5000, 0);
      clearInterval(timer);
      assert.equal(text.trim().split('\n').length, 10);
      assert.ok(text.trim().split('\n').every((l) => / 200$/.test(l)), text);
      assert.equal(peak, 4);
    } finally {
      rt.dispose();
    }
  });

  test(`${style}: a rejected path list rejects the call; nothing is fetched`, { timeout: 30_000 }, async () => {
    const { rt } = await load(style, () => Promise.reject(new Error('no list today')));
    try {
      const before = server.state.requests;
      await assert.rejects(rt.call('urlcheck', server.base, 300, 2), { code: 'CF_EJS' });
      assert.equal(server.state.requests, before);
      assert.equal(rt.stats().liveTasks, 0);
    } finally {
      rt.dispose();
    }
  });

  test(`${style}: AbortSignal aborts every in-flight fetch, no task left`, { timeout: 30_000 }, async () => {
    const { rt } = await load(style, ['/slow?sleep=5000', '/slow?sleep=5000', '/status/200']);
    try {
      const started = server.state.paths.filter((q) => q === '/slow').length;
      const aborted = server.state.aborted;
      const ac = new AbortController();
      const p = rt.call('urlcheck', server.base, 10000, 0, { signal: ac.signal });
      await until(() => server.state.paths.filter((q) => q === '/slow').length === started + 2, 5000, 'two slow requests');
      ac.abort();
      await assert.rejects(p, { name: 'AbortError' });
      await until(() => server.state.aborted >= aborted + 2, 5000, 'fetches aborted');
      await until(() => rt.stats().liveTasks === 0, 5000, 'tasks gone');
    } finally {
      rt.dispose();
    }
  });
}

/** Lines of C code: not blank, not only comment. */
function codeLines(text) {
  let inComment = false, n = 0;
  for (const raw of text.split('\n')) {
    let line = raw.trim(), code = '';
    while (line) {
      if (inComment) {
        const e = line.indexOf('*/');
        if (e < 0) break;
        inComment = false;
        line = line.slice(e + 2);
      } else {
        const c = line.indexOf('/*'), d = line.indexOf('//');
        if (d >= 0 && (c < 0 || d < c)) { code += line.slice(0, d); break; }
        if (c < 0) { code += line; break; }
        code += line.slice(0, c);
        inComment = true;
        line = line.slice(c + 2);
      }
    }
    if (code.trim()) n++;
  }
  return n;
}

test('the line counts on the demo cards are the sources\' code lines', () => {
  const count = (f) => codeLines(readFileSync(fileURLToPath(new URL(`../../${f}`, import.meta.url)), 'utf8'));
  assert.deepEqual({ stackless: count('demo/urlcheck.c'), fiber: count('demo/fiber/urlcheck.c') }, URLCHECK_CODE_LINES);
  assert.ok(URLCHECK_CODE_LINES.fiber < URLCHECK_CODE_LINES.stackless);
});
