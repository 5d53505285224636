/**
 * Typed errors of the rules stage. A rule file error names the file, line and column, the group
 * and the rule, like Prometheus' `rulefmt.Error`, so a broken file is fixed from the message alone.
 */

/** Where in a rule file something is. */
export interface RulePosition {
  readonly file: string;
  /** 1-based; 0 when unknown. */
  readonly line: number;
  readonly col: number;
  readonly group?: string;
  /** 1-based index of the rule in its group. */
  readonly ruleIndex?: number;
  readonly ruleName?: string;
}

/** One problem in a rule file. */
export class RuleFileProblem {
  constructor(
    readonly pos: RulePosition,
    readonly message: string,
  ) {}

  toString(): string {
    const p = this.pos;
    let where = p.line > 0 ? `${p.file}:${p.line}:${p.col}` : p.file;
    if (p.group !== undefined) where += `: group ${JSON.stringify(p.group)}`;
    if (p.ruleIndex !== undefined) where += `, rule ${p.ruleIndex}`;
    if (p.ruleName !== undefined && p.ruleName !== '') where += `, ${JSON.stringify(p.ruleName)}`;
    return `${where}: ${this.message}`;
  }
}

/** Rule files that cannot be loaded; `problems` lists every problem found, in file order. */
export class RuleFileError extends Error {
  readonly code = 'invalid_rules';
  constructor(readonly problems: readonly RuleFileProblem[]) {
    super(`cannot load rules:\n  ${problems.map((p) => p.toString()).join('\n  ')}`);
    this.name = 'RuleFileError';
  }
}
