// package-threads.test.mjs: the threaded flavour from the npm package, in
// Node. `npm pack` (prepack builds dist/, dist/threads/ included), install
// the tarball into a fresh temporary folder, then:
//   - loadRuntime({ threads: true }) loads dist/threads/cfuture.threads.mjs
//     (shared memory, cfw_threads_enabled() === 1), runs a call, and the
//     process exits by itself;
//   - a user's C file that uses cf_spawn_blocking, compiled with the flags of
//     `npx cfuture-emcc-flags --threads`, runs its jobs on two Workers and
//     the process exits by itself once the pool is idle.
// (tests/node/package.test.mjs covers the default flavour.) Every test and
// every child process has a time limit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const env = { ...process.env, NODE_PATH: process.env.NODE_PATH || '/usr/share/nodejs', npm_config_update_notifier: 'false' };
let dir;

before(async () => {
  assert.ok(existsSync(path.join(root, 'dist/cfuture.wasm')), 'run npm run build:wasm first');
  dir = mkdtempSync(path.join(os.tmpdir(), 'cfuture-pkg-threads-'));
  execFileSync('npm', ['pack', '--pack-destination', dir], { cwd: root, env, stdio: 'pipe', maxBuffer: 64 << 20 });
  const tarball = path.join(dir, readdirSync(dir).find((f) => f.endsWith('.tgz')));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'smoke-threads', version: '1.0.0', type: 'module', private: true }));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--offline', tarball], { cwd: dir, env, stdio: 'pipe' });
}, { timeout: 240_000 });
after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// Run a script in a child Node; it must exit by itself (code 0) within 20 s.
async function node(script, file = 'main.mjs') {
  writeFileSync(path.join(dir, file), script);
  const t0 = Date.now();
  const { stdout } = await promisify(execFile)(process.execPath, ['--unhandled-rejections=strict', file],
    { cwd: dir, env, encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
  return { stdout, ms: Date.now() - t0 };
}

test('the tarball ships the threaded module and its library', { timeout: 10_000 }, () => {
  const d = path.join(dir, 'node_modules', 'cfuture', 'dist', 'threads');
  for (const f of ['cfuture.threads.mjs', 'cfuture.threads.worker.js', 'cfuture.threads.wasm', 'package.json', 'libcfuture.threads.a']) {
    assert.ok(existsSync(path.join(d, f)), `dist/threads/${f} missing from the package`);
  }
});

test('loadRuntime({ threads: true }) from the installed package; the process exits by itself', { timeout: 30_000 }, async () => {
  const { stdout } = await node(`import { loadRuntime } from 'cfuture';
const rt = await loadRuntime({ threads: true });
const slept = await rt.call('sleep', 5);
console.log(JSON.stringify({ slept, threads: rt.module._cfw_threads_enabled(), shared: rt.module.wasmMemory.buffer instanceof SharedArrayBuffer }));`);
  const r = JSON.parse(stdout);
  assert.ok(r.slept >= 5);
  assert.equal(r.threads, 1);
  assert.equal(r.shared, true);
  // The default flavour is not the threaded one.
  const d = JSON.parse((await node(`import { loadRuntime } from 'cfuture';
const rt = await loadRuntime();
console.log(JSON.stringify({ threads: rt.module._cfw_threads_enabled() }));
rt.dispose();`, 'default.mjs')).stdout);
  assert.equal(d.threads, 0);
});

test('a user module built with cfuture-emcc-flags --threads runs blocking jobs and exits', { timeout: 120_000 }, async () => {
  // The module goes to a folder of its own: emcc 3.1.6 writes <name>.worker.js
  // as CommonJS, so that folder's package.json says "commonjs".
  const out = path.join(dir, 'threaded');
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'package.json'), '{ "type": "commonjs" }\n');
  writeFileSync(path.join(dir, 'user.c'), `#include <cfuture.h>
#include <cfuture/wasm.h>

static int square_fn(void *arg, const cf_blocking_ctx_t *ctx) {
  double *v = arg;
  (void)ctx;
  *v = *v * *v;
  return 0;
}

typedef struct squares {
  cf_future_t base;
  int spawned;
  double v[4];
  cf_blocking_handle_t h[4];
} squares_t;

static cf_poll_t squares_poll(cf_future_t *f, cf_context_t *cx) {
  squares_t *s = (squares_t *)f;
  if (!s->spawned) {
    const cf_blocking_pool_options_t o = {2, -1};
    s->spawned = 1;
    if ((f->rc = cf_blocking_configure(cx->rt, &o)) < 0)
      return CF_READY;
    for (int i = 0; i < 4; i++)
      cf_spawn_blocking(cx->rt, square_fn, &s->v[i], NULL, &s->h[i]);
  }
  int pending = 0;
  for (int i = 0; i < 4; i++)
    if (cf_future_poll(&s->h[i].base, cx) == CF_PENDING)
      pending = 1;
    else if (s->h[i].base.rc < 0)
      f->rc = s->h[i].base.rc;
  return pending ? CF_PENDING : CF_READY;
}
static void squares_drop(cf_future_t *f) {
  squares_t *s = (squares_t *)f;
  for (int i = 0; s->spawned && i < 4; i++)
    cf_future_drop(&s->h[i].base);
}
static const cf_future_vtable_t squares_vt = {"squares", squares_poll, squares_drop, 0};
static int squares_init(cf_future_t *f, const cf_args_t *a) {
  squares_t *s = (squares_t *)f;
  cf_future_init(f, &squares_vt);
  s->spawned = 0;
  for (int i = 0; i < 4; i++)
    s->v[i] = cf_args_number(a, 0) + i;
  return 0;
}
static void squares_result(const cf_future_t *f, cf_value_t *out) {
  const squares_t *s = (const squares_t *)f;
  *out = cf_value_number(s->v[0] + s->v[1] + s->v[2] + s->v[3]);
}
CF_EXPORT_ASYNC(squares_export, "squares", squares_t, squares_init, squares_result)
`);
  const flags = JSON.parse(execFileSync('npx', ['--no-install', 'cfuture-emcc-flags', '--threads', '--json'], { cwd: dir, env, encoding: 'utf8' }));
  assert.ok(flags.includes('-pthread'), flags.join(' '));
  assert.ok(flags.some((f) => f.endsWith('libcfuture.threads.a')), flags.join(' '));
  execFileSync('emcc', ['-O2', '-std=c11', '-Wall', '-Wextra', '-Werror', 'user.c', ...flags, '-o', 'threaded/user.mjs'],
    { cwd: dir, env, stdio: 'pipe', timeout: 100_000 });
  const { stdout, ms } = await node(`import { loadRuntime } from 'cfuture';
const rt = await loadRuntime({ module: new URL('./threaded/user.mjs', import.meta.url) });
console.log(JSON.stringify({ sum: await rt.call('squares', 3) }));`);
  assert.deepEqual(JSON.parse(stdout), { sum: 9 + 16 + 25 + 36 });
  assert.ok(ms < 15_000, `the process took ${ms} ms to exit`);
});
