#!/usr/bin/env node
// Runs every benchmark file (`packages/*/bench/*.bench.ts`) one after another, each in its own
// Node process with tsx and --expose-gc, and passes their JSON lines through on stdout.
// Usage: node scripts/bench.mjs [name-substring …]
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const files = readdirSync(join(root, 'packages'))
  .map((p) => join('packages', p, 'bench'))
  .filter((d) => existsSync(join(root, d)))
  .flatMap((d) =>
    readdirSync(join(root, d))
      .filter((f) => f.endsWith('.bench.ts'))
      .map((f) => join(d, f)),
  )
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();

let failed = 0;
for (const file of files) {
  process.stderr.write(`bench: ${file}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', file], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    failed++;
    process.stderr.write(`bench: ${file} failed (${r.status ?? r.signal})\n`);
  }
}
process.exit(failed > 0 ? 1 : 0);
