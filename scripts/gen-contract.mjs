#!/usr/bin/env node
// gen-contract.mjs: generates the JS side of the C<->JS contract from the C
// sources, so that nothing shared is copied by hand:
//   - error codes and messages   (include/cfuture/error.h, CF_ERRNO_MAP X-list)
//   - value types                (include/cfuture/promise.h, CF_JS_* enum)
//   - task states                (include/cfuture/runtime.h, CF_TASK_* enum)
//   - stats and task records     (src/wasm/records.h X-lists)
//   - limits                     (CF_ARGS_MAX, CF_FETCH_*, CF_TICKS_PER_MS in
//                                 export.h, fetch.h, time.h)
//   - the export list            (every EMSCRIPTEN_KEEPALIVE function in src/wasm/)
// Outputs (bindings/gen/, not committed; npm pack ships them):
//   contract_lib.js  an Emscripten --js-library defining $CFC
//   contract.mjs     the same data as an ES module (for tools and tests)
//   exports.txt      -sEXPORTED_FUNCTIONS, one symbol per line
// Run by scripts/build-wasm.mjs and at CMake configure time (wasm.cmake);
// exits non-zero with the file and what it could not parse.
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.resolve(process.argv[2] || path.join(root, 'bindings', 'gen'));
const read = (rel) => readFileSync(path.join(root, rel), 'utf8');

function fail(file, what) {
  console.error(`gen-contract: ${file}: cannot find ${what}`);
  process.exit(1);
}

// Macro bodies span lines joined by backslashes.
const oneLine = (s) => s.replace(/\\\r?\n/g, ' ');

function xlist(file, macro) {
  const src = oneLine(read(file));
  const m = new RegExp(`#define\\s+${macro}\\(X\\)([^\\n]*)`).exec(src);
  if (!m) fail(file, `#define ${macro}(X)`);
  return [...m[1].matchAll(/X\(([^()]*(?:\([^()]*\)[^()]*)*)\)/g)].map((x) => x[1]);
}

const errors = {};
for (const item of xlist('include/cfuture/error.h', 'CF_ERRNO_MAP')) {
  const m = /^\s*(\w+)\s*,\s*(-?\d+)\s*,\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(item);
  if (!m) fail('include/cfuture/error.h', `an X(name, value, "message") in: ${item}`);
  errors[`CF_${m[1]}`] = { errno: Number(m[2]), message: JSON.parse(`"${m[3]}"`) };
}
if (!errors.CF_EJS || !errors.CF_ECANCELED) fail('include/cfuture/error.h', 'CF_EJS and CF_ECANCELED');

function enumBody(file, name) {
  const m = new RegExp(`enum\\s+${name}\\s*\\{([^}]*)\\}`).exec(read(file));
  if (!m) fail(file, `enum ${name}`);
  return m[1].replace(/\/\*[\s\S]*?\*\//g, '');
}

const types = {};
for (const m of enumBody('include/cfuture/promise.h', 'cf_js_type').matchAll(/CF_JS_(\w+)\s*=\s*(\d+)/g))
  types[m[1].toLowerCase()] = Number(m[2]);
for (const t of ['undefined', 'number', 'string', 'bytes', 'json'])
  if (!(t in types)) fail('include/cfuture/promise.h', `CF_JS_${t.toUpperCase()}`);

const taskStates = [];
for (const m of enumBody('include/cfuture/runtime.h', 'cf_task_state').matchAll(/CF_TASK_(\w+)(?:\s*=\s*(\d+))?/g)) {
  if (m[2] !== undefined && Number(m[2]) !== taskStates.length) fail('include/cfuture/runtime.h', 'dense task states from 0');
  taskStates.push(m[1].toLowerCase());
}

// Limits C enforces that JS checks first (for a clearer error) or documents.
// Only the forms used in the headers: N, Nu, ((size_t)N), ((size_t)N << S).
function define(file, name) {
  const m = new RegExp(`#define\\s+${name}\\s+([^\\n/]*)`).exec(read(file));
  if (!m) fail(file, `#define ${name}`);
  const v = m[1].trim().replace(/\(size_t\)/g, '').replace(/[()]/g, '').replace(/(\d+)u\b/g, '$1');
  const sh = /^(\d+)\s*<<\s*(\d+)$/.exec(v);
  if (sh) return Number(sh[1]) * 2 ** Number(sh[2]);
  if (/^\d+$/.test(v)) return Number(v);
  fail(file, `a number in #define ${name} (${m[1].trim()})`);
}
const limits = {
  argsMax: define('include/cfuture/export.h', 'CF_ARGS_MAX'),
  callErrorMax: define('include/cfuture/export.h', 'CF_CALL_ERROR_MAX'),
  fetchDefaultMaxBody: define('include/cfuture/fetch.h', 'CF_FETCH_DEFAULT_MAX_BODY'),
  fetchMaxUrl: define('include/cfuture/fetch.h', 'CF_FETCH_MAX_URL'),
  fetchMaxMethod: define('include/cfuture/fetch.h', 'CF_FETCH_MAX_METHOD'),
  fetchMaxHeaders: define('include/cfuture/fetch.h', 'CF_FETCH_MAX_HEADERS'),
  ticksPerMs: define('include/cfuture/time.h', 'CF_TICKS_PER_MS'),
};

const fields = (macro) => xlist('src/wasm/records.h', macro).map((x) => x.split(',')[0].trim());
const statsFields = fields('CFW_STATS_FIELDS');
const taskFields = fields('CFW_TASK_FIELDS');

const exportsList = new Set();
const wasmDir = path.join(root, 'src', 'wasm');
for (const f of readdirSync(wasmDir).filter((n) => n.endsWith('.c')).sort()) {
  const src = readFileSync(path.join(wasmDir, f), 'utf8');
  // A declaration after the attribute, never across a preprocessor line
  // (args.c defines EMSCRIPTEN_KEEPALIVE away for its native build).
  for (const m of src.matchAll(/EMSCRIPTEN_KEEPALIVE\s+[^;{(#]*?\b(\w+)\s*\(/g)) exportsList.add(`_${m[1]}`);
}
if (!exportsList.has('_cfw_runtime_new')) fail('src/wasm/*.c', 'EMSCRIPTEN_KEEPALIVE cfw_runtime_new');

const contract = {
  errors, types, taskStates, statsFields, taskFields, limits,
  exports: [...exportsList].sort(),
};
const json = JSON.stringify(contract, null, 2);
const banner = '// Generated by scripts/gen-contract.mjs from the C headers: do not edit.\n';
mkdirSync(outDir, { recursive: true });
const write = (name, text) => {
  const p = path.join(outDir, name);
  let old = null;
  try { old = readFileSync(p, 'utf8'); } catch {}
  if (old !== text) writeFileSync(p, text); // keep mtimes: no needless relinks
};
write('contract.mjs', `${banner}export const contract = ${json};\nexport default contract;\n`);
write('contract_lib.js', `${banner}mergeInto(LibraryManager.library, { $CFC: ${json} });\n`);
write('exports.txt', contract.exports.join('\n') + '\n');
console.log(`gen-contract: ${Object.keys(errors).length} errors, ${contract.exports.length} exports -> ${path.relative(root, outDir) || '.'}`);
