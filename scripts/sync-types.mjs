#!/usr/bin/env node
// sync-types.mjs: write bindings/index.d.cts, the CommonJS twin of
// bindings/index.d.ts (`require('cfuture')` in Node >= 20.19 returns the
// same exports). TypeScript needs the .d.cts for require() resolution in a
// "type": "module" package; the text is the same.
//   node scripts/sync-types.mjs          write it
//   node scripts/sync-types.mjs --check  exit 1 if it is out of date
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../bindings/index.d.ts', import.meta.url));
const dst = fileURLToPath(new URL('../bindings/index.d.cts', import.meta.url));
const text = '// GENERATED from index.d.ts by scripts/sync-types.mjs: do not edit.\n' + readFileSync(src, 'utf8');
if (process.argv.includes('--check')) {
  if (!existsSync(dst) || readFileSync(dst, 'utf8') !== text) {
    console.error('bindings/index.d.cts is out of date: run node scripts/sync-types.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(dst, text);
}
