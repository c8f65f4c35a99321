// web/parallel.mjs: the "parallel" card of the demo page (issue 12). Builds
// its own section (before the stress card), loads the threaded demo module
// (dist/parallel/parallel.mjs: demo/parallel/parallel.c) in its own
// runtime, and on Run renders one Mandelbrot image on 1 Web Worker, then on
// N (web/parallel-run.mjs), showing both times, the speedup, the picture,
// and what the main thread went through meanwhile: animation frames, the
// worst gap between two, and long tasks (> 50 ms).
//
// Invariants: the card needs cross-origin isolation (SharedArrayBuffer);
// without it, it says so and never loads the module. At most one run at a
// time. Every run ends in window.cfParallel.last ({ ok, speedup, ... } or
// { ok: false, error }). The main thread only spawns jobs and receives
// completions: a long task during a run is a defect the tests look for.
import { runParallel, defaultThreads, PARALLEL } from './parallel-run.mjs';

const threads = defaultThreads(navigator.hardwareConcurrency);
const section = document.createElement('section');
section.className = 'card stress parallel';
section.id = 'parallel';
section.dataset.example = 'parallel';
section.dataset.state = 'idle';
section.innerHTML = `
  <header class="card-head">
    <div>
      <h2>All the cores: one image, ${threads} Web Workers</h2>
      <p class="blurb">A ${PARALLEL.tiles}-tile Mandelbrot render: each tile is a C function handed to
        <code>cf_spawn_blocking</code>, run on a pool of Web Workers sharing the module's memory, and awaited as a
        future by one task on this page's event loop. First on 1 worker, then on ${threads}; the animation keeps
        its frames because the main thread only spawns jobs and receives completions.</p>
    </div>
    <span class="chip">parallel</span>
  </header>
  <div class="stress-body">
    <div class="anim-wrap">
      <canvas class="p-anim" width="520" height="110" aria-label="animation"></canvas>
      <canvas class="p-img" width="240" height="240" aria-label="rendered image" style="width:240px;height:240px;image-rendering:pixelated;align-self:center"></canvas>
    </div>
    <div class="stress-side">
      <div class="controls">
        <button class="btn primary run" disabled>Render on 1 and ${threads} workers</button>
        <span class="state-badge">loading…</span>
      </div>
      <dl class="stats">
        <div><dt>1 worker</dt><dd class="p-one">—</dd></div>
        <div><dt>${threads} workers</dt><dd class="p-many">—</dd></div>
        <div><dt>speedup</dt><dd class="p-speedup">—</dd></div>
        <div><dt>frames during run</dt><dd class="p-frames">—</dd></div>
        <div><dt>worst frame gap</dt><dd class="p-gap">—</dd></div>
        <div><dt>long tasks &gt; 50 ms</dt><dd class="p-long">—</dd></div>
      </dl>
      <pre class="output p-out" aria-live="polite"></pre>
    </div>
  </div>`;
const stress = document.getElementById('stress');
if (stress) stress.before(section); else document.querySelector('main')?.append(section);

const $ = (sel) => section.querySelector(sel);
const runBtn = $('.run');
const badge = $('.state-badge');
const setState = (s, text = s) => { section.dataset.state = s; badge.textContent = text; };
const say = (text) => { $('.p-out').textContent = text; };

