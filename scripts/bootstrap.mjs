// bootstrap.mjs: the set-up `npm run demo` and `npm test` do for
// themselves on a fresh machine (one module, used by both).
//
//   - npm: `npm ci` when node_modules is missing or older than
//     package-lock.json (node_modules/.package-lock.json is what npm wrote
//     at the last install).
//   - Debian packages: each requirement is checked by what it provides (a
//     command or a file); the packages of the missing ones are installed
//     with apt-get when running as root on a Debian-like system. Otherwise
//     it stops with the exact command to run and why.
//
// ensureSetup({ need: ['emcc', ...], npm: true, who: 'npm test' }) returns
// when everything is there, or exits the process (status 1) with the
// instructions. CF_NO_BOOTSTRAP=1 only checks (never installs).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
const anyFile = (dir, re) => {
  try {
    return fs.readdirSync(dir, { recursive: true }).some((f) => re.test(String(f)));
  } catch {
    return false;
  }
};

/** What each requirement is for, how to tell it is there, and its Debian package. */
export const REQUIREMENTS = {
  emcc: { pkg: 'emscripten', why: 'compiles the C runtime to WebAssembly', ok: () => has('emcc') && has('emcmake') },
  cmake: { pkg: 'cmake', why: 'configures the native and wasm builds', ok: () => has('cmake') },
  make: { pkg: 'make', why: 'runs the builds CMake generates', ok: () => has('make') },
  gcc: { pkg: 'gcc', why: 'the native test build (-Werror)', ok: () => has('gcc') },
  clang: { pkg: 'clang', why: 'sanitizer and fuzzer builds', ok: () => has('clang') },
  'clang-rt': {
    pkg: 'libclang-rt-14-dev',
    why: "clang's sanitizer and libFuzzer runtime",
    ok: () => anyFile('/usr/lib/llvm-14/lib/clang', /libclang_rt\.fuzzer-/),
  },
  'clang-tidy': { pkg: 'clang-tidy', why: 'static analysis of the C core (.clang-tidy)', ok: () => has('clang-tidy') },
  cppcheck: { pkg: 'cppcheck', why: 'static analysis of the C core', ok: () => has('cppcheck') },
  'clang-format': { pkg: 'clang-format', why: 'checks the C sources follow .clang-format', ok: () => has('clang-format') },
  emscripten_headers: {
    pkg: 'emscripten',
    why: "the wasm sources' system headers, for their static analysis",
    ok: () => fs.existsSync('/usr/share/emscripten/cache/sysroot/include/emscripten.h'),
  },
  llvm: { pkg: 'llvm', why: 'llvm-symbolizer for readable sanitizer reports', ok: () => has('llvm-symbolizer') },
  valgrind: { pkg: 'valgrind', why: 'the native tests under valgrind', ok: () => has('valgrind') },
  chromium: {
    pkg: 'chromium',
    why: 'the browser and package tests run in Chromium',
    ok: () => fs.existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'),
  },
  'ca-certificates': {
    pkg: 'ca-certificates',
    why: 'TLS to the npm registry for npm ci',
    ok: () => fs.existsSync('/etc/ssl/certs/ca-certificates.crt'),
  },
};

function debianLike() {
  return fs.existsSync('/etc/debian_version') && has('apt-get');
}

function isRoot() {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function sh(cmd, args, opts = {}) {
  console.error(`${opts.who ?? 'setup'}: ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return r.status === 0;
}

function stop(who, lines) {
  console.error(`${who}: cannot continue:\n  ${lines.join('\n  ')}`);
  process.exit(1);
}

/** True when node_modules is missing or older than package-lock.json. */
export function npmStale() {
  const lock = path.join(root, 'package-lock.json');
  const stamp = path.join(root, 'node_modules', '.package-lock.json');
  if (!fs.existsSync(stamp)) return true;
  return fs.existsSync(lock) && fs.statSync(lock).mtimeMs > fs.statSync(stamp).mtimeMs;
}

/**
 * Make sure the requirements in `need` (keys of REQUIREMENTS) and, with
 * npm: true, node_modules are there; install what is missing when allowed.
 */
export function ensureSetup({ need = [], npm = false, who = 'setup' } = {}) {
  const checkOnly = process.env.CF_NO_BOOTSTRAP === '1';
  const missing = [...new Set(need)].filter((k) => {
    if (!REQUIREMENTS[k]) throw new Error(`bootstrap: unknown requirement ${k}`);
    return !REQUIREMENTS[k].ok();
  });
  // npm ci reaches the registry over TLS: install ca-certificates first if it is missing.
  if (npm && npmStale() && !REQUIREMENTS['ca-certificates'].ok() && !missing.includes('ca-certificates')) missing.push('ca-certificates');
  if (missing.length) {
    const pkgs = [...new Set(missing.map((k) => REQUIREMENTS[k].pkg))];
    const why = missing.map((k) => `${REQUIREMENTS[k].pkg}: ${REQUIREMENTS[k].why}`);
    const cmd = `apt-get update && apt-get install -y --no-install-recommends ${pkgs.join(' ')}`;
    if (!debianLike()) {
      stop(who, [`missing: ${missing.join(', ')} (this is not a Debian-like system, so nothing was installed)`,
        ...why, `install their equivalents (Debian: ${cmd}), then run ${who} again`]);
    }
    if (!isRoot() || checkOnly) {
      stop(who, [`missing Debian packages: ${pkgs.join(' ')}`, ...why,
        `run: sudo sh -c '${cmd}'`,
        checkOnly ? '(CF_NO_BOOTSTRAP=1: not installing)' : `(${who} installs them itself when run as root)`]);
    }
    console.error(`${who}: installing ${pkgs.join(' ')} (${missing.join(', ')} missing)`);
    if (!sh('apt-get', ['update', '-q'], { who }) ||
        !sh('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...pkgs], { who })) {
      stop(who, [`apt-get failed; run it yourself: ${cmd}`]);
    }
    const still = missing.filter((k) => !REQUIREMENTS[k].ok());
    if (still.length) stop(who, [`still missing after apt-get: ${still.join(', ')}`]);
  }
  if (npm && npmStale()) {
    if (checkOnly) stop(who, ['node_modules is missing or older than package-lock.json: run npm ci']);
    console.error(`${who}: node_modules is ${fs.existsSync(path.join(root, 'node_modules')) ? 'older than package-lock.json' : 'missing'}; running npm ci`);
    if (!sh('npm', ['ci', '--no-audit', '--no-fund'], { who })) stop(who, ['npm ci failed (see above); run it yourself: npm ci']);
  }
}
