#!/usr/bin/env node
// scripts/demo.mjs: `npm run demo`.
//
//   npm run demo                         build what is missing, serve the page
//   npm run demo -- --port 8080          (or CFUTURE_DEMO_PORT; 0 = any port)
//   npm run demo -- --cli <name|all>     run examples in the terminal
//   npm run demo -- --cli all --scale 0.25
//   npm run demo -- --cli stress [--tasks 100000]
//   npm run demo -- --build              rebuild the wasm module and exit
//
// The CLI loads the same wasm module as the page (dist/demo.mjs) in Node
// through bindings/index.mjs, against the same demo server (started on a
// free port), and prints the same lines. It exits non-zero if an example
// prints something other than its expected lines (web/examples.mjs).
//
// Invariant: the wasm module is rebuilt when it is missing or older than
// any source it is built from, so a fresh clone just works.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEMO_MJS = path.join(root, 'dist', 'demo.mjs');
const DEMO_WASM = path.join(root, 'dist', 'demo.wasm');
// The fiber demo module (demo/fiber/*.c, Asyncify; fiber.cmake copies it here).
const FIBER_MJS = path.join(root, 'dist', 'demo_fiber.mjs');
const FIBER_WASM = path.join(root, 'dist', 'demo_fiber.wasm');

function newestMtime(dir, exts) {
  let newest = 0;
  if (!fs.existsSync(dir)) return 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestMtime(p, exts));
    else if (exts.some((x) => e.name.endsWith(x))) newest = Math.max(newest, fs.statSync(p).mtimeMs);
  }
  return newest;
}

/** True when dist/demo.{mjs,wasm} exist and are newer than their sources. */
export function demoModuleFresh() {
  const outputs = [DEMO_MJS, DEMO_WASM, FIBER_MJS, FIBER_WASM];
  if (!outputs.every((f) => fs.existsSync(f))) return false;
  const built = Math.min(...outputs.map((f) => fs.statSync(f).mtimeMs));
  const sources = Math.max(
    newestMtime(path.join(root, 'demo'), ['.c', '.h', '.cmake']),
    newestMtime(path.join(root, 'src'), ['.c', '.h']),
    newestMtime(path.join(root, 'include'), ['.h']),
    newestMtime(path.join(root, 'bindings'), ['.js', '.txt']),
  );
  return built >= sources;
}

/** Build the wasm modules (scripts/build-wasm.sh) unless fresh. Throws on failure. */
export function ensureDemoBuilt({ force = false, quiet = false } = {}) {
  if (!force && demoModuleFresh()) return false;
  // The wasm layer's build script builds every module, the demo's included
  // (demo/demo.cmake copies dist/demo.* after linking).
  const mjs = path.join(root, 'scripts', 'build-wasm.mjs');
  const sh = path.join(root, 'scripts', 'build-wasm.sh');
  const [cmd, args] = fs.existsSync(mjs) ? [process.execPath, [mjs]] : fs.existsSync(sh) ? ['sh', [sh]] : [null, null];
  if (!cmd) throw new Error('scripts/build-wasm.mjs is missing: cannot build the wasm module');
  if (!quiet) console.error(`demo: building the wasm module (${path.relative(root, args[0])})…`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: quiet ? 'pipe' : ['ignore', 'inherit', 'inherit'], encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) {
    throw new Error(`wasm build failed (exit ${r.status})${quiet ? `\n${r.stdout}\n${r.stderr}` : ''}`);
  }
  if (!fs.existsSync(DEMO_MJS) || !fs.existsSync(DEMO_WASM)) {
    throw new Error('wasm build finished but dist/demo.mjs / dist/demo.wasm are missing (is demo/demo.cmake included?)');
  }
  if (!fs.existsSync(FIBER_MJS) || !fs.existsSync(FIBER_WASM)) {
    throw new Error('wasm build finished but dist/demo_fiber.mjs / dist/demo_fiber.wasm are missing (see fiber.cmake)');
  }
  return true;
}

