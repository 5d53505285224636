/**
 * A parser for the subset of Go's text/template that Prometheus alert labels and annotations use:
 * text, `{{ pipeline }}` with `|` chains and `$var :=` declarations, `if`/`else if`/`else`,
 * `range`, `with`, `end`, comments and the `{{-`/`-}}` trim markers. Anything else (`define`,
 * `template`, `block`) is a parse error naming the line, so `check-rules` catches it early.
 */

export class TemplateError extends Error {
  readonly code = 'bad_template';
}

export type Arg =
  | { readonly k: 'var'; readonly name: string; readonly fields: readonly string[] }
  | { readonly k: 'dot'; readonly fields: readonly string[] }
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'num'; readonly v: number }
  | { readonly k: 'bool'; readonly v: boolean }
  | { readonly k: 'nil' }
  | { readonly k: 'func'; readonly name: string }
  | { readonly k: 'pipe'; readonly pipe: Pipe; readonly fields: readonly string[] };

/** `$a := cmd | cmd …`; `decl` names variables declared (`:=`) or assigned (`=`). */
export interface Pipe {
  readonly decl: readonly string[];
  readonly cmds: readonly (readonly Arg[])[];
}

export type TNode =
  | { readonly k: 'text'; readonly text: string }
  | { readonly k: 'out'; readonly pipe: Pipe }
  | {
      readonly k: 'if' | 'with';
      readonly branches: readonly { readonly cond: Pipe; readonly body: readonly TNode[] }[];
      readonly otherwise: readonly TNode[];
    }
  | {
      readonly k: 'range';
      readonly pipe: Pipe;
      readonly body: readonly TNode[];
      readonly otherwise: readonly TNode[];
    };

/** The names of functions a template may call; the parser rejects any other name. */
export type FuncNames = ReadonlySet<string>;

interface Action {
  readonly src: string;
  readonly line: number;
}

type Piece = { readonly text: string } | Action;

/** Splits template text into text pieces and actions, applying trim markers and dropping comments. */
function split(src: string): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  let trimNext = false;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      out.push({ text });
      break;
    }
    let start = open + 2;
    if (/^- /.test(src.slice(start, start + 2)) || /^-[\t\r\n]/.test(src.slice(start, start + 2))) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    out.push({ text });
    const line = src.slice(0, open).split('\n').length;
    let j = start;
    // Find the closing braces outside of string literals.
    let quote = '';
    for (; j < src.length; j++) {
      const c = src[j]!;
      if (quote !== '') {
        if (c === '\\' && quote === '"') j++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === '`') quote = c;
      else if (src.startsWith('}}', j)) break;
    }
    if (j >= src.length) throw new TemplateError(`line ${line}: unclosed action`);
    let body = src.slice(start, j);
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      trimNext = true;
    }
    const trimmed = body.trim();
    if (!(trimmed.startsWith('/*') && trimmed.endsWith('*/'))) out.push({ src: trimmed, line });
    i = j + 2;
  }
  return out;
}

type Tok =
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'var'; v: string }
  | { t: 'field'; v: string }
  | { t: 'ident'; v: string }
  | { t: 'op'; v: string };

function unquote(s: string, line: number): string {
  try {
    return JSON.parse(s.replace(/\\x([0-9a-fA-F]{2})/g, '\\u00$1').replace(/\\a/g, '\\u0007')) as string;
  } catch {
    throw new TemplateError(`line ${line}: invalid string literal ${s}`);
  }
}

function lex(src: string, line: number): Tok[] {
  const out: Tok[] = [];
  const re =
    /\s+|("(?:[^"\\]|\\.)*")|`([^`]*)`|(\$[A-Za-z0-9_]*)|(\.[A-Za-z_][A-Za-z0-9_]*)|(\.)|([+-]?(?:0[xX][0-9a-fA-F]+|\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))|([A-Za-z_][A-Za-z0-9_]*)|(:=|[|(),=])/y;
  let i = 0;
  while (i < src.length) {
    re.lastIndex = i;
    const m = re.exec(src);
    if (m === null) throw new TemplateError(`line ${line}: unexpected ${JSON.stringify(src[i])} in action`);
    i = re.lastIndex;
    if (m[1] !== undefined) out.push({ t: 'str', v: unquote(m[1], line) });
    else if (m[2] !== undefined) out.push({ t: 'str', v: m[2] });
    else if (m[3] !== undefined) out.push({ t: 'var', v: m[3] });
    else if (m[4] !== undefined) out.push({ t: 'field', v: m[4].slice(1) });
    else if (m[5] !== undefined) out.push({ t: 'field', v: '' });
    else if (m[6] !== undefined) out.push({ t: 'num', v: Number(m[6]) });
    else if (m[7] !== undefined) out.push({ t: 'ident', v: m[7] });
    else if (m[8] !== undefined) out.push({ t: 'op', v: m[8] });
  }
  return out;
}

class PipeParser {
  private i = 0;
  constructor(
    private readonly toks: Tok[],
    private readonly line: number,
    private readonly funcs: FuncNames,
  ) {}

  fail(msg: string): never {
    throw new TemplateError(`line ${this.line}: ${msg}`);
  }

  done(): boolean {
    return this.i >= this.toks.length;
  }

