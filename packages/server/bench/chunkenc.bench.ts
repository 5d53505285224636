/**
 * Chunk encoding benchmark on the issue-3 workload (10 000 series × 360 samples at 10 s, cut into
 * chunks of 120 samples). Prints one JSON line per result: encode and decode rates (median of
 * several runs of wall time, and per CPU second of this process, steadier on a shared machine)
 * and bytes per sample for each encoding, per metric too.
 *
 *   node --import tsx --expose-gc packages/server/bench/chunkenc.bench.ts [--runs 5] [--series 10000] [--jitter 0]
 *
 * Encodings: `xor` (the streaming appender, what a head's open chunk costs), `packed-xor` (packed
 * timestamps, XOR values), `decimal` (decimal whenever the chunk's values fit, else XOR), `auto`
 * (ChunkEncoder.encode from typed arrays: the smallest), `xor+recode` (append to an XorAppender, then ChunkEncoder.recode at
 * cut time: the path the head uses; same bytes as `auto`).
 */

import { parseArgs } from 'node:util';
import {
  ChunkEncoder,
  ChunkIterator,
  chunkEncoding,
  Encoding,
  XorAppender,
} from '../src/tsdb/chunkenc/index.js';
import { generateWorkload } from './workload.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    series: { type: 'string', default: '10000' },
    samples: { type: 'string', default: '360' },
    chunk: { type: 'string', default: '120' },
    jitter: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
  },
});
const RUNS = Number(args.runs);
const CHUNK = Number(args.chunk);
const jitterMs = Number(args.jitter);

const w = generateWorkload({
  series: Number(args.series),
  samplesPerSeries: Number(args.samples),
  stepMs: 10_000,
  seed: Number(args.seed),
  jitterMs,
});
const S = w.series.length;
const N = w.samplesPerSeries;
const total = S * N;
const TS = new Float64Array(total);
const VS = new Float64Array(total);
for (let i = 0; i < S; i++) {
  w.timestamps(i, TS.subarray(i * N, (i + 1) * N));
  w.values(i, VS.subarray(i * N, (i + 1) * N));
}

type Encode = (ts: Float64Array, vs: Float64Array) => Uint8Array;
const enc = new ChunkEncoder();
const app = new XorAppender(2048);
const encoders: Record<string, Encode> = {
  xor: (ts, vs) => {
    app.reset();
    for (let i = 0; i < ts.length; i++) app.append(ts[i]!, vs[i]!);
    return app.bytes().slice();
  },
  'packed-xor': (ts, vs) => enc.encodePackedXor(ts, vs, ts.length)!,
  decimal: (ts, vs) => enc.encodeDecimal(ts, vs, ts.length) ?? enc.encodeXor(ts, vs, ts.length)!,
  auto: (ts, vs) => enc.encode(ts, vs, ts.length)!,
  'xor+recode': (ts, vs) => {
    app.reset();
    for (let i = 0; i < ts.length; i++) app.append(ts[i]!, vs[i]!);
    return enc.recode(app.bytes())!;
  },
};

function encodeAll(f: Encode): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let s = 0; s < S; s++) {
    for (let o = 0; o < N; o += CHUNK) {
      const a = s * N + o;
      const b = s * N + Math.min(N, o + CHUNK);
      out.push(f(TS.subarray(a, b), VS.subarray(a, b)));
    }
  }
  return out;
}

let sink = 0;
function decodeAll(chunks: Uint8Array[], it: ChunkIterator): number {
  let n = 0;
  let sum = 0;
  for (const c of chunks) {
    it.reset(c);
    while (it.next()) {
      sum += it.v() + it.t();
      n++;
    }
  }
  sink += sum;
  return n;
}

const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};
const round = (x: number, d = 0) => Math.round(x * 10 ** d) / 10 ** d;
const common = {
  bench: 'chunkenc',
  node: process.version,
  series: S,
  samplesPerSeries: N,
  chunkSamples: CHUNK,
  jitterMs,
};

// Runs outside, encodings inside: every encoding sees the same moments of a noisy machine.
const names = Object.keys(encoders);
const encRates = new Map<string, number[]>(names.map((n) => [n, []]));
const decRates = new Map<string, number[]>(names.map((n) => [n, []]));
// Per CPU second of this process too: steadier than wall time when other jobs share the cores.
const encCpu = new Map<string, number[]>(names.map((n) => [n, []]));
const decCpu = new Map<string, number[]>(names.map((n) => [n, []]));
const cpuSeconds = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;
const lastChunks = new Map<string, Uint8Array[]>();
const it = new ChunkIterator();
for (let r = 0; r < RUNS; r++) {
  for (const name of names) {
    lastChunks.delete(name);
    gc();
    let t0 = performance.now();
    let c0 = process.cpuUsage();
    const chunks = encodeAll(encoders[name]!);
    encRates.get(name)!.push(total / ((performance.now() - t0) / 1000));
    encCpu.get(name)!.push(total / cpuSeconds(process.cpuUsage(c0)));
    gc();
    t0 = performance.now();
    c0 = process.cpuUsage();
    const n = decodeAll(chunks, it);
    decRates.get(name)!.push(n / ((performance.now() - t0) / 1000));
    decCpu.get(name)!.push(n / cpuSeconds(process.cpuUsage(c0)));
    if (n !== total) throw new Error(`decoded ${n} samples, want ${total}`);
    lastChunks.set(name, chunks);
  }
}

const bytesPerSample: Record<string, number> = {};
for (const name of names) {
  const chunks = lastChunks.get(name)!;
  let bytes = 0;
  let decimalChunks = 0;
  let packedXorChunks = 0;
  for (const c of chunks) {
    bytes += c.length;
    if (chunkEncoding(c) === Encoding.DECIMAL) decimalChunks++;
    if (chunkEncoding(c) === Encoding.PACKED_XOR) packedXorChunks++;
  }
  bytesPerSample[name] = bytes / total;
  const line = (result: string, value: number, extra: object = {}) =>
    console.log(JSON.stringify({ ...common, encoding: name, result, value, ...extra }));
  const enc = encRates.get(name)!;
  const dec = decRates.get(name)!;
  const ec = encCpu.get(name)!;
  const dc = decCpu.get(name)!;
  line('encode_samples_per_s', round(median(enc)), {
    runs: enc.map((x) => round(x)),
    perCpuSecond: round(median(ec)),
  });
  line('decode_samples_per_s', round(median(dec)), {
    runs: dec.map((x) => round(x)),
    perCpuSecond: round(median(dc)),
  });
  line('bytes_per_sample', round(bytes / total, 4), {
    bytes,
    chunks: chunks.length,
    decimalChunks,
    packedXorChunks,
  });

  // Per metric name: which kinds of series cost what.
  const perMetric = new Map<string, number>();
  for (let s = 0, c = 0; s < S; s++) {
    const m = w.series[s]!.metric;
    for (let o = 0; o < N; o += CHUNK, c++) perMetric.set(m, (perMetric.get(m) ?? 0) + chunks[c]!.length);
  }
  for (const [m, b] of perMetric) {
    line('bytes_per_sample_by_metric', round(b / (total / perMetric.size), 4), { metric: m });
  }
}
for (const other of ['decimal', 'auto']) {
  console.log(
    JSON.stringify({
      ...common,
      result: `xor_over_${other}_bytes_ratio`,
      value: round(bytesPerSample.xor! / bytesPerSample[other]!, 3),
    }),
  );
}
if (sink === 42) console.log('');