function parseArgs(argv) {
  const o = { cli: null, scale: 1, port: undefined, tasks: 100000, build: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--cli' || a.startsWith('--cli=')) o.cli = val();
    else if (a === '--scale' || a.startsWith('--scale=')) o.scale = Number(val());
    else if (a === '--port' || a.startsWith('--port=')) o.port = Number(val());
    else if (a === '--tasks' || a.startsWith('--tasks=')) o.tasks = Number(val());
    else if (a === '--build') o.build = true;
    else if (a === '--help' || a === '-h') o.help = true;
    else throw new Error(`unknown argument: ${a}`);
  }
  if (!(Number.isFinite(o.scale) && o.scale > 0 && o.scale <= 100)) throw new Error('--scale must be a number in (0, 100]');
  if (o.port !== undefined && !(Number.isInteger(o.port) && o.port >= 0 && o.port <= 65535)) throw new Error('--port must be 0..65535');
  if (!(Number.isInteger(o.tasks) && o.tasks >= 1 && o.tasks <= 1000000)) throw new Error('--tasks must be 1..1000000');
  return o;
}

const USAGE = `usage: npm run demo -- [--port N] [--cli <name|all|stress>] [--scale S] [--tasks N] [--build]
examples: `;

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const dim = (s) => (color ? `\x1b[2m${s}\x1b[22m` : s);
const bold = (s) => (color ? `\x1b[1m${s}\x1b[22m` : s);
const green = (s) => (color ? `\x1b[32m${s}\x1b[39m` : s);
const red = (s) => (color ? `\x1b[31m${s}\x1b[39m` : s);

/**
 * Run examples in Node. Returns [{ name, ok, lines, ms, expectedMs }].
 * `out` receives each printed line as the C code prints it.
 */
export async function runCli(names, { scale = 1, tasks = 100000, out = (l) => console.log(l), header = (h) => console.log(h) } = {}) {
  const { EXAMPLES, STRESS, byName, checkLines, withinTolerance } = await import(pathToFileURL(path.join(root, 'web', 'examples.mjs')).href);
  const list = names.map((n) => (n === 'stress' ? STRESS : byName(n)));
  const unknown = names.filter((n, i) => !list[i]);
  if (unknown.length) throw new Error(`unknown example(s): ${unknown.join(', ')}; known: ${EXAMPLES.map((e) => e.name).join(', ')}, stress, all`);
  const { startServer } = await import(pathToFileURL(path.join(root, 'demo', 'server.mjs')).href);
  const { loadRuntime } = await import(pathToFileURL(path.join(root, 'bindings', 'index.mjs')).href);
  const srv = await startServer({ port: 0 });
  let lines = [];
  // One runtime per module, loaded when an example needs it: the stackless
  // demo module, and the fiber module for `module: 'fiber'` examples.
  const runtimes = new Map();
  const runtimeFor = async (ex) => {
    const file = ex.module === 'fiber' ? FIBER_MJS : DEMO_MJS;
    if (!runtimes.has(file)) {
      runtimes.set(file, await loadRuntime({
        module: file,
        print: (l) => { lines.push(l); out(l); },
        printErr: (l) => process.stderr.write(`${l}\n`),
      }));
    }
    const rt = runtimes.get(file);
    for (const [name, fn] of Object.entries(ex.host ?? {})) rt.host(name, fn);
    return rt;
  };
  const base = srv.url.replace(/\/$/, '');
  const results = [];
  try {
    for (const ex of list) {
      lines = [];
      header(ex);
      const rt = await runtimeFor(ex);
      const t0 = performance.now();
      let error = null;
      try {
        if (ex === STRESS) await rt.call(ex.entry, tasks);
        else await rt.call(ex.entry, ...(ex.args ? ex.args(base, scale) : [base, scale]));
      } catch (e) {
        error = `${e.code ?? e.name}: ${e.message}`;
      }
      const ms = performance.now() - t0;
      const expectedMs = ex.expectedMs ? ex.expectedMs(scale) : null;
      let mismatch = null;
      if (!error && ex !== STRESS) mismatch = checkLines(ex, lines, scale);
      if (!error && ex === STRESS && !new RegExp(`^all ${tasks} tasks joined, 0 failed$`).test(lines.at(-1) ?? '')) mismatch = `unexpected last line: ${lines.at(-1)}`;
      results.push({ name: ex.name, ok: !error && !mismatch, error, mismatch, lines, ms, expectedMs, withinTolerance: withinTolerance(ms, expectedMs) });
    }
  } finally {
    for (const rt of runtimes.values()) rt.dispose();
    await srv.close();
  }
  return results;
}

