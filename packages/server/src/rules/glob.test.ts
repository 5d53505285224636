import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { expandGlobs } from './glob.js';

describe('rule file patterns', () => {
  it('expands *, ? and [..] within path segments, sorted, keeping plain names as given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tinyobs-glob-'));
    try {
      mkdirSync(join(dir, 'a'));
      mkdirSync(join(dir, 'b'));
      for (const f of ['a/x.yml', 'a/y.yml', 'a/z.yaml', 'b/x.yml', 'a/.hidden.yml'])
        writeFileSync(join(dir, f), '');
      assert.deepEqual(expandGlobs([join(dir, 'a/*.yml')]), [join(dir, 'a/x.yml'), join(dir, 'a/y.yml')]);
      assert.deepEqual(expandGlobs([join(dir, '*/x.yml')]), [join(dir, 'a/x.yml'), join(dir, 'b/x.yml')]);
      assert.deepEqual(expandGlobs([join(dir, 'a/[xz].y*ml')]), [
        join(dir, 'a/x.yml'),
        join(dir, 'a/z.yaml'),
      ]);
      assert.deepEqual(expandGlobs([join(dir, 'a/?.yml'), join(dir, 'a/x.yml')]), [
        join(dir, 'a/x.yml'),
        join(dir, 'a/y.yml'),
      ]);
      assert.deepEqual(expandGlobs([join(dir, 'none/*.yml')]), []);
      assert.deepEqual(expandGlobs([join(dir, 'missing.yml')]), [join(dir, 'missing.yml')]);
      assert.deepEqual(expandGlobs(['*.yml'], join(dir, 'a')), ['x.yml', 'y.yml']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
