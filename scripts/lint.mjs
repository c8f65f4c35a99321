#!/usr/bin/env node
// lint.mjs (npx cfuture-lint): finds locals used across an await in
// stackless cfuture code. A coroutine (CF_BEGIN ... CF_END) is a switch:
// each CF_AWAIT / CF_YIELD returns from the poll function and the next
// poll jumps back to a case label after it, so a local declared before the
// await holds garbage after it. gcc's -Wjump-misses-init reports exactly
// the locals whose initialisation the CF_BEGIN switch jumps over (clang
// does not implement it), so this runs `gcc -fsyntax-only
// -Wjump-misses-init` with cfuture's include path and reports each finding
// in plain words with file:line. It checks syntax only: nothing is built.
// What gcc sees is a declaration *with an initialiser* that the switch
// jumps over: `int n = 0;` before an await is reported by that warning.
// The other half of the bug is a local with no initialiser (in the body,
// or declared before CF_BEGIN, where no jump skips its declaration) that
// is assigned before an await and read after it: gcc's static analyzer
// (-fanalyzer, gcc >= 12) follows the switch into the await's case label
// and reports the read of the uninitialised local there
// (-Wanalyzer-use-of-uninitialized-value); only reads whose path enters
// at an await's case label are reported, so other uninitialised reads
// stay gcc's business. What the analyzer cannot see, a local whose address
// escaped, is covered for the common case by a text check: a local future
// awaited by address (`CF_AWAIT(self, &local)`), which the next poll
// re-polls through a pointer into a dead stack frame.
// Fiber code (cf_await) is not affected: its locals do survive.
//   npx cfuture-lint [-I dir]... [-D name[=value]]... <file.c | dir | doc.md>...
//
//   .c / .h   checked as they are (wasm sources too: __EMSCRIPTEN__ is
//             defined and Emscripten's headers are stood in for)
//   dir       every .c and .md file under it
//   .md       every ```c block, prefixed with the cfuture includes;
//             blocks that are fragments (gcc errors) are still checked as
//             far as gcc parsed them and are counted as fragments
// Exit status: 0 clean, 1 findings, 2 usage error, no gcc, or a .c file
// gcc could not parse. Needs gcc (CFUTURE_LINT_GCC or --gcc to pick one).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const AWAITS = /\b(CF_AWAIT_TRY|CF_AWAIT|CF_YIELD|CF_\w*AWAIT\w*|CF_END|CF_RETURN)\b/;

function usage(msg) {
  if (msg) console.error(`cfuture-lint: ${msg}`);
  (msg ? console.error : console.log)('usage: cfuture-lint [-I dir]... [-D name[=value]]... [--gcc path] <file.c | dir | doc.md>...');
  process.exit(msg ? 2 : 0);
}

/** Every .c and .md file under a directory (sorted, node_modules and build trees skipped). */
function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!['node_modules', '.git'].includes(e.name) && !e.name.startsWith('build')) out.push(...walk(p));
    } else if (e.name.endsWith('.c') || e.name.endsWith('.md')) out.push(p);
  }
  return out;
}

/** The ```c blocks of a Markdown file: [{ line (1-based, first code line), code }]. */
export function cBlocks(text) {
  const blocks = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*```c\s*$/.test(lines[i])) {
      const start = i + 1;
      let j = start;
      while (j < lines.length && !/^\s*```\s*$/.test(lines[j])) j++;
      blocks.push({ line: start + 1, code: lines.slice(start, j).join('\n') });
      i = j;
    }
  }
  return blocks;
}

/**
 * Run gcc on one file; returns { findings, errors } where each finding is
 * { file, line, name, awaitLine, awaitText, kind } (kind 'jump': gcc's
 * -Wjump-misses-init; 'uninit': the analyzer's read after an await; 'awaited':
 * a local future awaited by address) and errors are gcc's error messages
 * ("file:line: message").
 */
