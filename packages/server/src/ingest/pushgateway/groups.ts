/**
 * Pushgateway group semantics over a push-based store. A group is the set of metrics pushed under
 * one grouping key (`job` plus optional labels). `PUT` replaces the whole group, `POST` replaces
 * only the metric families it carries, `DELETE` removes the group. Pushgateway keeps the last
 * values for scrapes forever; TinyObs stores each push as samples, re-appends the live values of
 * every group periodically (so PromQL's 5-minute lookback keeps seeing them, as it would see a
 * scraped Pushgateway), and writes staleness markers for series that a push replaced, a delete
 * removed or that expired: a group not pushed to for the TTL is dropped, which the Pushgateway
 * itself never does.
 *
 * Groups live in memory and, through a {@link GroupStore}, on disk (persist.ts): after a restart
 * they are loaded back, so they are re-exposed, expire on time, and a `PUT` still stales the
 * series it replaces.
 */

import { type Label, type Labels, labelsKey, METRIC_NAME } from '../../model/labels.js';
import { type MetricMetadata, STALE_NAN } from '../../model/sample.js';
import { SampleBatch } from '../batch.js';
import type { IngestLimits } from '../limits.js';
import type { Exposition } from '../promtext/family.js';

export interface Family {
  readonly meta: MetricMetadata;
  /** Series by labels key. */
  readonly series: Map<string, { labels: Labels; value: number }>;
}

/** One group: its grouping labels, its metric families, and when it was last pushed to (ms). */
export interface Group {
  readonly labels: Label[];
  readonly families: Map<string, Family>;
  pushedAt: number;
}

/**
 * Where groups are kept across restarts. Called with every change before the change's samples
 * are committed, so an acknowledged push is on disk; a write that fails fails the push.
 */
export interface GroupStore {
  save(key: string, group: Group): void;
  remove(key: string): void;
}

export class PushGroups {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly limits: IngestLimits,
    /** A group not pushed to for this long is removed (ms). */
    private readonly ttlMs: number,
    private readonly store: GroupStore | null = null,
  ) {}

  /** Puts back groups saved by an earlier run (see {@link GroupStore}), by grouping key. */
  restore(groups: Iterable<Group>): void {
    for (const g of groups) this.groups.set(groupKey(g.labels), g);
  }

  get size(): number {
    return this.groups.size;
  }

  /**
   * Applies a push. Like the Pushgateway, a push with any invalid sample changes nothing: the
   * batch then holds only the issues. Otherwise it holds the pushed samples at `now`,
   * `push_time_seconds` of the group, and staleness markers for the series the push replaced.
   */
  push(grouping: Label[], exp: Exposition, replaceGroup: boolean, now: number): SampleBatch {
    // Validation runs through a batch of its own, so nothing is stored when a sample is refused.
    const check = new SampleBatch(this.limits);
    for (const i of exp.issues) check.refuse(i.field, { field: '', message: i.message });
    check.total = exp.issues.length;
    const families = new Map<string, Family>();
    for (const f of exp.families) {
      const fam: Family = { meta: { type: f.type, help: f.help, unit: '' }, series: new Map() };
      for (const s of f.samples) {
        check.total++;
        if (s.timestamp !== null) {
          check.refuse(s.name, {
            field: '',
            message: 'pushed metrics must not carry timestamps (as the Pushgateway)',
          });
          continue;
        }
        const pairs: Label[] = s.labels.filter((l) => !grouping.some((g) => g.name === l.name));
        for (const g of grouping) pairs.push(g);
        pairs.push({ name: METRIC_NAME, value: s.name });
        const idx = check.addSeries(pairs);
        if (typeof idx !== 'number') {
          check.refuse(s.name, idx);
          continue;
        }
        fam.series.set(labelsKey(pairs), { labels: pairs, value: s.value });
      }
      const p = check.setMetadata(f.name, fam.meta);
      if (p !== null) check.refuse(f.name, p);
      if (f.samples.length > 0 || f.help !== '') families.set(f.name, fam);
    }
    if (check.issues.length > 0) return check;
    const batch = new SampleBatch(this.limits);
    batch.total = check.total;
    const key = groupKey(grouping);
    const old = this.groups.get(key);
    const group: Group = old ?? { labels: grouping, families: new Map(), pushedAt: now };
    for (const [name, oldFam] of group.families) {
      const next = families.get(name);
      if (next === undefined && !replaceGroup) continue;
      for (const [k, s] of oldFam.series) {
        if (next === undefined || !next.series.has(k)) put(batch, s.labels, now, STALE_NAN);
      }
      group.families.delete(name);
    }
    for (const [name, fam] of families) {
      group.families.set(name, fam);
      batch.metadata.set(name, fam.meta);
    }
    group.pushedAt = now;
    this.store?.save(key, group);
    this.groups.set(key, group);
    this.appendGroup(group, now, batch);
    return batch;
  }

  /** Removes a group; the batch holds staleness markers for its series (empty if unknown). */
  delete(grouping: Label[], now: number): SampleBatch {
    const batch = new SampleBatch(this.limits);
    const key = groupKey(grouping);
    const g = this.groups.get(key);
    if (g !== undefined) {
      this.store?.remove(key);
      this.staleGroup(g, now, batch);
      this.groups.delete(key);
    }
    return batch;
  }

  /**
   * The periodic pass: groups past their TTL are removed (staleness markers), the others get
   * their current values appended again at `now`.
   */
  tick(now: number): SampleBatch {
    const batch = new SampleBatch(this.limits);
    for (const [key, g] of this.groups) {
      if (now - g.pushedAt >= this.ttlMs) {
        this.store?.remove(key);
        this.staleGroup(g, now, batch);
        this.groups.delete(key);
      } else this.appendGroup(g, now, batch);
    }
    return batch;
  }

  private appendGroup(g: Group, now: number, batch: SampleBatch): void {
    for (const fam of g.families.values())
      for (const s of fam.series.values()) put(batch, s.labels, now, s.value);
    put(batch, this.pushTimeLabels(g), now, g.pushedAt / 1000);
  }

  private staleGroup(g: Group, now: number, batch: SampleBatch): void {
    for (const fam of g.families.values())
      for (const s of fam.series.values()) put(batch, s.labels, now, STALE_NAN);
    put(batch, this.pushTimeLabels(g), now, STALE_NAN);
  }

  private pushTimeLabels(g: Group): Label[] {
    const pairs: Label[] = [...g.labels, { name: METRIC_NAME, value: 'push_time_seconds' }];
    pairs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return pairs;
  }
}

/**
 * The identity of a group: its grouping labels in name order, so that `/job/a/x/1/y/2` and
 * `/job/a/y/2/x/1` are one group, as for the Pushgateway.
 */
function groupKey(grouping: readonly Label[]): string {
  return labelsKey([...grouping].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
}

/** Adds a sample of a series this module validated when it was pushed. */
function put(batch: SampleBatch, labels: Labels, t: number, v: number): void {
  batch.add(batch.addValidSeries(labels), t, v);
}
