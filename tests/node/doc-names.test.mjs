// doc-names.test.mjs: every cf_* name the documentation uses exists. The
// names in README.md, docs/*.md, bindings/README.md, demo/README.md, the
// header comments and web/examples.mjs must each appear in the code (not
// the comments) of include/ or src/: a renamed or never-written function
// (cf_yield_now was named in three places before it existed) fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (f) => readFileSync(path.join(root, f), 'utf8');
const files = (dir, ext) => readdirSync(path.join(root, dir), { recursive: true })
  .filter((f) => f.endsWith(ext)).map((f) => path.join(dir, f));
const stripComments = (c) => c.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
const names = (text) => new Set(text.match(/\bcf_[a-z0-9_]+\b/g) ?? []);

test('every cf_* name in the docs exists in the code', { timeout: 30_000 }, () => {
  const code = new Set();
  for (const f of [...files('include', '.h'), ...files('src', '.c'), ...files('src', '.h')]) {
    for (const n of names(stripComments(read(f)))) code.add(n);
  }
  const docs = ['README.md', 'bindings/README.md', 'demo/README.md', 'web/examples.mjs',
    ...files('docs', '.md'), ...files('include', '.h')];
  const missing = [];
  for (const f of docs) {
    const text = f.endsWith('.h') ? read(f).match(/\/\*[\s\S]*?\*\//g)?.join('\n') ?? '' : read(f);
    for (const n of names(text)) if (!code.has(n)) missing.push(`${f}: ${n}`);
  }
  assert.deepEqual(missing, []);
});
