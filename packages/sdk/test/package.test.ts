// The published shape: an exports map with `types` first, ESM only, no runtime dependencies,
// and built files that import nothing but Node built-ins and each other. Needs the build
// (`npm run build`, which `npm test` runs first).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
  type: string;
  sideEffects: boolean;
  engines: { node: string };
  exports: Record<string, { types: string; default: string } | string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  license: string;
  files: string[];
  scripts: Record<string, string>;
  repository: { type: string; url: string; directory: string };
  publishConfig: { access: string; provenance: boolean };
};

it('declares ESM, no side effects, Node >= 20.19 and no runtime dependencies', () => {
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.sideEffects, false);
  assert.equal(pkg.engines.node, '>=20.19.0');
  assert.deepEqual(pkg.dependencies ?? {}, {});
});

it('is ready to publish: built by prepack from a clean dist, a licence, a repository for provenance', () => {
  assert.match(pkg.scripts.prepack!, /clean.*build/);
  assert.deepEqual(pkg.files, ['dist', '!dist/.tsbuildinfo', 'src'], 'sources ship for the source maps');
  assert.equal(pkg.license, 'MIT');
  assert.match(readFileSync(join(dir, 'LICENSE'), 'utf8'), /^MIT License/);
  assert.equal(pkg.repository.type, 'git');
  assert.equal(pkg.repository.directory, 'packages/sdk');
  assert.deepEqual(pkg.publishConfig, { access: 'public', provenance: true });
});

it('exports every entry point with types first, and the files exist after the build', () => {
  assert.ok(existsSync(join(dir, 'dist/index.js')), 'packages/sdk is not built: run npm run build');
  for (const sub of ['.', './http', './express', './fastify', './runtime']) {
    const e = pkg.exports[sub];
    assert.ok(typeof e === 'object', `exports["${sub}"]`);
    assert.deepEqual(Object.keys(e), ['types', 'default'], `types first in exports["${sub}"]`);
    assert.ok(existsSync(join(dir, e.types)), e.types);
    assert.ok(existsSync(join(dir, e.default)), e.default);
  }
});

it('built files import only node: built-ins and relative files', () => {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((f) =>
      f.isDirectory() ? walk(join(d, f.name)) : f.name.endsWith('.js') ? [join(d, f.name)] : [],
    );
  for (const file of walk(join(dir, 'dist'))) {
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      assert.ok(
        spec.startsWith('node:') || spec.startsWith('./') || spec.startsWith('../'),
        `${file} imports ${spec}`,
      );
    }
  }
});

it('can be require()d from CommonJS on Node >= 20.19 and loaded by its subpaths', async () => {
  const require = createRequire(import.meta.url);
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  if (major > 20 || (major === 20 && minor >= 19)) {
    const cjs = require('@tinyobs/sdk') as { createTinyObs?: unknown };
    assert.equal(typeof cjs.createTinyObs, 'function');
  }
  const http = await import('@tinyobs/sdk/http');
  const express = await import('@tinyobs/sdk/express');
  const fastify = await import('@tinyobs/sdk/fastify');
  const runtime = await import('@tinyobs/sdk/runtime');
  assert.equal(typeof http.instrumentHandler, 'function');
  assert.equal(typeof express.expressMetrics, 'function');
  assert.equal(typeof fastify.fastifyMetrics, 'function');
  assert.equal(typeof runtime.collectRuntimeMetrics, 'function');
});
