// package.test.mjs: the npm package in Node. `npm pack` (prepack builds
// dist/), install the tarball into a fresh temporary folder, then: import it
// and call the prebuilt module; require() it from CommonJS; use the
// prebuilt factory from cfuture/cfuture.mjs without wasmBinary; check that
// a relative module path is refused with advice rather than resolved
// against the current directory; and compile a user's C async function
// against the installed package with emcc (flags from `npx
// cfuture-emcc-flags`), load it with loadRuntime and call it; the same for
// fibers: the prebuilt fiber module (cfuture/fibers, with abort) and a
// user fiber module linked with `cfuture-emcc-flags --fibers`. (The same
// tarball in bundlers and browsers: tests/package/.)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './helpers.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const env = { ...process.env, NODE_PATH: process.env.NODE_PATH || '/usr/share/nodejs', npm_config_update_notifier: 'false' };
let dir, srv;

before(async () => {
  assert.ok(existsSync(path.join(root, 'dist/cfuture.wasm')), 'run npm run build:wasm first');
  dir = mkdtempSync(path.join(os.tmpdir(), 'cfuture-pkg-'));
  // npm pack runs prepack (scripts/build-wasm.mjs --package), whose output goes to the same stdout.
  execFileSync('npm', ['pack', '--pack-destination', dir], { cwd: root, env, stdio: 'pipe', maxBuffer: 64 << 20 });
  const tarball = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz')));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'smoke', version: '1.0.0', type: 'module', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', tarball], { cwd: dir, env, stdio: 'pipe' });
  srv = await startServer();
});
after(async () => {
  await srv?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Asynchronous: the child fetches from this process's server.
async function node(script, file = 'main.mjs') {
  writeFileSync(path.join(dir, file), script);
  const { stdout } = await promisify(execFile)(process.execPath, ['--unhandled-rejections=strict', file], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  return stdout;
}

test('CommonJS: require(\'cfuture\') works (Node >= 20.19 requires ES modules)', async () => {
  const out = await node(`const { loadRuntime, Runtime } = require('cfuture');
loadRuntime().then(async (rt) => {
  const slept = await rt.call('sleep', 5);
  console.log(JSON.stringify({ slept, isRuntime: rt instanceof Runtime }));
  rt.dispose();
});`, 'main.cjs');
  const r = JSON.parse(out);
  assert.ok(r.slept >= 5);
  assert.equal(r.isRuntime, true);
});

test('cfuture/cfuture.mjs: the prebuilt factory loads its .wasm in Node by itself', async () => {
  const out = await node(`import createCfutureModule from 'cfuture/cfuture.mjs';
import { loadRuntime } from 'cfuture';
const rt = await loadRuntime({ moduleFactory: createCfutureModule });
console.log(JSON.stringify({ slept: await rt.call('sleep', 5) }));
rt.dispose();`);
  assert.ok(JSON.parse(out).slept >= 5);
});

test('a relative module path is a TypeError that says how to write it', async () => {
  const out = await node(`import { loadRuntime } from 'cfuture';
try { await loadRuntime({ module: './user.mjs' }); console.log('loaded'); }
catch (e) { console.log(e.name + ': ' + e.message); }`);
  assert.match(out, /^TypeError: .*relative path "\.\/user\.mjs".*new URL\("\.\/user\.mjs", import\.meta\.url\)/);
});

test('npx cfuture-emcc-flags from the installed package', async () => {
  const { stdout } = await promisify(execFile)('npx', ['--no-install', 'cfuture-emcc-flags', '--explain'], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  assert.match(stdout, /^-sMODULARIZE=1\n {4}\S/);
  assert.match(stdout, /--js-library \S+node_modules\/cfuture\/bindings\/gen\/contract_lib\.js/);
  const flags = await promisify(execFile)('npx', ['--no-install', 'cfuture-emcc-flags'], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  assert.match(flags.stdout, /node_modules\/cfuture\/dist\/libcfuture\.a/);
});

test('the installed package imports and calls the prebuilt module', async () => {
  const out = await node(`import { loadRuntime } from 'cfuture';
const rt = await loadRuntime();
const slept = await rt.call('sleep', 20);
const page = await rt.call('fetch_text', ${JSON.stringify(srv.base + '/status/404')});
console.log(JSON.stringify({ slept, page }));
rt.dispose();`);
  const r = JSON.parse(out);
  assert.ok(r.slept >= 20);
  assert.deepEqual(r.page, { status: 404, statusText: 'Not Found', body: 'status 404' });
});

test('a user C async function compiled against the installed package', async () => {
  writeFileSync(path.join(dir, 'user.c'), `
#include <cfuture.h>
#include <cfuture/wasm.h>
typedef struct { cf_async_t co; cf_sleep_t nap; double x; } twice_t;
static cf_poll_t twice_poll(cf_future_t *f, cf_context_t *cx) {
  twice_t *self = (twice_t *)f;
  CF_BEGIN(self);
  cf_sleep_init(&self->nap, 10);
  CF_AWAIT(self, &self->nap);
  self->x *= 2;
  CF_END(self, self->x < 0 ? CF_ERANGE : 0);
}
CF_ASYNC_VTABLE(twice_vt, "twice", twice_poll, NULL);
static int twice_init(cf_future_t *f, const cf_args_t *a) {
  twice_t *self = (twice_t *)f;
  cf_async_init(&self->co, &twice_vt);
  self->x = cf_args_number(a, 0);
  return 0;
}
static void twice_result(const cf_future_t *f, cf_value_t *out) {
  *out = cf_value_number(((const twice_t *)f)->x);
}
CF_EXPORT_ASYNC(twice_export, "twice", twice_t, twice_init, twice_result)
`);
  const flags = JSON.parse(execFileSync('npx', ['--no-install', 'cfuture-emcc-flags', '--json'], { cwd: dir, env, encoding: 'utf8' }));
  execFileSync('emcc', ['-O2', '-std=c11', '-Wall', '-Wextra', '-Werror', 'user.c', ...flags, '-o', 'user.mjs'], { cwd: dir, env, stdio: 'pipe' });
  const out = await node(`import { loadRuntime } from 'cfuture';
const rt = await loadRuntime({ module: new URL('./user.mjs', import.meta.url) });
const v = await rt.call('twice', 21);
const e = await rt.call('twice', -1).catch((err) => err.code);
console.log(JSON.stringify({ v, e }));
rt.dispose();`);
  assert.deepEqual(JSON.parse(out), { v: 42, e: 'CF_ERANGE' });
});

test('cfuture/fibers: the prebuilt fiber module runs a fiber export, aborts it, and still has the builtins', async () => {
  const out = await node(`import createFibers from 'cfuture/fibers';
import { loadRuntime } from 'cfuture';
const rt = await loadRuntime({ moduleFactory: createFibers });
const slept = await rt.call('fiber_sleep', 5, 3);
const plain = await rt.call('sleep', 5);
const bad = await rt.call('fiber_sleep', -1).catch((e) => e.code);
const ac = new AbortController();
const p = rt.call('fiber_sleep', 10000, { signal: ac.signal });
setTimeout(() => ac.abort(), 20);
const aborted = await p.then(() => 'resolved', (e) => e.name);
console.log(JSON.stringify({ slept, plain, bad, aborted, tasks: rt.tasks().length }));
rt.dispose();`, 'fibers.mjs');
  const r = JSON.parse(out);
  assert.ok(r.slept >= 15, `slept ${r.slept}`);
  assert.ok(r.plain >= 5);
  assert.equal(r.bad, 'CF_EINVAL');
  assert.equal(r.aborted, 'AbortError');
  assert.equal(r.tasks, 0);
});

test('the default prebuilt module stays free of Asyncify; the fiber module has it', () => {
  // -Os minifies the wasm's export names; the glue still names Asyncify's entry points.
  const glue = (file) => readFileSync(path.join(dir, 'node_modules/cfuture/dist', file), 'utf8');
  assert.doesNotMatch(glue('cfuture.mjs'), /asyncify/i);
  assert.doesNotMatch(glue('cfuture.web.mjs'), /asyncify/i);
  assert.match(glue('cfuture-fibers.mjs'), /asyncify_start_unwind/);
  assert.match(glue('cfuture-fibers.web.mjs'), /asyncify_start_unwind/);
});

test('a user fiber module compiled against the installed package (cfuture-emcc-flags --fibers)', async () => {
  writeFileSync(path.join(dir, 'ufiber.c'), `
#include <cfuture/fiber_export.h>
/* a blocking-style loop: locals survive the awaits */
static int count_up(cf_fiber_call_t *c) {
  int n = (int)cf_args_number(c->args, 0), sum = 0;
  for (int i = 1; i <= n; i++) {
    int rc = cf_fiber_sleep(2);
    if (rc < 0)
      return rc;
    sum += i;
  }
  cf_fiber_call_return_number(c, sum);
  return 0;
}
CF_EXPORT_FIBER(count_up_export, "count_up", count_up, NULL)
`);
  const flags = JSON.parse(execFileSync('npx', ['--no-install', 'cfuture-emcc-flags', '--fibers', '--json'], { cwd: dir, env, encoding: 'utf8' }));
  assert.ok(flags.includes('-sASYNCIFY=1'));
  const plainFlags = JSON.parse(execFileSync('npx', ['--no-install', 'cfuture-emcc-flags', '--json'], { cwd: dir, env, encoding: 'utf8' }));
  assert.ok(!plainFlags.some((f) => /ASYNCIFY/.test(f)));
  await promisify(execFile)('emcc', ['-O2', '-std=c11', '-Wall', '-Wextra', '-Werror', 'ufiber.c', ...flags, '-o', 'ufiber.mjs'], { cwd: dir, env, timeout: 120_000 });
  const out = await node(`import { loadRuntime } from 'cfuture';
const rt = await loadRuntime({ module: new URL('./ufiber.mjs', import.meta.url) });
console.log(JSON.stringify({ v: await rt.call('count_up', 10) }));
rt.dispose();`, 'ufiber-main.mjs');
  assert.deepEqual(JSON.parse(out), { v: 55 });
});

test('npx cfuture-lint from the installed package flags a local used across an await', { timeout: 60_000 }, async () => {
  writeFileSync(path.join(dir, 'lintme.c'), `#include <cfuture.h>
typedef struct { cf_async_t co; cf_sleep_t s; int out; } ex_t;
static cf_poll_t ex_poll(cf_future_t *f, cf_context_t *cx) {
  ex_t *self = (ex_t *)f;
  (void)cx;
  CF_BEGIN(self);
  {
    int kept = 42;
    cf_sleep_init(&self->s, 1);
    CF_AWAIT(self, &self->s);
    self->out = kept;
  }
  CF_END(self, 0);
}
CF_ASYNC_VTABLE(ex_vt, "ex", ex_poll, NULL);
`);
  const r = await promisify(execFile)('npx', ['--no-install', 'cfuture-lint', 'lintme.c'], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 })
    .then(() => ({ code: 0 }), (e) => ({ code: e.code, out: e.stdout }));
  assert.equal(r.code, 1);
  assert.match(r.out, /^lintme\.c:8: local 'kept' is declared before the CF_AWAIT at line 10/m);
});
