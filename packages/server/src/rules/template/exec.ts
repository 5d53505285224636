/**
 * Expanding a parsed template against Prometheus' alert template data: `.Labels`, `.Value`,
 * `.ExternalLabels`, `.ExternalURL`, bound to `$labels`, `$value`, `$externalLabels` and
 * `$externalURL` as Prometheus' template prefix does. Missing map keys give "" (missingkey=zero).
 */

import { FUNCS, type Func, truthy } from './funcs.js';
import { formatValue } from './gofmt.js';
import { type Arg, type Pipe, parseTemplate, TemplateError, type TNode } from './parse.js';

export { TemplateError } from './parse.js';

/** The data an alert template sees. */
export interface TemplateData {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly externalLabels?: Readonly<Record<string, string>>;
  readonly externalURL?: string;
}

const NAMES = new Set(Object.keys(FUNCS));
/** Stop a template that loops a lot from hanging evaluation or exhausting memory. */
const MAX_OUTPUT = 1 << 20;
const MAX_ITERATIONS = 1_000_000;

/** A template parsed once and expanded many times. */
export class Template {
  private readonly nodes: readonly TNode[];

  /** Throws {@link TemplateError} when the text does not parse. */
  constructor(
    readonly name: string,
    readonly text: string,
  ) {
    this.nodes = text.includes('{{') ? parseTemplate(text, NAMES) : [{ k: 'text', text }];
  }

  /** Expands the template; throws {@link TemplateError} naming the template when execution fails. */
  expand(data: TemplateData): string {
    if (this.nodes.length === 1 && this.nodes[0]!.k === 'text') return this.nodes[0]!.text;
    const dot = {
      Labels: data.labels,
      Value: data.value,
      ExternalLabels: data.externalLabels ?? {},
      ExternalURL: data.externalURL ?? '',
    };
    const vars = new Map<string, unknown>([
      ['$', dot],
      ['$labels', dot.Labels],
      ['$value', dot.Value],
      ['$externalLabels', dot.ExternalLabels],
      ['$externalURL', dot.ExternalURL],
    ]);
    const funcs: Record<string, Func> = {
      ...FUNCS,
      externalURL: () => dot.ExternalURL,
      pathPrefix: () => pathOf(dot.ExternalURL),
    };
    const out: string[] = [];
    try {
      new Exec(funcs, out).list(this.nodes, dot, vars);
    } catch (err) {
      throw new TemplateError(`error executing template ${this.name}: ${(err as Error).message}`);
    }
    return out.join('');
  }
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname.replace(/\/$/, '');
  } catch {
    return '';
  }
}

class Exec {
  private size = 0;
  private iterations = 0;
  constructor(
    private readonly funcs: Record<string, Func>,
    private readonly out: string[],
  ) {}

  private write(s: string): void {
    this.size += s.length;
    if (this.size > MAX_OUTPUT) throw new Error('output is larger than 1 MiB');
    this.out.push(s);
  }

  list(nodes: readonly TNode[], dot: unknown, vars: Map<string, unknown>): void {
    const scope = new Map(vars);
    for (const n of nodes) {
      switch (n.k) {
        case 'text':
          this.write(n.text);
          break;
        case 'out': {
          const v = this.pipe(n.pipe, dot, scope);
          if (n.pipe.decl.length === 0) this.write(formatValue(v));
          break;
        }
        case 'if':
        case 'with': {
          let done = false;
          for (const b of n.branches) {
            const v = this.pipe(b.cond, dot, scope);
            if (truthy(v)) {
              this.list(b.body, n.k === 'with' ? v : dot, scope);
              done = true;
              break;
            }
          }
          if (!done) this.list(n.otherwise, dot, scope);
          break;
        }
        case 'range': {
          const v = this.pipe({ decl: [], cmds: n.pipe.cmds }, dot, scope);
          const entries: [unknown, unknown][] = Array.isArray(v)
            ? v.map((x, i) => [i, x])
            : v !== null && typeof v === 'object'
              ? Object.entries(v).sort((a, b) => (a[0] < b[0] ? -1 : 1))
              : typeof v === 'number' && Number.isInteger(v) && v > 0
                ? Array.from({ length: Math.min(v, MAX_ITERATIONS + 1) }, (_x, i) => [i, i])
                : [];
          if (entries.length === 0) this.list(n.otherwise, dot, scope);
          for (const [k, x] of entries) {
            if (++this.iterations > MAX_ITERATIONS)
              throw new Error(`more than ${MAX_ITERATIONS} range iterations`);
            const inner = new Map(scope);
            const d = n.pipe.decl;
            if (d.length === 1) inner.set(d[0]!, x);
            if (d.length === 2) {
              inner.set(d[0]!, k);
              inner.set(d[1]!, x);
            }
            this.list(n.body, x, inner);
          }
          break;
        }
      }
    }
  }

  private pipe(p: Pipe, dot: unknown, vars: Map<string, unknown>): unknown {
    let v: unknown;
    let first = true;
    for (const cmd of p.cmds) {
      v = this.cmd(cmd, dot, vars, first ? undefined : { v });
      first = false;
    }
    for (const name of p.decl) vars.set(name, v);
    return v;
  }

  private cmd(
    cmd: readonly Arg[],
    dot: unknown,
    vars: Map<string, unknown>,
    piped?: { v: unknown },
  ): unknown {
    const head = cmd[0]!;
    if (head.k === 'func') {
      const args = cmd.slice(1).map((a) => this.arg(a, dot, vars));
      if (piped !== undefined) args.push(piped.v);
      return this.funcs[head.name]!(...args);
    }
    if (cmd.length > 1 || piped !== undefined) throw new Error(`can't give argument to non-function`);
    return this.arg(head, dot, vars);
  }

  private arg(a: Arg, dot: unknown, vars: Map<string, unknown>): unknown {
    switch (a.k) {
      case 'str':
      case 'num':
      case 'bool':
        return a.v;
      case 'nil':
        return null;
      case 'func':
        return this.funcs[a.name]!();
      case 'var': {
        if (!vars.has(a.name)) throw new Error(`undefined variable: ${a.name}`);
        return fields(vars.get(a.name), a.fields);
      }
      case 'dot':
        return fields(dot, a.fields);
      case 'pipe':
        return fields(this.pipe(a.pipe, dot, new Map(vars)), a.fields);
    }
  }
}

function fields(v: unknown, names: readonly string[]): unknown {
  let cur = v;
  for (const f of names) {
    if (cur === null || typeof cur !== 'object')
      throw new Error(`can't evaluate field ${f} in type ${typeof cur}`);
    const next = (cur as Record<string, unknown>)[f];
    cur = next === undefined ? '' : next;
  }
  return cur;
}
