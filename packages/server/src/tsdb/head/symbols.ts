/**
 * The head's symbol table: one shared `Label` object (and one pair of strings) per distinct label
 * pair. Labels arrive parsed from each push request, so without it every series would keep its
 * own copies of `__name__`, `service`, `"api"`, `"200"`…: about 0.5 KiB per series on the
 * benchmark workload (`bench/tsdb.bench.ts`, heap_marginal_bytes_per_series).
 */

import type { Label, Labels } from '../../model/labels.js';

interface NameEntry {
  readonly name: string;
  readonly values: Map<string, Label>;
}

export class Symbols {
  private readonly byName = new Map<string, NameEntry>();

  /** The same label set made of shared pairs, in an array of exactly its length. */
  intern(labels: Labels): Labels {
    const out = new Array<Label>(labels.length);
    for (let i = 0; i < labels.length; i++) out[i] = this.pair(labels[i]!);
    return out;
  }

  private pair(l: Label): Label {
    let e = this.byName.get(l.name);
    if (e === undefined) {
      e = { name: l.name, values: new Map() };
      this.byName.set(l.name, e);
    }
    let p = e.values.get(l.value);
    if (p === undefined) {
      // The shared name string, not this request's copy.
      p = { name: e.name, value: l.value };
      e.values.set(l.value, p);
    }
    return p;
  }
}
