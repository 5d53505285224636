/**
 * The stage boundaries of ARCHITECTURE.md, checked on the import statements of the source: ingest
 * is transport-free, the HTTP edge knows no stage, storage knows nothing above it.
 */

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';

const SRC = new URL('../src/', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sources(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [p] : [];
  });
}

/** Imports of every source file under `folder`, as paths relative to src/ without `.js` (`api/http`). */
function importsOf(folder: string): { file: string; target: string }[] {
  const out: { file: string; target: string }[] = [];
  for (const file of sources(join(SRC, folder))) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^(?:import|export)[^'"]*from\s+'(\.[^']+)'/gm)) {
      out.push({
        file: relative(SRC, file),
        target: relative(SRC, resolve(dirname(file), m[1]!)).replace(/\.js$/, ''),
      });
    }
  }
  return out;
}

const RULES: [string, string[]][] = [
  ['ingest', ['api', 'http', 'promql', 'tsdb', 'server', 'config']],
  ['http', ['api', 'ingest', 'promql', 'tsdb', 'storage']],
  ['tsdb', ['api', 'http', 'ingest', 'promql']],
  ['storage', ['api', 'http', 'ingest', 'promql', 'tsdb']],
];

describe('layering', () => {
  for (const [folder, forbidden] of RULES) {
    it(`${folder}/ imports nothing from ${forbidden.join(', ')}`, () => {
      const imports = importsOf(folder);
      assert.ok(imports.length > 0, `no imports found under ${folder}/`);
      const bad = imports.filter(({ target }) =>
        forbidden.some((f) => target === f || target.startsWith(`${f}/`)),
      );
      assert.deepEqual(bad, []);
    });
  }
});
