/** Splitting a streamed text body into numbered lines, with a bound on a line's length. */

/** One line of a body (without its line feed), numbered from 1. */
export interface Line {
  readonly no: number;
  readonly text: string;
}

/** A line longer than this is reported and skipped rather than buffered without bound. */
export const MAX_LINE_CHARS = 4 << 20;

/**
 * The lines of a stream of text chunks. A line over {@link MAX_LINE_CHARS} is yielded with
 * `text === null` so the caller can report it by number; the stream is never held whole.
 */
export async function* numberedLines(
  chunks: AsyncIterable<string>,
): AsyncGenerator<Line | { no: number; text: null }> {
  let pending = '';
  let no = 0;
  let overlong = false;
  for await (const chunk of chunks) {
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', from)) {
      no++;
      const piece = chunk.slice(from, nl);
      from = nl + 1;
      if (overlong || pending.length + piece.length > MAX_LINE_CHARS) yield { no, text: null };
      else yield { no, text: stripCr(pending + piece) };
      pending = '';
      overlong = false;
    }
    const rest = chunk.slice(from);
    if (overlong || pending.length + rest.length > MAX_LINE_CHARS) {
      overlong = true;
      pending = '';
    } else pending += rest;
  }
  if (overlong) yield { no: no + 1, text: null };
  else if (pending !== '') yield { no: no + 1, text: stripCr(pending) };
}

function stripCr(s: string): string {
  return s.endsWith('\r') ? s.slice(0, -1) : s;
}
