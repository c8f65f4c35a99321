// lint.test.mjs: cfuture-lint (scripts/lint.mjs), the check for locals
// used across an await. It must pass on tests/lint/pass/ and on the
// project's own stackless code (demo/, tests/wasm/, the C blocks of docs/
// and README.md), and fail on tests/lint/fail/ naming each local with
// file:line (locals declared with an initialiser, gcc's jump warning;
// locals without one that are set before an await and read after it, the
// analyzer; local futures awaited by address); no gcc and unparsable files
// are errors (exit 2), not passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const noGcc = spawnSync('gcc', ['--version']).status !== 0 && 'gcc not installed';

async function lint(...args) {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['scripts/lint.mjs', ...args],
      { cwd: root, encoding: 'utf8', timeout: 60_000 });
    return { code: 0, out: stdout };
  } catch (e) {
    if (e.code === undefined || typeof e.code !== 'number') throw e;
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

test('passes on files that keep awaited state in the frame', { skip: noGcc, timeout: 60_000 }, async () => {
  const r = await lint('tests/lint/pass');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /0 local\(s\) used across an await/);
});

test('the project\'s own stackless code is clean: demo/, tests/wasm/, docs/, README.md', { skip: noGcc, timeout: 120_000 }, async () => {
  const r = await lint('-I', 'demo', '-I', 'tests/wasm', 'demo', 'tests/wasm', 'docs', 'README.md');
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /cfuture-lint: \d+ C file\(s\), \d+ C block\(s\) from Markdown/);
});

test('fails on locals used across an await, with file:line and the local\'s name', { skip: noGcc, timeout: 60_000 }, async () => {
  const r = await lint('tests/lint/fail');
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /^tests\/lint\/fail\/local_across_await\.c:16: local 'start' is declared before the CF_AWAIT at line 18 /m);
  assert.match(r.out, /^tests\/lint\/fail\/local_across_await\.c:21: local 'n' is declared before the CF_YIELD at line 22 /m);
  assert.match(r.out, /self->n/);
  // a Markdown example, reported at its line in the .md file
  assert.match(r.out, /^tests\/lint\/fail\/doc\.md:10: local 'kept' is declared before the CF_AWAIT at line 12 /m);
  // one report per local: the read after the await is not reported again
  assert.doesNotMatch(r.out, /doc\.md:13:/);
});

test('fails on locals without an initialiser set before an await and read after it, and on awaited locals', { skip: noGcc, timeout: 60_000 }, async () => {
  const r = await lint('tests/lint/fail/uninit_across_await.c');
  assert.equal(r.code, 1, r.out);
  const file = /^tests\/lint\/fail\/uninit_across_await\.c/;
  const lines = r.out.split('\n').filter((l) => file.test(l));
  // declared before CF_BEGIN: no jump skips it, only the read shows the bug
  assert.match(r.out, /^tests\/lint\/fail\/uninit_across_await\.c:22: local 'start' \(declared at line 17\) is read after the CF_AWAIT at line 21,.*self->start/m);
  // a loop counter: i++ runs after the CF_YIELD at line 27
  assert.match(r.out, /^tests\/lint\/fail\/uninit_across_await\.c:25: local 'i' \(declared at line 24\) is read after the CF_YIELD at line 27,/m);
  // a local future awaited by address
  assert.match(r.out, /^tests\/lint\/fail\/uninit_across_await\.c:31: local 'nap' is awaited by address at the CF_AWAIT at line 33;.*&self->nap/m);
  assert.equal(lines.length, 3, r.out);
  assert.match(r.out, /3 local\(s\) used across an await/);
});

test('no gcc, or a file gcc cannot parse, is an error (exit 2), never a pass', { skip: noGcc, timeout: 60_000 }, async () => {
  const r = await lint('--gcc', '/nonexistent/gcc', 'tests/lint/pass');
  assert.equal(r.code, 2);
  assert.match(r.out, /needs gcc/);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cfuture-lint-'));
  try {
    writeFileSync(path.join(dir, 'broken.c'), '#include <cfuture.h>\nint f(void) { return nope; }\n');
    const b = await lint(path.join(dir, 'broken.c'));
    assert.equal(b.code, 2, b.out);
    assert.match(b.out, /broken\.c:2: .*nope/);
    // a fatal error (gcc stops after it) is reported by file:line too
    writeFileSync(path.join(dir, 'noinc.c'), '#include "nowhere.h"\nCF_BEGIN\n');
    const n = await lint(path.join(dir, 'noinc.c'));
    assert.equal(n.code, 2, n.out);
    assert.match(n.out, /^error: .*noinc\.c:1: nowhere\.h: No such file/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal((await lint()).code, 2); // no files
});