async function main() {
  let o;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`demo: ${e.message}\n${USAGE}`);
    process.exit(2);
  }
  if (o.help) {
    const { EXAMPLES } = await import(pathToFileURL(path.join(root, 'web', 'examples.mjs')).href);
    console.log(USAGE + EXAMPLES.map((e) => e.name).join(', ') + ', stress');
    return;
  }
  // Fresh machine: npm ci and the Debian packages the build needs (scripts/bootstrap.mjs).
  const { ensureSetup } = await import(pathToFileURL(path.join(root, 'scripts', 'bootstrap.mjs')).href);
  // The page's bindings/index.mjs imports dist/cfuture.web.mjs: build when it is missing too.
  const build = o.build || !demoModuleFresh() || !fs.existsSync(path.join(root, 'dist', 'cfuture.web.mjs'));
  ensureSetup({ need: build ? ['cmake', 'make', 'emcc'] : [], npm: true, who: 'npm run demo' });
  try {
    ensureDemoBuilt({ force: build });
  } catch (e) {
    console.error(`demo: ${e.message}`);
    process.exit(1);
  }
  if (o.build) return;

  // The threaded "parallel" demo: its own module and runner (scripts/demo-parallel.mjs).
  if (o.cli === 'parallel') {
    const { cliParallel } = await import(pathToFileURL(path.join(root, 'scripts', 'demo-parallel.mjs')).href);
    process.exit(await cliParallel({ scale: o.scale }));
  }

  if (o.cli) {
    const { EXAMPLES } = await import(pathToFileURL(path.join(root, 'web', 'examples.mjs')).href);
    const names = o.cli === 'all' ? EXAMPLES.map((e) => e.name) : o.cli.split(',');
    let results;
    try {
      results = await runCli(names, {
        scale: o.scale,
        tasks: o.tasks,
        header: (ex) => console.log(`\n${bold(`== ${ex.name}`)} ${dim(`— ${ex.title}${ex.seed ? ` (${ex.seed})` : ''}`)}`),
      });
    } catch (e) {
      console.error(`demo: ${e.message}`);
      process.exit(2);
    }
    let failed = 0;
    for (const r of results) {
      const exp = r.expectedMs == null ? '' : `, expected ≈ ${Math.round(r.expectedMs)} ms`;
      const verdict = !r.ok ? red(`✗ ${r.error ?? r.mismatch}`)
        : r.withinTolerance ? green('✓') : red('✗ duration out of tolerance');
      if (!r.ok || !r.withinTolerance) failed++;
      const line = `${dim(`   ${r.name}: ${Math.round(r.ms)} ms${exp}`)} ${verdict}`;
      // Each example's summary goes right after its own output when run alone.
      if (results.length === 1) console.log(line);
      else r.summary = line;
    }
    if (results.length > 1) {
      console.log(`\n${bold('summary')} (scale ${o.scale})`);
      for (const r of results) console.log(r.summary);
    }
    process.exit(failed ? 1 : 0);
  }

  const { startServer } = await import(pathToFileURL(path.join(root, 'demo', 'server.mjs')).href);
  const port = o.port ?? Number(process.env.CFUTURE_DEMO_PORT ?? process.env.PORT ?? 8080);
  let srv;
  try {
    srv = await startServer({ port });
  } catch (e) {
    if (e.code === 'EADDRINUSE' && o.port === undefined) srv = await startServer({ port: 0 });
    else throw e;
  }
  console.log(`cfuture demo: ${bold(srv.url)}`);
  console.log(dim('open it in a browser; Ctrl-C stops the server. In a terminal: npm run demo -- --cli all'));
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
