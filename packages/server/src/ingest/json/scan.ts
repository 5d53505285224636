/**
 * The fast path of the native JSON format: a scanner over the body's bytes for the shape every
 * SDK sends (`{"metrics":[{"name":…,"type":…,"value":…,"labels":{…},"timestamp":…},…]}`, strings
 * without escapes). A point whose series is in the {@link SeriesCache} (same raw `name` and
 * `labels` bytes, same type) costs no object, no label parsing and no validation beyond its value
 * and timestamp; any other point is turned into a plain object and handed to {@link readPoint},
 * the reference rules, so both paths answer alike. Anything outside that shape (escapes, other
 * keys, other value kinds, not JSON at all) returns null and the caller uses `parseJsonIngest`.
 */

import { labelsKey } from '../../model/labels.js';
import type { MetricType } from '../../model/sample.js';
import { SampleBatch } from '../batch.js';
import type { IngestLimits } from '../limits.js';
import { BatchSlots } from '../series/slot.js';
import { declaredMetadata, numericTimestamp, readPoint, SPECIAL_VALUES } from './parse.js';
import type { CachedSeries, SeriesCache } from './series_cache.js';
import { PointTemplate, type PointTokens } from './template.js';
import { parseRfc3339Bytes } from './timestamp.js';
import { numberEnd, QUOTE, stringEnd } from './tokens.js';

/** Thrown inside the scanner to give up on the fast path. */
const BAIL = new Error('not the fast shape');

const COMMA = 0x2c;
const COLON = 0x3a;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

// Field bits of a point.
const F_NAME = 1;
const F_TYPE = 2;
const F_VALUE = 4;
const F_LABELS = 8;
const F_TIMESTAMP = 16;
const F_HELP = 32;
const F_UNIT = 64;

/** Exact powers of ten for the correctly rounded number fast path (Clinger: up to 1e22). */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

class Scanner implements PointTokens {
  pos = 0;
  // The current point, as byte ranges of the body ([start, end) of string contents; -1: absent).
  fields = 0;
  nameS = 0;
  nameE = 0;
  typeS = 0;
  typeE = 0;
  valueS = 0;
  valueE = 0;
  valueIsString = false;
  labelsS = 0;
  labelsE = 0;
  tsS = 0;
  tsE = 0;
  tsIsString = false;
  helpS = 0;
  helpE = 0;
  unitS = 0;
  unitE = 0;
  /** [nameStart, nameEnd, valueStart, valueEnd] of each label of the current point. */
  labelPos = new Int32Array(256);
  labelCount = 0;

  /** The body for reading four bytes at a time (see template.ts). */
  readonly view: DataView;

  constructor(readonly b: Buffer) {
    this.view = new DataView(b.buffer, b.byteOffset, b.length);
  }

