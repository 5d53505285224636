/**
 * The inverted index of the head: for each label pair, the sorted list of series refs that carry
 * it (Prometheus calls these postings). Refs are handed out in increasing order, so appending a
 * new ref keeps every list sorted without a sort.
 */

import type { Labels } from '../../model/labels.js';
import type { Matcher } from '../../model/matcher.js';

export class Postings {
  private readonly byName = new Map<string, Map<string, number[]>>();
  private readonly all: number[] = [];

  /**
   * Indexes a new series. New refs are usually the largest yet (an append, no sort); a replayed
   * log may hand them out of order, which costs an insertion.
   */
  add(ref: number, labels: Labels): void {
    insertSorted(this.all, ref);
    for (const l of labels) {
      let values = this.byName.get(l.name);
      if (values === undefined) {
        values = new Map();
        this.byName.set(l.name, values);
      }
      const list = values.get(l.value);
      if (list === undefined) values.set(l.value, [ref]);
      else insertSorted(list, ref);
    }
  }

  /** Every indexed ref, ascending. */
  allRefs(): readonly number[] {
    return this.all;
  }

  labelNames(): string[] {
    return [...this.byName.keys()].sort();
  }

  labelValues(name: string): string[] {
    const values = this.byName.get(name);
    return values === undefined ? [] : [...values.keys()].sort();
  }

  /** Number of series carrying `name="value"`. */
  count(name: string, value: string): number {
    return this.byName.get(name)?.get(value)?.length ?? 0;
  }

  /**
   * Candidate refs for the matchers, ascending. Matchers that accept the empty string (`!=`, `!~`,
   * `=~".*"`) cannot use the index alone, so they only narrow via the caller's label check; the
   * others intersect their postings. The result may hold refs that fail those other matchers.
   */
  candidates(matchers: readonly Matcher[]): readonly number[] {
    let result: readonly number[] | null = null;
    for (const m of matchers) {
      if (m.matches('')) continue;
      const list = this.postingsFor(m);
      result = result === null ? list : intersect(result, list);
      if (result.length === 0) return result;
    }
    return result ?? this.all;
  }

  private postingsFor(m: Matcher): readonly number[] {
    const values = this.byName.get(m.name);
    if (values === undefined) return [];
    if (m.type === '=') return values.get(m.value) ?? [];
    const lists: number[][] = [];
    for (const [value, list] of values) if (m.matches(value)) lists.push(list);
    return union(lists);
  }
}

function insertSorted(list: number[], ref: number): void {
  if (list.length === 0 || list[list.length - 1]! < ref) {
    list.push(ref);
    return;
  }
  let i = list.length;
  while (i > 0 && list[i - 1]! > ref) i--;
  list.splice(i, 0, ref);
}

function intersect(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      out.push(x);
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return out;
}

function union(lists: number[][]): readonly number[] {
  if (lists.length === 0) return [];
  if (lists.length === 1) return lists[0]!;
  // Lists of one label name are disjoint (a series has one value per name): concatenate and sort.
  const out = lists.flat();
  out.sort((x, y) => x - y);
  return out;
}
