/**
 * Matches a request against route templates (`/users/:id`, `/files/*`, or with a method:
 * `GET /users/:id`), so that a plain node:http app gets a route label without a router.
 * Templates are tried in order; the first match wins; the label is the template without its
 * method.
 */
export class RouteMatcher {
  private readonly compiled: { method: string | undefined; template: string; re: RegExp }[];

  constructor(templates: readonly string[]) {
    this.compiled = templates.map((t) => {
      const m = /^([A-Za-z]+)\s+(\/.*)$/.exec(t.trim());
      const method = m === null ? undefined : m[1]!.toUpperCase();
      const template = m === null ? t.trim() : m[2]!;
      return { method, template, re: compile(template) };
    });
  }

  /** The template that matches `method` and `pathname`, or undefined. */
  match(method: string | undefined, pathname: string): string | undefined {
    const upper = method?.toUpperCase();
    for (const c of this.compiled) {
      if (c.method !== undefined && c.method !== upper) continue;
      if (c.re.test(pathname)) return c.template;
    }
    return undefined;
  }
}

function compile(template: string): RegExp {
  const parts = template.split('/').map((seg) => {
    if (seg.startsWith(':')) return '[^/]+';
    if (seg === '*') return '.*';
    return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${parts.join('/')}/?$`);
}