  ws(): void {
    const b = this.b;
    let i = this.pos;
    for (;;) {
      const c = b[i];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
    this.pos = i;
  }

  expect(c: number): void {
    this.ws();
    if (this.b[this.pos] !== c) throw BAIL;
    this.pos++;
  }

  /** Scans a string without escapes; returns the end of its contents (pos is after the quote). */
  string(): number {
    this.ws();
    if (this.b[this.pos] !== QUOTE) throw BAIL;
    const e = stringEnd(this.b, this.pos + 1);
    if (e < 0) throw BAIL;
    this.pos = e + 1;
    return e;
  }

  /** Scans a JSON number (exact grammar); returns its end. */
  number(): number {
    const e = numberEnd(this.b, this.pos);
    if (e < 0) throw BAIL;
    this.pos = e;
    return e;
  }

  /** Scans one point object into the fields above. */
  point(): void {
    this.expect(LBRACE);
    this.fields = 0;
    this.labelCount = 0;
    this.ws();
    if (this.b[this.pos] === RBRACE) {
      this.pos++;
      return;
    }
    for (;;) {
      const keyS = this.pos + 1;
      const keyE = this.string();
      this.expect(COLON);
      const bit = fieldBit(this.b, keyS, keyE);
      if (bit === 0 || (this.fields & bit) !== 0) throw BAIL;
      this.fields |= bit;
      this.ws();
      const start = this.pos;
      const isString = this.b[start] === QUOTE;
      if (bit === F_LABELS) this.labels();
      else if (isString) {
        const end = this.string();
        this.setField(bit, start + 1, end, true);
      } else if (bit === F_VALUE || bit === F_TIMESTAMP) this.setField(bit, start, this.number(), false);
      else throw BAIL;
      this.ws();
      const c = this.b[this.pos++];
      if (c === RBRACE) return;
      if (c !== COMMA) throw BAIL;
      this.ws();
    }
  }

  private setField(bit: number, s: number, e: number, isString: boolean): void {
    switch (bit) {
      case F_NAME:
        if (!isString) throw BAIL;
        this.nameS = s;
        this.nameE = e;
        return;
      case F_TYPE:
        if (!isString) throw BAIL;
        this.typeS = s;
        this.typeE = e;
        return;
      case F_VALUE:
        this.valueS = s;
        this.valueE = e;
        this.valueIsString = isString;
        return;
      case F_TIMESTAMP:
        this.tsS = s;
        this.tsE = e;
        this.tsIsString = isString;
        return;
      case F_HELP:
        if (!isString) throw BAIL;
        this.helpS = s;
        this.helpE = e;
        return;
      case F_UNIT:
        if (!isString) throw BAIL;
        this.unitS = s;
        this.unitE = e;
        return;
    }
  }

  private labels(): void {
    const b = this.b;
    this.labelsS = this.pos;
    if (b[this.pos] !== LBRACE) throw BAIL;
    this.pos++;
    this.ws();
    if (b[this.pos] === RBRACE) {
      this.pos++;
      this.labelsE = this.pos;
      return;
    }
    for (;;) {
      const ks = this.pos + 1;
      const ke = this.string();
      this.expect(COLON);
      this.ws();
      const vs = this.pos + 1;
      const ve = this.string();
      let n = this.labelCount * 4;
      if (n === this.labelPos.length) {
        const grown = new Int32Array(n * 2);
        grown.set(this.labelPos);
        this.labelPos = grown;
      }
      this.labelPos[n++] = ks;
      this.labelPos[n++] = ke;
      this.labelPos[n++] = vs;
      this.labelPos[n] = ve;
      this.labelCount++;
      this.ws();
      const c = b[this.pos++];
      if (c === RBRACE) break;
      if (c !== COMMA) throw BAIL;
      this.ws();
    }
    this.labelsE = this.pos;
  }

  /** The current point as the plain object JSON.parse would have made (for the reference rules). */
  materialise(): Record<string, unknown> {
    const b = this.b;
    const f = this.fields;
    const o: Record<string, unknown> = {};
    const str = (s: number, e: number) => b.toString('utf8', s, e);
    if (f & F_NAME) o.name = str(this.nameS, this.nameE);
    if (f & F_TYPE) o.type = str(this.typeS, this.typeE);
    if (f & F_VALUE)
      o.value = this.valueIsString
        ? str(this.valueS, this.valueE)
        : Number(b.toString('latin1', this.valueS, this.valueE));
    if (f & F_LABELS) {
      // Later repeats of a label name win, as in JSON.parse.
      // No prototype: a "__proto__" label must be an ordinary key, as JSON.parse makes it.
      const labels: Record<string, string> = Object.create(null);
      const p = this.labelPos;
      for (let k = 0; k < this.labelCount * 4; k += 4)
        labels[str(p[k]!, p[k + 1]!)] = str(p[k + 2]!, p[k + 3]!);
      o.labels = labels;
    }
    if (f & F_TIMESTAMP)
      o.timestamp = this.tsIsString
        ? str(this.tsS, this.tsE)
        : Number(b.toString('latin1', this.tsS, this.tsE));
    if (f & F_HELP) o.help = str(this.helpS, this.helpE);
    if (f & F_UNIT) o.unit = str(this.unitS, this.unitE);
    return o;
  }
}

const VALUE = Buffer.from('value');
const METRICS = Buffer.from('metrics');
const TEMPORALITY = Buffer.from('temporality');
const CUMULATIVE = Buffer.from('cumulative');
const LABELS = Buffer.from('labels');
const TIMESTAMP = Buffer.from('timestamp');
const COUNTER = Buffer.from('counter');
const GAUGE = Buffer.from('gauge');
const HISTOGRAM = Buffer.from('histogram');

/** True when `b[s, e)` holds the bytes of `lit` (compared in JS: no string is made). */
function bytesEqual(b: Buffer, s: number, e: number, lit: Buffer): boolean {
  if (e - s !== lit.length) return false;
  for (let i = 0; i < lit.length; i++) if (b[s + i] !== lit[i]) return false;
  return true;
}

/** The field bit of a key, 0 for an unknown key. */
function fieldBit(b: Buffer, s: number, e: number): number {
  switch (e - s) {
    case 4:
      if (b[s] === 0x6e && b[s + 1] === 0x61 && b[s + 2] === 0x6d && b[s + 3] === 0x65) return F_NAME;
      if (b[s] === 0x74 && b[s + 1] === 0x79 && b[s + 2] === 0x70 && b[s + 3] === 0x65) return F_TYPE;
      if (b[s] === 0x68 && b[s + 1] === 0x65 && b[s + 2] === 0x6c && b[s + 3] === 0x70) return F_HELP;
      if (b[s] === 0x75 && b[s + 1] === 0x6e && b[s + 2] === 0x69 && b[s + 3] === 0x74) return F_UNIT;
      return 0;
    case 5:
      return bytesEqual(b, s, e, VALUE) ? F_VALUE : 0;
    case 6:
      return bytesEqual(b, s, e, LABELS) ? F_LABELS : 0;
    case 9:
      return bytesEqual(b, s, e, TIMESTAMP) ? F_TIMESTAMP : 0;
    default:
      return 0;
  }
}

/** The metric type named by the bytes, or null for anything the reference rules must judge. */
function typeOf(b: Buffer, s: number, e: number): MetricType | null {
  if (bytesEqual(b, s, e, COUNTER)) return 'counter';
  if (bytesEqual(b, s, e, GAUGE)) return 'gauge';
  if (bytesEqual(b, s, e, HISTOGRAM)) return 'histogram';
  return null;
}

/**
 * A JSON number's value, as JSON.parse gives it: integers and decimals of up to 15 significant
 * digits with a small exponent are computed exactly (one correctly rounded multiplication or
 * division of exact operands); anything else goes through Number().
 */
function numberAt(b: Buffer, s: number, e: number): number {
  let i = s;
  const neg = b[i] === 0x2d;
  if (neg) i++;
  let m = 0;
  let digits = 0;
  let scale = 0;
  for (; i < e; i++) {
    const c = b[i]!;
    if (c === 0x2e) {
      scale = e - i - 1;
      continue;
    }
    if (c < 0x30 || c > 0x39 || ++digits > 15) return Number(b.toString('latin1', s, e));
    m = m * 10 + (c - 0x30);
  }
  if (scale > 22) return Number(b.toString('latin1', s, e));
  const v = scale === 0 ? m : m / POW10[scale]!;
  return neg ? -v : v;
}

/** "NaN", "+Inf", "Inf", "-Inf" as a value string; undefined for any other string. */
function specialValue(b: Buffer, s: number, e: number): number | undefined {
  if (e - s > 4) return undefined;
  const text = b.toString('latin1', s, e);
  return Object.hasOwn(SPECIAL_VALUES, text) ? SPECIAL_VALUES[text] : undefined;
}

/** A scanned batch and the cached series it uses (see {@link BatchSlots}). */
export class ScannedBatch extends BatchSlots {
  /** Whether the body declared its histograms cumulative (else they are the Go SDK's deltas). */
  cumulative = false;
  /** Points matched by their series' template (see template.ts). */
  templated = 0;
}

/**
 * Scans a native JSON body into a batch, or returns null when the body is not in the fast shape
 * (the caller then parses it with `parseJsonIngest`, which also words every structural error).
 * `body` must be valid UTF-8. After the batch is committed, call `rememberRefs()`.
 */
export function scanJsonIngest(
  body: Buffer,
  limits: IngestLimits,
  now: number,
  cache: SeriesCache,
): ScannedBatch | null {
  const sc = new Scanner(body);
  const batch = new SampleBatch(limits);
  const scanned = new ScannedBatch(batch);
  try {
    sc.expect(LBRACE);
    sc.ws();
    // `"temporality": "cumulative"` may come first: then histograms need no delta state.
    let cumulative = false;
    let keyS = sc.pos + 1;
    let keyE = sc.string();
    if (bytesEqual(body, keyS, keyE, TEMPORALITY)) {
      sc.expect(COLON);
      sc.ws();
      const vs = sc.pos + 1;
      cumulative = bytesEqual(body, vs, sc.string(), CUMULATIVE);
      sc.expect(COMMA);
      sc.ws();
      keyS = sc.pos + 1;
      keyE = sc.string();
    }
    if (!bytesEqual(body, keyS, keyE, METRICS)) return null;
    scanned.cumulative = cumulative;
    sc.expect(COLON);
    sc.expect(LBRACKET);
    sc.ws();
    let index = 0;
    if (body[sc.pos] === RBRACKET) sc.pos++;
    else {
      // The series of the previous point: its successor last time is the guess for this one.
      let prev: CachedSeries | undefined;
      for (;;) {
        // More points than the limit: the reference path says how many.
        if (index === limits.maxSamplesPerRequest) return null;
        sc.ws();
        const start = sc.pos;
        const guess = prev?.next;
        let entry: CachedSeries | undefined;
        if (guess !== undefined && templatePoint(sc, scanned, index, now, guess)) entry = guess;
        else {
          sc.pos = start;
          sc.point();
          entry = addPoint(sc, scanned, index, now, cache, start);
        }
        if (prev !== undefined && entry !== undefined) prev.next = entry;
        prev = entry;
        index++;
        sc.ws();
        const c = body[sc.pos++];
        if (c === RBRACKET) break;
        if (c !== COMMA) return null;
      }
    }
    sc.expect(RBRACE);
    sc.ws();
    if (sc.pos !== body.length) return null;
    batch.total = index;
    return scanned;
  } catch (err) {
    if (err === BAIL) return null;
    throw err;
  }
}

/**
 * Adds a point scanned by the general path (`sc.point()` from `start`), through the cache or the
 * reference rules; returns the cached series it belongs to (with this point's template), if any.
 */
function addPoint(
  sc: Scanner,
  scanned: ScannedBatch,
  index: number,
  now: number,
  cache: SeriesCache,
  start: number,
): CachedSeries | undefined {
  const b = sc.b;
  const f = sc.fields;
  const batch = scanned.batch;
  const type = f & F_TYPE ? typeOf(b, sc.typeS, sc.typeE) : 'unknown';
  // Delta histograms need the reference parser's running totals.
  if (type === 'histogram' && !scanned.cumulative) throw BAIL;
  const named = (f & F_NAME) !== 0 && type !== null;
  // Without a labels field the spelling's labels part is empty.
  const labelsS = f & F_LABELS ? sc.labelsS : 0;
  const labelsE = f & F_LABELS ? sc.labelsE : 0;
  const hit = named ? cache.get(b, sc.nameS, sc.nameE, labelsS, labelsE) : undefined;
  const help = f & F_HELP ? b.toString('utf8', sc.helpS, sc.helpE) : '';
  const unit = f & F_UNIT ? b.toString('utf8', sc.unitS, sc.unitE) : '';
  if (hit !== undefined && hit.type === type && fastPoint(sc, scanned, index, now, hit, help, unit)) {
    learnTemplate(sc, start, hit, help, unit);
    return hit;
  }
  const stored = readPoint(sc.materialise(), now, batch, index);
  // A refused point of a known series still tells which series comes next.
  if (stored === null) return hit?.type === type ? hit : undefined;
  if (!named) return undefined;
  const labels = batch.series[stored.s]!;
  const key = labelsKey(labels);
  const entry = cache.set(b, sc.nameS, sc.nameE, labelsS, labelsE, key, labels, stored.type, stored.family);
  scanned.track(entry.slot, stored.s);
  learnTemplate(sc, start, entry, help, unit);
  return entry;
}

/** Scratch tokens for checking a template against a point the general path scanned. */
const scratch: PointTokens = {
  valueS: 0,
  valueE: 0,
  valueIsString: false,
  tsS: 0,
  tsE: 0,
  tsIsString: false,
};

/** Makes the point the scanner just read (from `start`) the template of its series. */
function learnTemplate(sc: Scanner, start: number, entry: CachedSeries, help: string, unit: string): void {
  if (!(sc.fields & F_VALUE) || entry.template?.match(sc.b, sc.view, start, scratch) === sc.pos) return;
  const quoted = (isString: boolean) => (isString ? 1 : 0);
  const vq = quoted(sc.valueIsString);
  const hasTime = (sc.fields & F_TIMESTAMP) !== 0;
  const tq = quoted(sc.tsIsString);
  entry.template = PointTemplate.of(
    sc.b,
    start,
    sc.pos,
    sc.valueS - vq,
    sc.valueE + vq,
    hasTime ? sc.tsS - tq : -1,
    hasTime ? sc.tsE + tq : -1,
    help,
    unit,
  );
}

/**
 * Adds the point at `sc.pos` when it matches the template of `guess` (then returns true, `sc.pos`
 * after it); returns false when it does not, or when its value or timestamp needs the reference
 * rules (having added nothing either way).
 */
function templatePoint(
  sc: Scanner,
  scanned: ScannedBatch,
  index: number,
  now: number,
  guess: CachedSeries,
): boolean {
  const t = guess.template;
  if (t === null) return false;
  const end = t.match(sc.b, sc.view, sc.pos, sc);
  if (end < 0) return false;
  // A body that does not declare cumulative histograms needs the delta state (see addPoint).
  if (guess.type === 'histogram' && !scanned.cumulative) throw BAIL;
  sc.fields = t.kind2 === 0 ? F_VALUE : F_VALUE | F_TIMESTAMP;
  if (!fastPoint(sc, scanned, index, now, guess, t.help, t.unit)) return false;
  sc.pos = end;
  scanned.templated++;
  return true;
}

/**
 * Adds a point of a cached series. Returns false (having added nothing) when the point needs the
 * reference rules: a value or timestamp that is not a plain number, special value or RFC 3339
 * time.
 */
function fastPoint(
  sc: Scanner,
  scanned: ScannedBatch,
  index: number,
  now: number,
  hit: CachedSeries,
  help: string,
  unit: string,
): boolean {
  const b = sc.b;
  const f = sc.fields;
  if (!(f & F_VALUE)) return false;
  let v: number;
  if (sc.valueIsString) {
    const special = specialValue(b, sc.valueS, sc.valueE);
    if (special === undefined) return false;
    v = special;
  } else v = numberAt(b, sc.valueS, sc.valueE);
  let t = now;
  if (f & F_TIMESTAMP) {
    if (sc.tsIsString) {
      const parsed = parseRfc3339Bytes(b, sc.tsS, sc.tsE);
      if (parsed === null) return false;
      t = parsed === 0 ? now : parsed;
    } else {
      const n = numberAt(b, sc.tsS, sc.tsE);
      if (!Number.isFinite(n)) return false;
      t = numericTimestamp(n, now);
    }
  }
  const batch = scanned.batch;
  // (A point without type, help and unit has the type 'unknown': it declares nothing.)
  const meta = declaredMetadata(batch, hit.family, hit.type, help, unit);
  if (meta !== null && 'field' in meta) {
    batch.refuse(`metrics[${index}]`, meta);
    return true;
  }
  const bad = batch.add(scanned.indexOf(hit.slot), t, v);
  if (bad !== null) batch.refuse(`metrics[${index}]`, bad);
  else if (meta !== null) batch.setMetadata(hit.family, meta);
  return true;
}
