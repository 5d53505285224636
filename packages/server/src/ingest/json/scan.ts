/**
 * The fast path of the native JSON format, over the body's bytes, for the shape every SDK sends
 * (`{"metrics":[{"name":…,"type":…,"value":…,"labels":{…},"timestamp":…},…]}`, strings without
 * escapes). Each point is tried, in this order:
 * 1. against the template of the series that followed the previous point's series last time
 *    (template.ts): a byte comparison and two token reads;
 * 2. scanned (scanner.ts) and looked up in the {@link SeriesCache} by its raw `name` and `labels`
 *    bytes: no object, no label parsing, no validation beyond its value and timestamp;
 * 3. handed to the reference rules: its fields as scanned (scanned_fields.ts), or, when they are
 *    of a kind those rules must word a refusal for, the plain object JSON.parse would make
 *    ({@link readPoint}).
 * All three answer alike. Anything outside that shape (escapes, other keys, other value kinds,
 * not JSON at all) returns null and the caller uses `parseJsonIngest`.
 */

import { SampleBatch } from '../batch.js';
import type { IngestLimits } from '../limits.js';
import { BatchSlots } from '../series/slot.js';
import { declaredMetadata, readPoint, readPointFields } from './parse.js';
import { scannedFields, scannedTime, scannedValue } from './scanned_fields.js';
import {
  BAIL,
  bytesEqual,
  COLON,
  COMMA,
  F_HELP,
  F_LABELS,
  F_NAME,
  F_TIMESTAMP,
  F_TYPE,
  F_UNIT,
  F_VALUE,
  LBRACE,
  LBRACKET,
  RBRACE,
  RBRACKET,
  Scanner,
  typeOf,
} from './scanner.js';
import type { CachedSeries, SeriesCache } from './series_cache.js';
import { PointTemplate, type PointTokens, sameBytes } from './template.js';

const METRICS = Buffer.from('metrics');
const TEMPORALITY = Buffer.from('temporality');
const CUMULATIVE = Buffer.from('cumulative');

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
  // Sized for the last body's points: a steady client's batches then never grow their arrays.
  const batch = new SampleBatch(limits, cache.points);
  const scanned = new ScannedBatch(batch, cache.points);
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
    cache.points = index;
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
  const fields = type === null ? null : scannedFields(sc, now, type, help, unit);
  const stored =
    fields === null ? readPoint(sc.materialise(), now, batch, index) : readPointFields(fields, batch, index);
  // A refused point of a known series still tells which series comes next.
  if (stored === null) return hit?.type === type ? hit : undefined;
  if (!named) return undefined;
  const labels = batch.labelsOf(stored.s);
  const entry = cache.set(
    b,
    sc.nameS,
    sc.nameE,
    labelsS,
    labelsE,
    batch.keyOf(stored.s),
    labels,
    stored.type,
    stored.family,
  );
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
  // No time read: a template check compares nothing with an earlier body.
  lastTsS: 0,
  lastTsE: -1,
  lastTsIsString: false,
  lastT: 0,
};

/** Makes the point the scanner just read (from `start`) the template of its series. */
function learnTemplate(sc: Scanner, start: number, entry: CachedSeries, help: string, unit: string): void {
  if (!(sc.fields & F_VALUE) || entry.template?.match(sc.b, sc.view, start, scratch) === sc.pos) return;
  // Tokens are cut with their quotes.
  const vq = sc.valueIsString ? 1 : 0;
  const tq = sc.tsIsString ? 1 : 0;
  const hasTime = (sc.fields & F_TIMESTAMP) !== 0;
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
  const f = sc.fields;
  if (!(f & F_VALUE)) return false;
  const v = scannedValue(sc);
  if (v === undefined) return false;
  let t = now;
  if (f & F_TIMESTAMP) {
    const { tsS, tsE, tsIsString } = sc;
    if (
      tsIsString === sc.lastTsIsString &&
      tsE - tsS === sc.lastTsE - sc.lastTsS &&
      sameBytes(sc.view, tsS, sc.view, sc.lastTsS, sc.lastTsE)
    )
      t = sc.lastT;
    else {
      const parsed = scannedTime(sc, now);
      if (parsed === null) return false;
      t = parsed;
      sc.lastTsS = tsS;
      sc.lastTsE = tsE;
      sc.lastTsIsString = tsIsString;
      sc.lastT = t;
    }
  }
  const batch = scanned.batch;
  // (A point without type, help and unit has the type 'unknown': it declares nothing.) While the
  // batch's metadata is unchanged since a point of this family declared the same, declaring it
  // again would change nothing: then a Map lookup per point is skipped.
  const memo = hit.declared;
  const same =
    memo.version === batch.metadataVersion &&
    memo.type === hit.type &&
    memo.help === help &&
    memo.unit === unit;
  const meta = same ? null : declaredMetadata(batch, hit.family, hit.type, help, unit);
  if (meta !== null && 'field' in meta) {
    batch.refuse(`metrics[${index}]`, meta);
    return true;
  }
  const bad = batch.add(scanned.indexOf(hit.slot), t, v);
  if (bad !== null) batch.refuse(`metrics[${index}]`, bad);
  else if (!same) {
    if (meta !== null) batch.setMetadata(hit.family, meta);
    memo.version = batch.metadataVersion;
    memo.type = hit.type;
    memo.help = help;
    memo.unit = unit;
  }
  return true;
}
