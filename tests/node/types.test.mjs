// types.test.mjs: bindings/index.d.ts type-checks against a usage file
// (tests/types/usage.ts, which also expects one deliberate error).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = `${root}node_modules/typescript/bin/tsc`;

test('tsc --noEmit accepts the declarations and the usage file', { skip: !existsSync(tsc) && 'typescript not installed (npm ci)' }, () => {
  const r = spawnSync(process.execPath, [tsc, '-p', 'tests/types'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
