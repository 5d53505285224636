/** Flags of `tinyobs export` and `tinyobs import`: `--name value`, `--name=value`, repeatable. */

export class UsageError extends Error {
  readonly code = 'usage';
}

export interface ParsedArgs {
  readonly flags: Map<string, string[]>;
  readonly positional: string[];
}

/** Parses `args` against the known flag names; throws {@link UsageError} for anything else. */
export function parseArgs(args: readonly string[], known: readonly string[]): ParsedArgs {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (!known.includes(name)) throw new UsageError(`unknown option --${name}`);
    const value = eq < 0 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new UsageError(`option --${name} needs a value`);
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { flags, positional };
}

/** The last value of a flag, or `fallback`. */
export function flag(a: ParsedArgs, name: string, fallback: string): string {
  return a.flags.get(name)?.at(-1) ?? fallback;
}

/** Headers for the server: `--key` as a bearer token (the write or read key). */
export function authHeaders(a: ParsedArgs): Record<string, string> {
  const key = a.flags.get('key')?.at(-1) ?? process.env.TINYOBS_KEY;
  return key ? { authorization: `Bearer ${key}` } : {};
}

/** A progress line: rewritten in place on a terminal, one line per update otherwise. */
export function progress(text: string, done = false): void {
  if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${text}${done ? '\n' : ''}`);
  else process.stderr.write(`${text}\n`);
}