  pipe(allowDecl: boolean): Pipe {
    const decl: string[] = [];
    if (allowDecl) {
      let j = this.i;
      const names: string[] = [];
      while (this.toks[j]?.t === 'var') {
        names.push(this.toks[j]!.v as string);
        if (this.toks[j + 1]?.t === 'op' && this.toks[j + 1]!.v === ',') j += 2;
        else {
          j++;
          break;
        }
      }
      const op = this.toks[j];
      if (names.length > 0 && op?.t === 'op' && (op.v === ':=' || op.v === '=')) {
        decl.push(...names);
        this.i = j + 1;
      }
    }
    const cmds: Arg[][] = [];
    for (;;) {
      const cmd: Arg[] = [];
      while (!this.done()) {
        const t = this.toks[this.i]!;
        if (t.t === 'op' && (t.v === '|' || t.v === ')')) break;
        cmd.push(this.arg());
      }
      if (cmd.length === 0) this.fail('missing value for command');
      cmds.push(cmd);
      const t = this.toks[this.i];
      if (t?.t === 'op' && t.v === '|') {
        this.i++;
        continue;
      }
      break;
    }
    return { decl, cmds };
  }

  private fields(): string[] {
    const out: string[] = [];
    while (this.toks[this.i]?.t === 'field' && this.toks[this.i]!.v !== '')
      out.push(this.toks[this.i++]!.v as string);
    return out;
  }

  private arg(): Arg {
    const t = this.toks[this.i++]!;
    switch (t.t) {
      case 'str':
        return { k: 'str', v: t.v };
      case 'num':
        return { k: 'num', v: t.v };
      case 'var':
        return { k: 'var', name: t.v, fields: this.fields() };
      case 'field':
        return { k: 'dot', fields: t.v === '' ? [] : [t.v, ...this.fields()] };
      case 'ident':
        if (t.v === 'true' || t.v === 'false') return { k: 'bool', v: t.v === 'true' };
        if (t.v === 'nil') return { k: 'nil' };
        if (!this.funcs.has(t.v)) this.fail(`function ${JSON.stringify(t.v)} not defined`);
        return { k: 'func', name: t.v };
      case 'op': {
        if (t.v !== '(') this.fail(`unexpected ${JSON.stringify(t.v)}`);
        const pipe = this.pipe(false);
        const close = this.toks[this.i++];
        if (close?.t !== 'op' || close.v !== ')') this.fail('unclosed left paren');
        return { k: 'pipe', pipe, fields: this.fields() };
      }
    }
  }
}

/** Parses a template; throws {@link TemplateError} naming the line of the problem. */
export function parseTemplate(src: string, funcs: FuncNames): TNode[] {
  const pieces = split(src);
  let pos = 0;
  // Parses nodes until one of `stops` (an action keyword); returns the nodes and the stop action.
  const parseList = (stops: readonly string[]): { nodes: TNode[]; stop: Action | null; word: string } => {
    const nodes: TNode[] = [];
    while (pos < pieces.length) {
      const p = pieces[pos++]!;
      if ('text' in p) {
        if (p.text !== '') nodes.push({ k: 'text', text: p.text });
        continue;
      }
      const word = /^[a-z]+\b/.exec(p.src)?.[0] ?? '';
      if (stops.includes(word)) return { nodes, stop: p, word };
      const rest = p.src.slice(word.length);
      switch (word) {
        case 'if':
        case 'with':
          nodes.push(parseBranches(word, rest, p.line));
          break;
        case 'range': {
          const pipe = pipeOf(rest, p.line, true);
          const body = parseList(['else', 'end']);
          let otherwise: TNode[] = [];
          if (body.word === 'else') otherwise = expectEnd(parseList(['end']), p.line);
          else if (body.stop === null) throw new TemplateError(`line ${p.line}: unexpected EOF in range`);
          nodes.push({ k: 'range', pipe, body: body.nodes, otherwise });
          break;
        }
        case 'end':
        case 'else':
          throw new TemplateError(`line ${p.line}: unexpected {{${word}}}`);
        case 'define':
        case 'template':
        case 'block':
        case 'break':
        case 'continue':
          throw new TemplateError(`line ${p.line}: {{${word}}} is not supported`);
        default:
          nodes.push({ k: 'out', pipe: pipeOf(p.src, p.line, true) });
      }
    }
    return { nodes, stop: null, word: '' };
  };
  const expectEnd = (r: { nodes: TNode[]; stop: Action | null }, line: number): TNode[] => {
    if (r.stop === null) throw new TemplateError(`line ${line}: unexpected EOF, missing {{end}}`);
    return r.nodes;
  };
  const parseBranches = (k: 'if' | 'with', rest: string, line: number): TNode => {
    const branches: { cond: Pipe; body: TNode[] }[] = [];
    let cond = pipeOf(rest, line, true);
    for (;;) {
      const r = parseList(['else', 'end']);
      if (r.stop === null) throw new TemplateError(`line ${line}: unexpected EOF, missing {{end}}`);
      branches.push({ cond, body: r.nodes });
      if (r.word === 'end') return { k, branches, otherwise: [] };
      const after = r.stop.src.slice(4).trim();
      const chained = new RegExp(`^${k}\\b`).exec(after);
      if (chained === null) {
        if (after !== '')
          throw new TemplateError(`line ${r.stop.line}: unexpected ${JSON.stringify(after)} in else`);
        return { k, branches, otherwise: expectEnd(parseList(['end']), line) };
      }
      cond = pipeOf(after.slice(k.length), r.stop.line, true);
    }
  };
  const pipeOf = (src: string, line: number, allowDecl: boolean): Pipe => {
    const p = new PipeParser(lex(src, line), line, funcs);
    if (p.done()) throw new TemplateError(`line ${line}: missing value`);
    const pipe = p.pipe(allowDecl);
    if (!p.done()) throw new TemplateError(`line ${line}: unexpected ")"`);
    return pipe;
  };
  const top = parseList([]);
  return top.nodes;
}