// ---- long tasks and frames (always on: cheap) ------------------------------
const longTasks = [];
try {
  new PerformanceObserver((list) => { for (const e of list.getEntries()) longTasks.push({ start: e.startTime, duration: e.duration }); })
    .observe({ type: 'longtask', buffered: true });
} catch { /* unsupported: shown as n/a */ }
let frames = [];
const anim = $('.p-anim').getContext('2d');
function frame(t) {
  frames.push(t);
  if (frames.length > 4000) frames = frames.slice(-2000);
  const w = anim.canvas.width, h = anim.canvas.height;
  anim.clearRect(0, 0, w, h);
  for (let i = 0; i < 12; i++) {
    const x = (w / 2) + Math.cos(t / 400 + i / 2) * (w / 2 - 20) * Math.sin(t / 1300);
    anim.fillStyle = `hsl(${(i * 30 + t / 10) % 360} 80% 60%)`;
    anim.beginPath();
    anim.arc(x, h / 2 + Math.sin(t / 300 + i) * (h / 2 - 12), 8, 0, Math.PI * 2);
    anim.fill();
  }
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

function drawImage(res) {
  const c = $('.p-img').getContext('2d');
  const side = res.thumb_side, img = c.createImageData(side, side);
  for (let i = 0; i < side * side; i++) {
    const ch = res.thumb[i];
    const v = ch === '.' ? 0 : (ch.charCodeAt(0) - 96) / 16;
    img.data.set(ch === '.' ? [10, 12, 24, 255] : [40 + 215 * v, 60 + 120 * Math.sqrt(v), 200 - 120 * v, 255], i * 4);
  }
  const tmp = new OffscreenCanvas(side, side);
  tmp.getContext('2d').putImageData(img, 0, 0);
  c.imageSmoothingEnabled = false;
  c.drawImage(tmp, 0, 0, c.canvas.width, c.canvas.height);
}

// ---- runtime and runs --------------------------------------------------------
const api = { isolated: globalThis.crossOriginIsolated === true, threads, ready: null, last: null, run: () => run() };
window.cfParallel = api;
let rt = null, busy = false;

api.ready = (async () => {
  if (!api.isolated) {
    setState('unavailable', 'needs isolation');
    say('This page is not cross-origin isolated, so it has no SharedArrayBuffer and no threads.\n' +
      'Serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp (npm run demo does).');
    return false;
  }
  try {
    const { loadRuntime } = await import('/bindings/index.mjs');
    rt = await loadRuntime({ module: new URL('/dist/parallel/parallel.mjs', location.href).href });
    setState('idle', 'idle');
    runBtn.disabled = false;
    return true;
  } catch (e) {
    setState('error', 'error');
    say(`could not load the threaded module: ${e.message}`);
    return false;
  }
})();
runBtn.addEventListener('click', () => { run(); });

async function run() {
  if (!rt || busy) return null;
  busy = true;
  runBtn.disabled = true;
  setState('running', 'running');
  for (const k of ['one', 'many', 'speedup', 'frames', 'gap', 'long']) $(`.p-${k}`).textContent = '…';
  say('');
  let result;
  const t0 = performance.now();
  try {
    const r = await runParallel(rt, { threads, onPhase: (p) => say(p === 'warm' ? 'starting the workers…' : p === 'one' ? 'rendering on 1 worker…' : `rendering on ${threads} workers…`) });
    const t1 = performance.now();
    const fr = frames.filter((t) => t >= t0 && t <= t1);
    let gap = 0;
    for (let i = 1; i < fr.length; i++) gap = Math.max(gap, fr[i] - fr[i - 1]);
    const long = longTasks.filter((l) => l.start + l.duration >= t0 && l.start <= t1);
    result = { ok: r.ok, problem: r.problem, speedup: r.speedup, threads, oneMs: r.one.ms, manyMs: r.many.ms,
      checksum: r.one.checksum, runMs: t1 - t0, frames: fr.length, worstFrameGap: gap, longTasks: long };
    $('.p-one').textContent = `${Math.round(r.one.ms)} ms`;
    $('.p-many').textContent = `${Math.round(r.many.ms)} ms`;
    $('.p-speedup').textContent = `${r.speedup.toFixed(2)}×`;
    $('.p-frames').textContent = String(fr.length);
    $('.p-gap').textContent = `${Math.round(gap)} ms`;
    $('.p-long').textContent = String(long.length);
    drawImage(r.many);
    say(`${r.size}×${r.size} px, ${PARALLEL.tiles} tiles, checksum ${r.one.checksum} on both runs${r.ok ? '' : ` — ${r.problem}`}\n` +
      `the event loop stayed free: ${fr.length} frames, worst gap ${Math.round(gap)} ms, ${long.length} long tasks`);
    setState(r.ok ? 'done' : 'mismatch', r.ok ? 'done' : 'mismatch');
  } catch (e) {
    result = { ok: false, error: `${e.code ?? e.name}: ${e.message}` };
    say(result.error);
    setState('error', 'error');
  } finally {
    busy = false;
    runBtn.disabled = false;
  }
  api.last = result;
  return result;
}
