// tests/browser/demo.test.mjs: the demo page in Debian's Chromium, driven
// by playwright-core, against the demo server on a free port, with the real
// wasm module (dist/demo.*, built first if missing or stale).
//
// Asserts: the page loads the wasm runtime (not the ?sim=1 stand-in); every
// example, started with its Run button, prints exactly its expected lines
// and takes its expected time within tolerance (at a reduced time scale);
// the timeline recorded the example's task; Cancel aborts the C task, the
// server sees the request closed and no task is left (also for both URL
// checker cards, the fiber one running in the fiber module); during the 1e5-task
// stress card no long task (> 50 ms) is reported and the animation keeps
// producing frames; no console errors, page errors or failed requests.
// Saves a full-page screenshot to tests/browser/screenshots/demo.png.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startServer } from '../../demo/server.mjs';
import { ensureDemoBuilt } from '../../scripts/demo.mjs';
import { EXAMPLES, checkLines, withinTolerance } from '../../web/examples.mjs';
import { launch, screenshotDir, chromiumAvailable, CHROMIUM } from './helpers.mjs';

// 0.5: fast, yet the slack (withinTolerance) stays below the difference
// between the concurrent and the sequential timings (e.g. join: 1.5 s vs
// 2 s), so a combinator that serialised its children would fail.
const SCALE = Number(process.env.CF_DEMO_SCALE ?? 0.5);

let srv, browser, page;

before(async () => {
  assert.ok(chromiumAvailable(), `${CHROMIUM} not found: apt-get install -y chromium`);
  ensureDemoBuilt({ quiet: true });
  srv = await startServer({ port: 0 });
  browser = await launch({ width: 1360, height: 900 });
  page = browser.page;
  await page.goto(`${srv.url}?scale=${SCALE}`);
  await page.evaluate(() => window.cfDemo.ready);
});

after(async () => {
  await browser?.close();
  await srv?.close();
});

async function serverStats() {
  return (await fetch(new URL('/stats', srv.url))).json();
}

async function waitUntil(fn, ms, what) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// Click a card's Run button and wait for its result.
async function runByClick(name, timeoutMs) {
  const card = page.locator(`#card-${name}`);
  await card.locator('button.run').click();
  await page.waitForFunction((n) => {
    const el = document.getElementById(`card-${n}`);
    return el.dataset.state !== 'running' && window.cfDemo.results[n];
  }, name, { timeout: timeoutMs });
  return page.evaluate((n) => window.cfDemo.results[n], name);
}

test('the page loads the wasm runtime and shows a card per example', async () => {
  assert.equal(await page.evaluate(() => window.cfDemo.runtimeKind()), 'wasm');
  assert.equal(await page.locator('#rt-status').getAttribute('data-state'), 'ready');
  const names = await page.locator('article.example').evaluateAll((els) => els.map((e) => e.dataset.example));
  assert.deepEqual(names, EXAMPLES.map((e) => e.name));
  assert.equal(await page.locator('#stress').count(), 1);
  assert.equal(await page.locator('button.run:disabled').count(), 0, 'every Run button is enabled');
  assert.equal(await page.evaluate(() => window.cfDemo.liveTasks()), 0);
});

// Lines and "never early" must hold on every run. A duration over the
// tolerance is retried once: CPU contention on a shared 2-core machine can
// delay one run, while a real defect (children run one after another)
// makes every run late.
for (const ex of EXAMPLES) {
  test(`example ${ex.name}: expected lines, duration within tolerance`, async () => {
    const expected = ex.expectedMs?.(SCALE) ?? null;
    const durations = [];
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = await runByClick(ex.name, 60000);
      assert.equal(r.state, 'done', `state ${r.state}: ${r.error ?? r.mismatch ?? ''}`);
      assert.equal(checkLines(ex, r.lines, SCALE), null);
      // The output panel shows the same lines (without their timestamps).
      const shown = await page.locator(`#card-${ex.name} .output .line`).evaluateAll(
        (els) => els.map((e) => [...e.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('')));
      assert.deepEqual(shown, r.lines);
      if (ex.name === 'spawn') {
        const ticks = Number(/ticker ran (\d+) times/.exec(r.lines.at(-1))[1]);
        assert.ok(ticks > 0, 'the ticker ran during the computation (cf_yield_now let timers fire)');
      }
      if (expected != null && expected >= 200) {
        // The task inspector saw the call's task: the timeline has bars.
        const bars = await page.locator(`#card-${ex.name} svg.timeline rect`).count();
        assert.ok(bars > 0, 'timeline has task segments');
        const label = await page.locator(`#card-${ex.name} svg.timeline text.lbl`).first().textContent();
        assert.match(label, new RegExp(ex.entry));
      }
      assert.equal(await page.evaluate(() => window.cfDemo.liveTasks()), 0, 'no task left behind');
      durations.push(Math.round(r.ms));
      if (expected == null) break;
      assert.ok(r.ms >= expected - 30, `never early: ${Math.round(r.ms)} ms vs ${expected} ms`);
      if (withinTolerance(r.ms, expected)) break;
    }
    if (expected != null) {
      assert.ok(withinTolerance(durations.at(-1), expected), `${ex.name}: ${durations.join(', ')} ms vs expected ${expected} ms`);
    }
  });
}

