// package.test.mjs: the packed tarball in the places a web developer puts
// it, with zero configuration. `npm pack` (which runs prepack) once; then
// for each fixture app under fixtures/ (Vite production build, esbuild in
// ESM and IIFE format, webpack 5, a plain import-map page and its twin
// loading the threaded flavour on a cross-origin-isolated page, a
// Vite-bundled module worker): copy it to a temporary folder, `npm install --offline`
// the tarball into it, build it with its own "build" script (the bundlers
// are this repository's devDependencies, so `npm ci` here is all the
// set-up), serve it from 127.0.0.1 and open it in Chromium. The page must
// load the runtime, run a C task and show its result, with no console
// errors. The TypeScript fixture (tests/types) type-checks against the
// installed package. Sizes of what each app loads (raw and gzip) go to
// test-results/package-sizes.json and are printed. CF_PACKAGE_TARBALL=<.tgz>
// tests a given tarball instead of packing this checkout.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launch, chromiumAvailable } from '../browser/helpers.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const run = promisify(execFile);
const env = {
  ...process.env,
  NODE_PATH: process.env.NODE_PATH || '/usr/share/nodejs',
  PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`,
  npm_config_update_notifier: 'false',
  npm_config_audit: 'false',
  npm_config_fund: 'false',
};
const STEP_MS = 120_000;
const skipBrowser = !chromiumAvailable() && 'chromium not installed (apt-get install -y chromium)';

let work, tarball;
const sizes = {};

before(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'cfuture-fixtures-'));
  if (process.env.CF_PACKAGE_TARBALL) {
    // A tarball made elsewhere (e.g. `npm pack` on a fresh clone).
    tarball = path.resolve(process.env.CF_PACKAGE_TARBALL);
    return;
  }
  // npm pack runs prepack (scripts/build-wasm.mjs --package): a clean
  // checkout needs nothing else.
  await run('npm', ['pack', '--pack-destination', work], { cwd: root, env, timeout: 10 * 60_000, maxBuffer: 64 << 20 });
  tarball = path.join(work, fs.readdirSync(work).find((f) => f.endsWith('.tgz')));
});

after(() => {
  if (Object.keys(sizes).length) {
    const out = path.join(root, 'test-results', 'package-sizes.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(sizes, null, 2) + '\n');
    const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
    console.log('\nwhat each fixture app loads (raw / gzip -9):');
    for (const [name, s] of Object.entries(sizes)) {
      console.log(`  ${name.padEnd(14)} js ${kb(s.js.raw)} / ${kb(s.js.gzip)}  wasm ${kb(s.wasm.raw)} / ${kb(s.wasm.gzip)}` +
        `  total ${kb(s.total.raw)} / ${kb(s.total.gzip)}`);
    }
    console.log(`  (${path.relative(root, out)})`);
  }
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** Copy a fixture to the work folder and install the tarball into it, offline. */
async function install(name, from = path.join(here, 'fixtures', name)) {
  const dir = path.join(work, name);
  fs.cpSync(from, dir, { recursive: true });
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-save', tarball], { cwd: dir, env, timeout: STEP_MS });
  return dir;
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json', '.css': 'text/css' };

/** A static server on 127.0.0.1 that records what it served; `isolated`:
 * every response carries COOP same-origin and COEP require-corp (what a
 * page needs for SharedArrayBuffer, docs/threads.md). */
async function serve(dir, { isolated = false } = {}) {
  const served = [];
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = path.join(dir, rel);
    if (!file.startsWith(dir)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!fs.existsSync(file)) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'); return; }
    const body = fs.readFileSync(file);
    served.push({ path: rel, file, raw: body.length, gzip: gzipSync(body, { level: 9 }).length });
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store',
      ...(isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {}) });
    res.end(body);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, served, close: () => new Promise((r) => server.close(r)) };
}

/** Open a page, wait for its result, return { text, errors, served }. */
async function open(dir, page = '/', srv = null) {
  const own = !srv;
  srv ??= await serve(dir);
  const b = await launch();
  try {
    await b.page.goto(srv.url + page, { timeout: STEP_MS });
    await b.page.waitForSelector('#result:not([data-state="loading"])', { timeout: 30_000 });
    const state = await b.page.getAttribute('#result', 'data-state');
    const text = await b.page.textContent('#result');
    return { state, text, errors: b.errors, served: srv.served };
  } finally {
    await b.close();
    if (own) await srv.close();
  }
}

function record(name, served) {
  const pick = (f) => served.filter(f).reduce((a, s) => ({ raw: a.raw + s.raw, gzip: a.gzip + s.gzip }), { raw: 0, gzip: 0 });
  const js = pick((s) => /\.m?js$/.test(s.path));
  const wasm = pick((s) => s.path.endsWith('.wasm'));
  sizes[name] = {
    files: served.map(({ path: p, raw, gzip }) => ({ path: p, raw, gzip })),
    js, wasm, total: { raw: js.raw + wasm.raw, gzip: js.gzip + wasm.gzip },
  };
}

/** Browser bundles must not contain the Node loader or Node built-ins. */
function assertNoNodeCode(dir, name) {
  const files = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.m?js$/.test(e.name)) files.push(p);
    }
  };
  walk(dir);
  assert.ok(files.length, `${name}: no JS built`);
  for (const f of files) {
    const js = fs.readFileSync(f, 'utf8');
    for (const bad of ['node:fs', 'node:url', 'createRequire', 'getBuiltinModule', 'readFileSync']) {
      assert.ok(!js.includes(bad), `${name}: ${path.relative(dir, f)} contains Node code (${bad})`);
    }
  }
}

const EXPECT = /^C task slept \d+ ms/;

function check(name, r) {
  assert.deepEqual(r.errors, [], `${name}: console errors`);
  assert.equal(r.state, 'ok', `${name}: ${r.text}`);
  assert.match(r.text, EXPECT);
}

const bundled = [
  { name: 'vite', out: 'dist', pages: ['/'] },
  { name: 'esbuild', out: '.', pages: ['/index.html', '/iife.html'], bundleDir: 'dist' },
  { name: 'webpack', out: '.', pages: ['/index.html'], bundleDir: 'dist' },
  { name: 'worker', out: 'dist', pages: ['/'] },
];

for (const fx of bundled) {
  test(`${fx.name}: the packed tarball in a production build, in Chromium`, { skip: skipBrowser, timeout: 4 * STEP_MS }, async () => {
    const dir = await install(fx.name);
    const { stdout, stderr } = await run('npm', ['run', 'build'], { cwd: dir, env, timeout: STEP_MS, maxBuffer: 16 << 20 });
    assert.doesNotMatch(stdout + stderr, /\bwarn(ing)?\b/i, `${fx.name}: the build warned:\n${stdout}${stderr}`);
    assertNoNodeCode(path.join(dir, fx.bundleDir ?? fx.out), fx.name);
    for (const page of fx.pages) {
      const r = await open(path.join(dir, fx.out), page);
      check(`${fx.name} ${page}`, r);
      record(fx.pages.length > 1 ? `${fx.name} ${page.replace(/^\/|\.html$/g, '')}` : fx.name, r.served);
    }
  });
}

test('import map: the installed package served as is, in Chromium', { skip: skipBrowser, timeout: 3 * STEP_MS }, async () => {
  const dir = await install('importmap');
  const r = await open(dir, '/');
  check('importmap', r);
  record('importmap', r.served);
  assert.ok(r.served.some((s) => s.path.endsWith('/dist/cfuture.wasm')), 'the page fetched the separate .wasm');
});

test('import map, threads: loadRuntime({ threads: true }) unbundled on a cross-origin-isolated page', { skip: skipBrowser, timeout: 3 * STEP_MS }, async () => {
  const dir = await install('importmap-threads');
  const srv = await serve(dir, { isolated: true });
  try {
    const r = await open(dir, '/', srv);
    check('importmap-threads', r);
    assert.match(r.text, /; isolated true; threads 1; shared true$/);
    assert.ok(r.served.some((s) => s.path.endsWith('/dist/threads/cfuture.threads.wasm')), 'the page fetched the threaded .wasm');
  } finally {
    await srv.close();
  }
});

test('vite dev server: the same app unbuilt (the dependency pre-bundled by Vite)', { skip: skipBrowser, timeout: 3 * STEP_MS }, async () => {
  const dir = await install('vite-dev', path.join(here, 'fixtures', 'vite'));
  const vite = spawn(process.execPath, [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), '--host', '127.0.0.1', '--port', '0', '--strictPort=false'],
    { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const url = await new Promise((resolve, reject) => {
      let log = '';
      const timer = setTimeout(() => reject(new Error(`vite dev did not start:\n${log}`)), 60_000);
      const onData = (d) => {
        log += d;
        const m = /Local:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(log.replace(/\x1b\[[0-9;]*m/g, ''));
        if (m) { clearTimeout(timer); resolve(m[1]); }
      };
      vite.stdout.on('data', onData);
      vite.stderr.on('data', onData);
      vite.on('exit', (code) => reject(new Error(`vite dev exited (${code}):\n${log}`)));
    });
    const r = await open(dir, '/', { url, served: [] });
    check('vite dev', r);
  } finally {
    vite.kill('SIGTERM');
  }
});

test('typescript: the public types of the installed package (strict; node16 and bundler resolution)', { timeout: 3 * STEP_MS }, async () => {
  const dir = await install('typescript', path.join(root, 'tests', 'types'));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'fixture-typescript', private: true, type: 'module' }));
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  for (const config of ['node16', 'bundler']) {
    const r = await run(process.execPath, [tsc, '-p', `tsconfig.${config}.json`], { cwd: dir, env, timeout: STEP_MS }).catch((e) => e);
    assert.equal(r.code ?? 0, 0, `tsc ${config}:\n${r.stdout}${r.stderr}`);
  }
});
