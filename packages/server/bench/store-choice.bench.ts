/**
 * The measurement behind the choice of the persisted chunk store (see tsdb/README.md): the same
 * encoded chunks of the issue-3 workload (10 000 series × 360 samples, 120-sample chunks, the
 * encoder the head uses at cut time), written once into SQLite (better-sqlite3, two table
 * layouts) and once into plain append-only segment files with a series catalog file. Prints one
 * JSON line per store: bytes per sample on disk, chunk writes per second, and the time to read
 * one series' chunks back.
 *
 *   node --import tsx --expose-gc packages/server/bench/store-choice.bench.ts
 */

import {
  closeSync,
  fsyncSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import Database from 'better-sqlite3';
import { ChunkEncoder } from '../src/tsdb/chunkenc/index.js';
import { generateWorkload } from './workload.js';

const w = generateWorkload({ series: 10_000, samplesPerSeries: 360, stepMs: 10_000, seed: 1 });
const S = w.series.length;
const N = w.samplesPerSeries;
const CHUNK = 120;
const enc = new ChunkEncoder();
/** chunks[round][series]: the chunk of samples [round*120, round*120+120) of each series. */
const chunks: Uint8Array[][] = [];
for (let r = 0; r < N / CHUNK; r++) chunks.push([]);
let dataBytes = 0;
for (let i = 0; i < S; i++) {
  const ts = w.timestamps(i);
  const vs = w.values(i);
  for (let r = 0; r < N / CHUNK; r++) {
    const c = enc.encode(
      ts.subarray(r * CHUNK, (r + 1) * CHUNK),
      vs.subarray(r * CHUNK, (r + 1) * CHUNK),
      CHUNK,
    )!;
    chunks[r]!.push(c);
    dataBytes += c.length;
  }
}
const total = S * N;
const print = (o: Record<string, unknown>) =>
  console.log(
    JSON.stringify({ bench: 'store-choice', series: S, samplesPerSeries: N, chunkSamples: CHUNK, ...o }),
  );
print({ store: 'chunk bytes only', bytes_per_sample: +(dataBytes / total).toFixed(4) });

/** Labels as uvarint symbol ids into a table of distinct strings: what a catalog would store. */
const symbols = new Map<string, number>();
function sym(x: string): number {
  let id = symbols.get(x);
  if (id === undefined) {
    id = symbols.size;
    symbols.set(x, id);
  }
  return id;
}
function labelsBlob(i: number): Buffer {
  const out: number[] = [];
  for (const l of w.series[i]!.labels) {
    for (let x = sym(l.name); ; x >>>= 7) {
      if (x < 0x80) {
        out.push(x);
        break;
      }
      out.push((x & 0x7f) | 0x80);
    }
    for (let x = sym(l.value); ; x >>>= 7) {
      if (x < 0x80) {
        out.push(x);
        break;
      }
      out.push((x & 0x7f) | 0x80);
    }
  }
  return Buffer.from(out);
}
const blobs = w.series.map((_, i) => labelsBlob(i));
const symbolBytes = [...symbols.keys()].reduce((a, k) => a + Buffer.byteLength(k) + 2, 0);

function dirBytes(dir: string): number {
  let n = 0;
  for (const f of readdirSync(dir)) n += statSync(join(dir, f)).size;
  return n;
}

function sqlite(layout: 'rowid+index' | 'without-rowid' | 'grouped'): void {
  const dir = mkdtempSync(join(tmpdir(), 'store-choice-'));
  const db = new Database(join(dir, 'tsdb.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE series (id INTEGER PRIMARY KEY, labels BLOB NOT NULL)');
  db.exec('CREATE TABLE symbols (id INTEGER PRIMARY KEY, value TEXT NOT NULL)');
  if (layout === 'rowid+index') {
    db.exec(
      'CREATE TABLE chunks (series INTEGER NOT NULL, mint INTEGER NOT NULL, maxt INTEGER NOT NULL, data BLOB NOT NULL)',
    );
    db.exec('CREATE INDEX chunks_by_series ON chunks (series, maxt)');
  } else if (layout === 'grouped') {
    db.exec(
      'CREATE TABLE chunks (series INTEGER NOT NULL, mint INTEGER NOT NULL, maxt INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (series, mint)) WITHOUT ROWID',
    );
  } else {
    db.exec(
      'CREATE TABLE chunks (series INTEGER NOT NULL, mint INTEGER NOT NULL, maxt INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (series, mint)) WITHOUT ROWID',
    );
  }
  const insSeries = db.prepare('INSERT INTO series (id, labels) VALUES (?, ?)');
  db.transaction(() => {
    for (const s of w.series) insSeries.run(s.index + 1, blobs[s.index]!);
    const insSym = db.prepare('INSERT INTO symbols (id, value) VALUES (?, ?)');
    for (const [k, id] of symbols) insSym.run(id, k);
  })();
  const ins = db.prepare('INSERT INTO chunks (series, mint, maxt, data) VALUES (?, ?, ?, ?)');
  const t0 = performance.now();
  if (layout === 'grouped') {
    // One row per series holding all its chunks (what a persist of ~6 closed chunks would write).
    db.transaction(() => {
      for (let i = 0; i < S; i++) {
        const parts = chunks.map((r) => r[i]!);
        ins.run(i + 1, w.startMs, w.startMs + N * w.stepMs, Buffer.concat(parts));
      }
    })();
  }
  for (let r = 0; r < (layout === 'grouped' ? 0 : chunks.length); r++) {
    db.transaction(() => {
      for (let i = 0; i < S; i++) {
        const t = w.startMs + r * CHUNK * w.stepMs;
        ins.run(i + 1, t, t + (CHUNK - 1) * w.stepMs, chunks[r]![i]!);
      }
    })();
  }
  const ms = performance.now() - t0;
  db.pragma('wal_checkpoint(TRUNCATE)');
  const sel = db.prepare('SELECT data FROM chunks WHERE series = ? AND maxt >= ? AND mint <= ?');
  const q0 = performance.now();
  for (let i = 0; i < 1000; i++) sel.all(i + 1, 0, Number.MAX_SAFE_INTEGER);
  const readUs = ((performance.now() - q0) / 1000) * 1000;
  db.close();
  const bytes = dirBytes(dir);
  rmSync(dir, { recursive: true, force: true });
  print({
    store: `sqlite ${layout}`,
    bytes_per_sample: +(bytes / total).toFixed(4),
    overhead_bytes_per_chunk: +((bytes - dataBytes) / (S * chunks.length)).toFixed(1),
    chunks_per_s: Math.round((S * chunks.length) / (ms / 1000)),
    read_series_us: +readUs.toFixed(1),
  });
}

function segments(): void {
  const dir = mkdtempSync(join(tmpdir(), 'store-choice-'));
  const cat = openSync(join(dir, 'series'), 'w');
  writeSync(cat, Buffer.alloc(symbolBytes));
  for (const s of w.series) {
    const b = blobs[s.index]!;
    const h = Buffer.alloc(8);
    h.writeUInt32LE(s.index + 1, 0);
    h.writeUInt32LE(crc32(b), 4);
    writeSync(cat, h.subarray(0, 6));
    writeSync(cat, b);
  }
  fsyncSync(cat);
  closeSync(cat);
  const fd = openSync(join(dir, '000001'), 'w');
  const t0 = performance.now();
  for (let r = 0; r < chunks.length; r++) {
    const parts: Buffer[] = [];
    for (let i = 0; i < S; i++) {
      const c = chunks[r]![i]!;
      // ref uvarint (2 bytes here), length uvarint (1–2), chunk, crc32.
      const h = Buffer.alloc(8);
      h.writeUInt32LE(crc32(c), 4);
      parts.push(
        h.subarray(0, c.length < 128 ? 3 : 4),
        Buffer.from(c.buffer, c.byteOffset, c.length),
        h.subarray(4),
      );
    }
    writeSync(fd, Buffer.concat(parts));
    fsyncSync(fd);
  }
  const ms = performance.now() - t0;
  closeSync(fd);
  const bytes = dirBytes(dir);
  rmSync(dir, { recursive: true, force: true });
  print({
    store: 'segment files',
    bytes_per_sample: +(bytes / total).toFixed(4),
    overhead_bytes_per_chunk: +((bytes - dataBytes) / (S * chunks.length)).toFixed(1),
    chunks_per_s: Math.round((S * chunks.length) / (ms / 1000)),
  });
}

sqlite('rowid+index');
sqlite('without-rowid');
sqlite('grouped');
segments();
