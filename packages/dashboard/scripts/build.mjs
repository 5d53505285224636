#!/usr/bin/env node
// Builds the dashboard into build/: hashed JS chunks and CSS (cached forever by the server), an
// index.html that names the entry (never cached), and the favicon. Prints each file's
// size raw and gzipped, so a dependency that bloats the bundle shows in every build log.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'build');

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

// Code splitting: the PromQL editor (CodeMirror and the PromQL grammar, most of the bytes) is
// loaded only when Explore opens, so the overview starts with a small bundle.
const result = await esbuild.build({
  entryPoints: [join(root, 'src/main.tsx')],
  bundle: true,
  splitting: true,
  minify: true,
  format: 'esm',
  target: ['chrome111', 'firefox115', 'safari16.4'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  outdir: out,
  entryNames: 'assets/app-[hash]',
  chunkNames: 'assets/chunk-[hash]',
  assetNames: 'assets/[name]-[hash]',
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});

const files = [];
function measure(name) {
  const bytes = readFileSync(join(out, name));
  files.push({ name, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
}
const names = {};
for (const [path, o] of Object.entries(result.metafile.outputs)) {
  const name = relative(out, join(process.cwd(), path));
  if (o.entryPoint?.endsWith('src/main.tsx')) names.js = name;
  if (name.endsWith('.css')) names.css = name;
  measure(name);
}
const html = readFileSync(join(root, 'public/index.html'), 'utf8')
  .replace('%CSS%', `/${names.css}`)
  .replace('%JS%', `/${names.js}`);
writeFileSync(join(out, 'index.html'), html);
measure('index.html');
writeFileSync(join(out, 'favicon.svg'), readFileSync(join(root, 'public/favicon.svg')));
measure('favicon.svg');

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
