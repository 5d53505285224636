/** Label matchers: `=`, `!=`, `=~`, `!~`, with Prometheus' fully anchored RE2 regexps. */

import type { Labels } from './labels.js';
import { labelsGet } from './labels.js';
import { compileRegex, type RegexKind } from './re2.js';

export type MatchType = '=' | '!=' | '=~' | '!~';

/** A compiled matcher. Construct with {@link newMatcher}; it never changes afterwards. */
export interface Matcher {
  readonly type: MatchType;
  readonly name: string;
  readonly value: string;
  /** True when the label value (''=absent) satisfies the matcher. */
  matches(value: string): boolean;
  /** For `=~`/`!~`: the matcher the pattern compiled to (a fast path or the RE2 engine). */
  readonly regexKind?: RegexKind;
}

/** Thrown by {@link newMatcher} for a regexp RE2 refuses; the message is Go's. */
export class InvalidMatcherError extends Error {
  readonly code = 'invalid_matcher';
}

/**
 * Compiles a matcher. Regexps are RE2, anchored at both ends as in Prometheus (`=~"a.*"` means
 * `^(?s:a.*)$`, so `.` matches newlines too), and run in linear time (see re2.ts).
 */
export function newMatcher(type: MatchType, name: string, value: string): Matcher {
  switch (type) {
    case '=':
      return { type, name, value, matches: (v) => v === value };
    case '!=':
      return { type, name, value, matches: (v) => v !== value };
    case '=~':
    case '!~': {
      let re: ReturnType<typeof compileRegex>;
      try {
        re = compileRegex(value);
      } catch (err) {
        throw new InvalidMatcherError((err as Error).message);
      }
      const negate = type === '!~';
      return { type, name, value, regexKind: re.kind, matches: (v) => re.matches(v) !== negate };
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
