// types.test.mjs: the public declarations type-check against tests/types/
// (usage that must compile, misuse that must not: each misuse line carries
// an expect-error directive, which tsc reports when unused), strict, with
// moduleResolution node16 (ESM and a CommonJS .cts) and bundler. The
// package layer runs the same files against the installed tarball.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsc = `${root}node_modules/typescript/bin/tsc`;
const skip = !existsSync(tsc) && 'typescript not installed (npm ci)';

for (const config of ['node16', 'bundler']) {
  test(`tsc (moduleResolution ${config}) accepts the usage and rejects the misuse`, { skip }, () => {
    const r = spawnSync(process.execPath, [tsc, '-p', `tests/types/tsconfig.${config}.json`], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
}

test('bindings/index.d.cts is index.d.ts for require()', () => {
  const r = spawnSync(process.execPath, ['scripts/sync-types.mjs', '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