test('Cancel aborts the running example and the server sees the request closed', async () => {
  await page.selectOption('#scale', '1');
  try {
    const before = await serverStats();
    const card = page.locator('#card-timeout');
    await card.locator('button.run').click();
    // Wait until the 1000 ms request is in flight at the server.
    await waitUntil(async () => (await serverStats()).inflight >= 1, 5000, 'the request to reach the server');
    const t0 = Date.now();
    await card.locator('button.cancel').click();
    await page.waitForFunction(() => document.getElementById('card-timeout').dataset.state === 'canceled', null, { timeout: 5000 });
    const r = await page.evaluate(() => window.cfDemo.results.timeout);
    assert.equal(r.state, 'canceled');
    assert.ok(r.ms < 900, `canceled before the first response (${Math.round(r.ms)} ms)`);
    assert.deepEqual(r.lines, [], 'nothing printed after cancel');
    const s = await waitUntil(async () => {
      const v = await serverStats();
      return v.aborted > before.aborted && v.inflight === 0 ? v : null;
    }, 3000, 'the server to see the connection closed');
    assert.equal(s.aborted - before.aborted, 1);
    assert.ok(Date.now() - t0 < 3000);
    await waitUntil(() => page.evaluate(() => window.cfDemo.liveTasks() === 0), 2000, 'the aborted task to be freed');
    assert.match(await card.locator('.output').textContent(), /canceled after/);
  } finally {
    await page.selectOption('#scale', String(SCALE));
  }
});

// The URL checker cards (stackless and fiber module): Cancel in the middle
// of the timeouts aborts every in-flight request and unwinds every task
// (in the fiber module: every fiber), and the card can run again.
for (const name of ['urlcheck', 'urlcheck-fiber']) {
  test(`Cancel aborts the ${name} card: its requests are closed, no task left`, async () => {
    const card = page.locator(`#card-${name}`);
    const before = await serverStats();
    await card.locator('button.run').click();
    // the slow path is at the server (the other paths answered at once)
    await waitUntil(async () => (await serverStats()).inflight >= 1, 5000, 'the slow request to reach the server');
    await card.locator('button.cancel').click();
    await page.waitForFunction((n) => document.getElementById(`card-${n}`).dataset.state === 'canceled', name, { timeout: 5000 });
    const r = await page.evaluate((n) => window.cfDemo.results[n], name);
    assert.equal(r.state, 'canceled');
    assert.deepEqual(r.lines, [], 'nothing printed: the report comes at the end');
    await waitUntil(async () => {
      const v = await serverStats();
      return v.aborted > before.aborted && v.inflight === 0 ? v : null;
    }, 3000, 'the server to see the slow request closed');
    await waitUntil(() => page.evaluate(() => window.cfDemo.liveTasks() === 0), 2000, 'every task freed');
    // and it runs again, to the expected lines
    const again = await runByClick(name, 60000);
    assert.equal(again.state, 'done', again.error ?? again.mismatch ?? '');
  });
}

// A long task can also come from the OS descheduling the renderer on a
// loaded 2-core CI machine, which says nothing about the executor. An
// executor that does not slice its work (the failure this guards against)
// produces long tasks on every run, so: up to 3 runs, at least one must be
// free of long tasks, and none may block for over 250 ms.
test('stress: 1e5 tasks with no long task over 50 ms while the animation runs', async () => {
  assert.ok(await page.evaluate(() => PerformanceObserver.supportedEntryTypes.includes('longtask')),
    'this Chromium reports long tasks');
  await page.locator('#stress').scrollIntoViewIfNeeded();
  const runs = [];
  for (let attempt = 0; attempt < 3; attempt++) {
    // Count animation frames during the run, independently of the page.
    await page.evaluate(() => {
      window.__frames = 0;
      window.__counting = true;
      const f = () => { window.__frames++; if (window.__counting) requestAnimationFrame(f); };
      requestAnimationFrame(f);
      delete window.cfDemo.results.stress;
    });
    await page.locator('#stress-run').click();
    await page.waitForFunction(() => document.getElementById('stress').dataset.state !== 'running' && window.cfDemo.results.stress, null, { timeout: 120000 });
    const frames = await page.evaluate(() => { window.__counting = false; return window.__frames; });
    const r = await page.evaluate(() => window.cfDemo.results.stress);
    assert.equal(r.state, 'done', r.error);
    assert.equal(r.lines[0], 'spawned 100000 tasks');
    assert.equal(r.lines.at(-1), 'all 100000 tasks joined, 0 failed');
    // rAF kept firing: at least one frame per 250 ms on average.
    assert.ok(frames >= Math.floor(r.ms / 250), `${frames} frames in ${Math.round(r.ms)} ms`);
    assert.equal(await page.evaluate(() => window.cfDemo.liveTasks()), 0);
    for (const l of r.longTasks) assert.ok(l.duration <= 250, `a ${l.duration} ms long task`);
    runs.push(r);
    console.log(`# stress run ${attempt + 1}: ${Math.round(r.ms)} ms, ${frames} frames, worst frame gap ${Math.round(r.maxFrameGap)} ms, long tasks ${JSON.stringify(r.longTasks.map((l) => l.duration))}`);
    if (r.longTasks.length === 0) break;
  }
  assert.equal(runs.at(-1).longTasks.length, 0, `long tasks in every run: ${JSON.stringify(runs.map((r) => r.longTasks))}`);
});

test('no console errors, page errors or failed requests; screenshot saved', async () => {
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.locator('#card-http details.source summary').click();
  await page.waitForFunction(() => /cf_select_init/.test(document.querySelector('#card-http details.source code').textContent), null, { timeout: 5000 });
  await page.locator('#card-http details.source summary').click();
  fs.mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, 'demo.png');
  await page.screenshot({ path: file, fullPage: true });
  assert.ok(fs.statSync(file).size > 10000);
  console.log(`# screenshot: ${path.relative(process.cwd(), file)}`);
  // Chromium logs every HTTP error response of a fetch as a console error;
  // the URL checker cards request 404, 418, 500 and 503 on purpose.
  const deliberate = /^console: Failed to load resource: the server responded with a status of (404|418|500|503) /;
  assert.deepEqual(browser.errors.filter((e) => !deliberate.test(e)), []);
});
