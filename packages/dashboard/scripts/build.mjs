#!/usr/bin/env node
// Builds the dashboard into build/: one hashed JS bundle and one hashed CSS file (cached forever by
// the server), an index.html that names them (never cached), and the favicon. Prints each file's
// size raw and gzipped, so a dependency that bloats the bundle shows in every build log.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'build');

const result = await esbuild.build({
  entryPoints: [join(root, 'src/main.tsx')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['chrome111', 'firefox115', 'safari16.4'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  sourcemap: false,
  write: false,
  outdir: out,
  legalComments: 'none',
  logLevel: 'warning',
});

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const files = [];
function emit(name, bytes) {
  writeFileSync(join(out, name), bytes);
  files.push({ name, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
}
const names = {};
for (const f of result.outputFiles) {
  const ext = f.path.endsWith('.css') ? 'css' : 'js';
  const hash = createHash('sha256').update(f.contents).digest('hex').slice(0, 12);
  names[ext] = `assets/app-${hash}.${ext}`;
  emit(names[ext], Buffer.from(f.contents));
}
const html = readFileSync(join(root, 'public/index.html'), 'utf8')
  .replace('%CSS%', `/${names.css}`)
  .replace('%JS%', `/${names.js}`);
emit('index.html', Buffer.from(html));
emit('favicon.svg', readFileSync(join(root, 'public/favicon.svg')));

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
for (const f of files)
  console.log(
    `dashboard: ${f.name.padEnd(32)} ${kib(f.bytes).padStart(10)}  gzip ${kib(f.gzip).padStart(9)}`,
  );
const total = files.reduce((a, f) => ({ bytes: a.bytes + f.bytes, gzip: a.gzip + f.gzip }), {
  bytes: 0,
  gzip: 0,
});
console.log(
  `dashboard: ${'total'.padEnd(32)} ${kib(total.bytes).padStart(10)}  gzip ${kib(total.gzip).padStart(9)}`,
);