export function checkFile(file, { includes = [], defines = [], gcc = 'gcc', sourceText } = {}) {
  const own = sourceText != null ? sourceText : existsSync(file) ? readFileSync(file, 'utf8') : '';
  // The analyzer costs a compile; only coroutine code needs it.
  const coroutines = /\bCF_BEGIN\b/.test(own);
  const args = [coroutines ? '-c' : '-fsyntax-only', ...(coroutines ? ['-o', '/dev/null', '-fanalyzer'] : []),
    '-std=gnu11', '-Wjump-misses-init', '-fdiagnostics-format=json',
    '-D__EMSCRIPTEN__', '-isystem', path.join(root, 'scripts', 'lint-stubs'),
    `-I${path.join(root, 'include')}`, ...includes.map((d) => `-I${d}`), ...defines.map((d) => `-D${d}`), file];
  const r = spawnSync(gcc, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`cannot run ${gcc} (${r.error.code}): cfuture-lint needs gcc (clang has no -Wjump-misses-init)`);
  let diags = [];
  try {
    // a fatal error ends with a plain "compilation terminated." after the JSON
    const json = r.stderr.slice(r.stderr.indexOf('['), r.stderr.lastIndexOf(']') + 1);
    diags = json ? JSON.parse(json) : [];
  } catch {
    return { findings: [], errors: [r.stderr.trim() || `gcc exited ${r.status}`] };
  }
  const texts = new Map();
  const lineOf = (f, n) => {
    if (!texts.has(f)) texts.set(f, f === file && sourceText != null ? sourceText : existsSync(f) ? readFileSync(f, 'utf8') : '');
    return texts.get(f).split('\n')[n - 1] ?? '';
  };
  const findings = [];
  const errors = [];
  // gcc 12 puts a warning's notes after it as top-level entries (older
  // and newer versions nest them as children): take both.
  for (let i = 0; i < diags.length; i++) {
    const d = diags[i];
    if (d.kind === 'note') continue;
    const following = [];
    while (i + 1 < diags.length && diags[i + 1].kind === 'note') following.push(diags[++i]);
    const at = d.locations?.[0]?.caret;
    if (d.kind === 'error' || d.kind === 'fatal error') {
      errors.push(`${at ? `${at.file}:${at.line}: ` : ''}${d.message}`);
      continue;
    }
    if (d.option === '-Wanalyzer-use-of-uninitialized-value' && at) {
      const f = uninitAcrossAwait(d, at, lineOf);
      if (f) findings.push(f);
      continue;
    }
    if (d.option !== '-Wjump-misses-init' || !at) continue;
    const notes = [...(d.children ?? []), ...following];
    const start = notes.find((n) => /switch starts here/.test(n.message))?.locations?.[0]?.caret;
    const decl = notes.find((n) => /declared here/.test(n.message));
    const name = decl?.message.match(/[‘'`](.+?)[’'`]/)?.[1] ?? '?';
    const where = decl?.locations?.[0]?.caret ?? at;
    // Only the coroutine's switch (CF_BEGIN); a user's own switch is reported as gcc words it.
    const coroutine = start ? /\bCF_BEGIN\b/.test(lineOf(start.file, start.line)) : false;
    const awaitText = lineOf(at.file, at.line).match(AWAITS)?.[1] ?? null;
    findings.push({ kind: 'jump', file: where.file, line: where.line, name, awaitLine: at.line, awaitFile: at.file, awaitText, coroutine });
  }
  if (coroutines) findings.push(...awaitedLocals(file, own));
  // A local with an initialiser that is also read after the await is one
  // bug: gcc's jump report (at its declaration) says it; drop the read.
  const jumped = new Set(findings.filter((f) => f.kind === 'jump').map((f) => `${f.file}:${f.line}:${f.name}`));
  return { findings: findings.filter((f) => f.kind !== 'uninit' || !jumped.has(`${f.file}:${f.declLine}:${f.name}`)), errors };
}

/**
 * An analyzer report of an uninitialised read, kept only when its path
 * enters the function at an await: the CF_BEGIN switch taking a case label
 * that an await macro placed (gcc: "following 'case N:' branch..." at the
 * CF_BEGIN line, then "...to here" at the await's line).
 */
function uninitAcrossAwait(d, at, lineOf) {
  const events = d.path ?? [];
  for (let k = 0; k + 1 < events.length; k++) {
    const e = events[k], loc = e.location;
    if (!loc || !/following [‘'`]case \d+:[’'`] branch/.test(e.description)) continue;
    if (!/\bCF_BEGIN\b/.test(lineOf(loc.file, loc.line))) continue;
    const to = events[k + 1].location;
    const awaitText = to ? lineOf(to.file, to.line).match(AWAITS)?.[1] ?? null : null;
    if (!awaitText) continue;
    const declared = events.find((x) => /region created on stack/.test(x.description))?.location;
    const name = d.message.match(/[‘'`](.+?)[’'`]/)?.[1] ?? '?';
    return { kind: 'uninit', coroutine: true, file: at.file, line: at.line, name, declLine: declared?.line ?? null,
      awaitFile: to.file, awaitLine: to.line, awaitText };
  }
  return null;
}

/**
 * Locals awaited by address: `CF_AWAIT(self, &x)` (or &x.base, &x[i]) where
 * x is declared, without `static`, in the same function before the await.
 * The macro stores the pointer in the frame and the next poll polls it
 * again: by then x's stack frame is gone.
 */
function awaitedLocals(file, text) {
  const out = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/[^\n]*/g, (c) => ' '.repeat(c.length));
  const lineAt = (i) => code.slice(0, i).split('\n').length;
  const re = /\b(CF_AWAIT\w*)\s*\(\s*[^,()]+,\s*&\s*([A-Za-z_]\w*)\s*(?=[.[)])/g;
  for (let m; (m = re.exec(code));) {
    const name = m[2];
    // the function around the await: back to the last line that opens a
    // definition at column 0 (cfuture's style and clang-format's)
    const before = code.slice(0, m.index);
    const fnStart = Math.max(before.lastIndexOf('\n}'), 0);
    const body = before.slice(fnStart);
    if (!/\bCF_BEGIN\b/.test(body)) continue;
    const decl = new RegExp(`(^|[;{}]|\\n)\\s*(?!return\\b|static\\b)(?:const\\s+)?(?:struct\\s+)?[A-Za-z_]\\w*\\s+${name}\\s*(?:;|=|\\[)`);
    const dm = decl.exec(body);
    if (!dm) continue;
    out.push({ kind: 'awaited', coroutine: true, file, line: lineAt(fnStart + dm.index + dm[0].length), name,
      awaitFile: file, awaitLine: lineAt(m.index), awaitText: m[1] });
  }
  return out;
}

/** The finding in plain words. */
export function describe(f) {
  if (f.kind === 'uninit') {
    return `${f.file}:${f.line}: local '${f.name}'${f.declLine ? ` (declared at line ${f.declLine})` : ''} is read after ` +
      `the ${f.awaitText} at line ${f.awaitLine}, but a value it was given before that await does not survive it ` +
      '(the poll function returns and is re-entered there): ' +
      `keep it in the frame struct (self->${f.name}), or set it again after the await`;
  }
  if (f.kind === 'awaited') {
    return `${f.file}:${f.line}: local '${f.name}' is awaited by address at the ${f.awaitText} at line ${f.awaitLine}; ` +
      'the next poll polls it again through that pointer, after this poll\'s stack frame is gone: ' +
      `keep the future in the frame struct (&self->${f.name})`;
  }
  if (!f.coroutine) {
    return `${f.file}:${f.line}: a switch jumps over the initialisation of '${f.name}' (line ${f.awaitLine})`;
  }
  if (f.awaitText === 'CF_END' || f.awaitText === 'CF_RETURN') {
    return `${f.file}:${f.line}: local '${f.name}' is still in scope at the ${f.awaitText} at line ${f.awaitLine}, ` +
      'which the coroutine\'s switch can jump to (a poll after completion): ' +
      `declare it in a block that closes before the ${f.awaitText}, or keep it in the frame struct (self->${f.name})`;
  }
  const what = f.awaitText ? `the ${f.awaitText} at line ${f.awaitLine}` : `the await at line ${f.awaitLine}`;
  return `${f.file}:${f.line}: local '${f.name}' is declared before ${what} and is still in scope after it; ` +
    'its value does not survive the await (the poll function returns and is re-entered there): ' +
    `keep it in the frame struct (self->${f.name}), or close its block before the await`;
}

/** Lint paths (files, dirs, .md); returns { findings, errors, checked, fragments } and prints. */
export function lint(paths, opts = {}) {
  const log = opts.log ?? console.log;
  const out = { findings: [], errors: [], checked: 0, fragments: 0, blocks: 0 };
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'cfuture-lint-'));
  try {
    for (const p of paths) {
      if (!existsSync(p)) {
        out.errors.push(`${p}: no such file or directory`);
        continue;
      }
      const files = statSync(p).isDirectory() ? walk(p) : [p];
      for (const f of files) {
        if (f.endsWith('.md')) {
          cBlocks(readFileSync(f, 'utf8')).forEach((b, i) => {
            const src = '#include <cfuture.h>\n#include <cfuture/wasm.h>\n#include <cfuture/fiber_export.h>\n' +
              `#line ${b.line} "${f}"\n${b.code}\n`;
            const tf = path.join(tmp, `block${i}.c`);
            writeFileSync(tf, src);
            const r = checkFile(tf, { ...opts, sourceText: null });
            // gcc reports the block's lines against the .md file (#line); read them from there.
            out.blocks++;
            if (r.errors.length) out.fragments++;
            out.findings.push(...r.findings);
          });
          continue;
        }
        const r = checkFile(f, opts);
        out.checked++;
        out.findings.push(...r.findings);
        out.errors.push(...r.errors);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const f of out.findings) log(describe(f));
  for (const e of out.errors) log(`error: ${e}`);
  return out;
}

if (process.argv[1] && realpathSync(fileURLToPath(import.meta.url)) === realpathSync(process.argv[1])) {
  const a = process.argv.slice(2);
  const includes = [], defines = [], paths = [];
  let gcc = process.env.CFUTURE_LINT_GCC || 'gcc';
  let quiet = false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (x === '-h' || x === '--help') usage();
    else if (x === '--quiet') quiet = true;
    else if (x === '--gcc') gcc = a[++i] ?? usage('--gcc needs a path');
    else if (x === '-I' || x === '-D') (x === '-I' ? includes : defines).push(a[++i] ?? usage(`${x} needs a value`));
    else if (x.startsWith('-I')) includes.push(x.slice(2));
    else if (x.startsWith('-D')) defines.push(x.slice(2));
    else if (x.startsWith('-')) usage(`unknown option ${x}`);
    else paths.push(x);
  }
  if (!paths.length) usage('no files given');
  let r;
  try {
    r = lint(paths, { includes, defines, gcc });
  } catch (e) {
    console.error(`cfuture-lint: ${e.message}`);
    process.exit(2);
  }
  if (!quiet) {
    console.log(`cfuture-lint: ${r.checked} C file(s)${r.blocks ? `, ${r.blocks} C block(s) from Markdown (${r.fragments} fragment(s) that do not compile alone)` : ''}: ` +
      `${r.findings.length} local(s) used across an await${r.errors.length ? `, ${r.errors.length} error(s)` : ''}`);
  }
  process.exit(r.errors.length ? 2 : r.findings.length ? 1 : 0);
}
