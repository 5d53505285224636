/**
 * A small router: method + path pattern → handler. Patterns are literal segments, `:param`
 * segments and a trailing `*` (rest of the path). Routes are matched in registration order.
 * Every route says which key it needs ({@link Access}): `read` unless registered otherwise, so a
 * new route is never open by accident; push routes are `write`, health probes `public`.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Access } from '../http/auth.js';

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
  readonly access: Access;
}

export interface Match {
  readonly handler: Handler;
  readonly pattern: string;
  readonly params: Record<string, string>;
  readonly access: Access;
}

/** A registered route, as listed by {@link Router.list}. */
export interface RouteInfo {
  readonly methods: readonly string[];
  readonly pattern: string;
  readonly access: Access;
}

export class Router {
  private readonly routes: Route[] = [];

  /** Registers a handler for one or more methods (`'GET'`, `['GET', 'POST']`). */
  on(methods: string | readonly string[], pattern: string, handler: Handler, access: Access = 'read'): this {
    const list = typeof methods === 'string' ? [methods] : methods;
    this.routes.push({
      methods: new Set(list),
      pattern,
      segments: pattern.split('/').slice(1),
      handler,
      access,
    });
    return this;
  }

  /** Every route in registration order. */
  list(): RouteInfo[] {
    return this.routes.map((r) => ({ methods: [...r.methods], pattern: r.pattern, access: r.access }));
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
        return { handler: r.handler, pattern: r.pattern, params, access: r.access };
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
