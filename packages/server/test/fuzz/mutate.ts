/**
 * Input mutation for the parser fuzzers: deterministic from a seed, so a failure can be replayed.
 * Mutates valid inputs (bit flips, byte changes, inserted or deleted runs, truncation, splices of
 * two inputs, duplicated runs, interesting bytes such as varint continuation bits and quotes) and
 * makes random ones.
 */

const INTERESTING = [
  0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x22, 0x2c, 0x3d, 0x7b, 0x7d, 0x5c, 0x20, 0x3a, 0x7c, 0x23,
];

/** One mutated or random input. */
export function mutate(seeds: readonly Uint8Array[], rnd: () => number): Buffer {
  const pick = (n: number) => Math.floor(rnd() * n);
  if (rnd() < 0.05) {
    const out = Buffer.alloc(pick(256));
    for (let i = 0; i < out.length; i++) out[i] = pick(256);
    return out;
  }
  let b = Buffer.from(seeds[pick(seeds.length)]!);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    const at = b.length === 0 ? 0 : pick(b.length);
    switch (pick(8)) {
      case 0:
        if (b.length > 0) b[at]! ^= 1 << pick(8);
        break;
      case 1:
        if (b.length > 0) b[at] = INTERESTING[pick(INTERESTING.length)]!;
        break;
      case 2:
        if (b.length > 0) b[at] = pick(256);
        break;
      case 3: {
        const n = 1 + pick(8);
        const ins = Buffer.alloc(n);
        for (let i = 0; i < n; i++) ins[i] = rnd() < 0.5 ? INTERESTING[pick(INTERESTING.length)]! : pick(256);
        b = Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]);
        break;
      }
      case 4:
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + pick(16)))]);
        break;
      case 5:
        b = b.subarray(0, at);
        break;
      case 6: {
        const other = seeds[pick(seeds.length)]!;
        const from = pick(other.length + 1);
        b = Buffer.concat([b.subarray(0, at), other.subarray(from, from + pick(64))]);
        break;
      }
      default: {
        const len = Math.min(b.length - at, 1 + pick(32));
        b = Buffer.concat([b.subarray(0, at + len), b.subarray(at, at + len), b.subarray(at + len)]);
      }
    }
  }
  return b;
}
