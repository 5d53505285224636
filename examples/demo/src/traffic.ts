// A traffic generator so that the dashboard fills without anyone clicking: a few concurrent
// "users" call the demo API with realistic weights and think times.

const PLAN: { weight: number; method: string; path: () => string }[] = [
  { weight: 30, method: 'GET', path: () => '/api/users' },
  { weight: 25, method: 'GET', path: () => `/api/users/${Math.floor(Math.random() * 1100)}` },
  { weight: 20, method: 'GET', path: () => '/api/products' },
  { weight: 15, method: 'GET', path: () => '/api/orders' },
  { weight: 8, method: 'POST', path: () => '/api/orders' },
  { weight: 2, method: 'GET', path: () => `/wp-login.php?x=${Math.random()}` }, // scanners: <unmatched>
];
const TOTAL = PLAN.reduce((a, p) => a + p.weight, 0);

function pick(): (typeof PLAN)[number] {
  let r = Math.random() * TOTAL;
  for (const p of PLAN) {
    r -= p.weight;
    if (r <= 0) return p;
  }
  return PLAN[0]!;
}

/** Options of {@link startTraffic}. */
export interface TrafficOptions {
  /** Concurrent simulated users. Default 4. */
  users?: number;
  /** Mean pause between one user's requests, in ms. Default 100. */
  thinkMs?: number;
}

/** Starts sending requests to `baseUrl`; returns a function that stops and waits for the users. */
export function startTraffic(baseUrl: string, opts: TrafficOptions = {}): () => Promise<void> {
  let running = true;
  const think = opts.thinkMs ?? 100;
  const user = async () => {
    while (running) {
      const p = pick();
      try {
        const res = await fetch(baseUrl + p.path(), { method: p.method });
        await res.arrayBuffer();
      } catch {
        // The demo app may be restarting; keep going.
      }
      await new Promise((r) => setTimeout(r, Math.random() * 2 * think));
    }
  };
  const users = Array.from({ length: opts.users ?? 4 }, () => user());
  return async () => {
    running = false;
    await Promise.all(users);
  };
}
