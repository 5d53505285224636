/** Label matchers: `=`, `!=`, `=~`, `!~`, with Prometheus' fully anchored RE2-style regexps. */

import type { Labels } from './labels.js';
import { labelsGet } from './labels.js';
import { re2ToJs } from './re2.js';

export type MatchType = '=' | '!=' | '=~' | '!~';

/** A compiled matcher. Construct with {@link newMatcher}; it never changes afterwards. */
export interface Matcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  /** True when the label value (''=absent) satisfies the matcher. */
  matches(value: string): boolean;
}

/** Thrown by {@link newMatcher} for a regexp JavaScript cannot compile. */
export class InvalidMatcherError extends Error {
  readonly code = 'invalid_matcher';
}

/**
 * Compiles a matcher. Regexps are anchored at both ends as in Prometheus (`=~"a.*"` means
 * `^(?:a.*)$`) and use the `s` flag so that `.` matches newlines, as RE2 does under Prometheus.
 */
export function newMatcher(type: MatchType, name: string, value: string): Matcher {
  switch (type) {
    case '=':
      return { type, name, value, matches: (v) => v === value };
    case '!=':
      return { type, name, value, matches: (v) => v !== value };
    case '=~':
    case '!~': {
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${re2ToJs(value)})$`, 's');
      } catch (err) {
        throw new InvalidMatcherError(
          `cannot compile regexp ${JSON.stringify(value)} for label ${name}: ${(err as Error).message}`,
        );
      }
      const negate = type === '!~';
      return { type, name, value, matches: (v) => re.test(v) !== negate };
    }
  }
}

/** True when every matcher accepts the label set. */
export function matchesAll(matchers: readonly Matcher[], ls: Labels): boolean {
  for (const m of matchers) if (!m.matches(labelsGet(ls, m.name))) return false;
  return true;
}

/** `name="value"` as PromQL prints it. */
export function matcherToString(m: Matcher): string {
  return `${m.name}${m.type}${JSON.stringify(m.value)}`;
}
