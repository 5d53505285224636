/**
 * Reading YAML with positions: rule files and rule test files are parsed with the `yaml` library's
 * failsafe schema (every scalar stays the string that was written, so `expr: 1.0` keeps its text)
 * and walked node by node, so every problem can name its line and column.
 */

import {
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';

/** A YAML node with the position of its first character. */
export interface Located {
  readonly node: Node | null;
  readonly line: number;
  readonly col: number;
}

/** Reports a problem at a position and continues. */
export type Report = (at: { line: number; col: number }, message: string) => void;

export class YamlSource {
  private readonly lines = new LineCounter();
  readonly root: Located;

  constructor(text: string, report: Report) {
    const doc = parseDocument(text, { lineCounter: this.lines, schema: 'failsafe', uniqueKeys: true });
    for (const e of doc.errors) {
      const p = e.linePos?.[0] ?? { line: 1, col: 1 };
      report(p, `cannot parse YAML: ${e.message.split('\n')[0]}`);
    }
    this.root = this.at(doc.errors.length > 0 ? null : (doc.contents as Node | null));
  }

  at(node: Node | null | undefined, fallback?: Located): Located {
    const offset = node?.range?.[0];
    if (node == null || offset === undefined)
      return { node: node ?? null, line: fallback?.line ?? 1, col: fallback?.col ?? 1 };
    const p = this.lines.linePos(offset);
    return { node, line: p.line, col: p.col };
  }

  /**
   * The fields of a mapping by name; reports a field not in `known` and a node that is not a
   * mapping. An empty node gives an empty map.
   */
  fields(loc: Located, what: string, known: readonly string[], report: Report): Map<string, Located> {
    const out = new Map<string, Located>();
    if (isEmpty(loc.node)) return out;
    if (!isMap(loc.node)) {
      report(loc, `${what} must be a mapping`);
      return out;
    }
    for (const pair of (loc.node as YAMLMap).items) {
      const key = this.at(pair.key as Node);
      const name = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!known.includes(name)) {
        report(key, `unknown field ${JSON.stringify(name)} in ${what} (known: ${known.join(', ')})`);
        continue;
      }
      out.set(name, this.at(pair.value as Node | null, key));
    }
    return out;
  }

  /** The items of a sequence; reports a node that is not one. An empty node gives no items. */
  items(loc: Located, what: string, report: Report): Located[] {
    if (isEmpty(loc.node)) return [];
    if (!isSeq(loc.node)) {
      report(loc, `${what} must be a list`);
      return [];
    }
    return (loc.node as YAMLSeq).items.map((n) => this.at(n as Node, loc));
  }

  /** A string-to-string mapping such as `labels`. */
  stringMap(loc: Located, what: string, report: Report): Map<string, { value: string; at: Located }> {
    const out = new Map<string, { value: string; at: Located }>();
    if (isEmpty(loc.node)) return out;
    if (!isMap(loc.node)) {
      report(loc, `${what} must be a mapping of names to strings`);
      return out;
    }
    for (const pair of (loc.node as YAMLMap).items) {
      const key = this.at(pair.key as Node);
      const value = this.at(pair.value as Node | null, key);
      const text = scalarText(value);
      if (!isScalar(pair.key) || text === null) {
        report(key, `${what} must be a mapping of names to strings`);
        continue;
      }
      out.set(String(pair.key.value), { value: text, at: key });
    }
    return out;
  }
}

function isEmpty(node: Node | null): boolean {
  return node == null || (isScalar(node) && (node.value === '' || node.value === null));
}

/** The text of a scalar node ('' for an empty one), or null for a mapping or list. */
export function scalarText(loc: Located | undefined): string | null {
  if (loc === undefined || loc.node == null) return '';
  if (!isScalar(loc.node)) return null;
  return loc.node.value == null ? '' : String(loc.node.value);
}
