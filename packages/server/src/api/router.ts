/**
 * A small router: method + path pattern → handler. Patterns are literal segments, `:param`
 * segments and a trailing `*` (rest of the path). Routes are matched in registration order.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RequestContext {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly url: URL;
  readonly params: Readonly<Record<string, string>>;
}

export type Handler = (ctx: RequestContext) => Promise<void> | void;

interface Route {
  readonly methods: ReadonlySet<string>;
  readonly pattern: string;
  readonly segments: readonly string[];
  readonly handler: Handler;
}

export interface Match {
  readonly handler: Handler;
  readonly pattern: string;
  readonly params: Record<string, string>;
}

export class Router {
  private readonly routes: Route[] = [];

  /** Registers a handler for one or more methods (`'GET'`, `['GET', 'POST']`). */
  on(methods: string | readonly string[], pattern: string, handler: Handler): this {
    const list = typeof methods === 'string' ? [methods] : methods;
    this.routes.push({ methods: new Set(list), pattern, segments: pattern.split('/').slice(1), handler });
    return this;
  }

  /**
   * The matching route, or `'method_not_allowed'` when the path exists for other methods, or
   * null when no route has the path.
   */
  match(method: string, path: string): Match | { allowed: string[] } | null {
    const parts = path.split('/').slice(1);
    const allowed = new Set<string>();
    for (const r of this.routes) {
      const params = matchSegments(r.segments, parts);
      if (params === null) continue;
      if (r.methods.has(method) || (method === 'HEAD' && r.methods.has('GET'))) {
        return { handler: r.handler, pattern: r.pattern, params };
      }
      for (const m of r.methods) allowed.add(m);
    }
    return allowed.size > 0 ? { allowed: [...allowed] } : null;
  }
}

function matchSegments(pattern: readonly string[], parts: readonly string[]): Record<string, string> | null {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    if (p === '*') {
      params['*'] = parts.slice(i).join('/');
      return params;
    }
    const part = parts[i];
    if (part === undefined) return null;
    if (p.startsWith(':')) {
      if (part === '') return null;
      try {
        params[p.slice(1)] = decodeURIComponent(part);
      } catch {
        return null;
      }
    } else if (p !== part) return null;
  }
  return parts.length === pattern.length ? params : null;
}
