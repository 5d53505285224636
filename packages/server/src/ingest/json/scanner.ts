/**
 * The byte scanner of the native JSON fast path (scan.ts): one point object at a time into byte
 * ranges of its fields, for the shape every SDK sends (the keys `name`, `type`, `value`, `labels`,
 * `timestamp`, `help`, `unit`; strings without escapes). Anything else throws {@link BAIL}, and
 * the caller hands the body to the reference parser.
 */

import type { MetricType } from '../../model/sample.js';
import type { PointTokens } from './template.js';
import { numberEnd, QUOTE, stringEnd } from './tokens.js';

/** Thrown inside the scanner to give up on the fast path. */
export const BAIL = new Error('not the fast shape');

export const COMMA = 0x2c;
export const COLON = 0x3a;
export const LBRACE = 0x7b;
export const RBRACE = 0x7d;
export const LBRACKET = 0x5b;
export const RBRACKET = 0x5d;

// Field bits of a point.
export const F_NAME = 1;
export const F_TYPE = 2;
export const F_VALUE = 4;
export const F_LABELS = 8;
export const F_TIMESTAMP = 16;
export const F_HELP = 32;
export const F_UNIT = 64;

export class Scanner implements PointTokens {
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
  lastTsS = 0;
  lastTsE = -1;
  lastTsIsString = false;
  lastT = 0;
  helpS = 0;
  helpE = 0;
  unitS = 0;
  unitE = 0;
  /** [nameStart, nameEnd, valueStart, valueEnd] of each label of the current point. */
  labelPos = new Int32Array(256);
  labelCount = 0;

  /** The body for reading eight bytes at a time (see template.ts). */
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
const LABELS = Buffer.from('labels');
const TIMESTAMP = Buffer.from('timestamp');
const COUNTER = Buffer.from('counter');
const GAUGE = Buffer.from('gauge');
const HISTOGRAM = Buffer.from('histogram');

/** True when `b[s, e)` holds the bytes of `lit` (compared in JS: no string is made). */
export function bytesEqual(b: Buffer, s: number, e: number, lit: Buffer): boolean {
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
export function typeOf(b: Buffer, s: number, e: number): MetricType | null {
  if (bytesEqual(b, s, e, COUNTER)) return 'counter';
  if (bytesEqual(b, s, e, GAUGE)) return 'gauge';
  if (bytesEqual(b, s, e, HISTOGRAM)) return 'histogram';
  return null;
}
