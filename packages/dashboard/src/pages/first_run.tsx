/**
 * Shown while the server holds no series: how to push the first metric. The overview polls and
 * switches to the services by itself once data arrives.
 */

export function FirstRun() {
  const origin = location.origin;
  const curl = `curl -X POST ${origin}/v1/ingest -H 'content-type: application/json' \\
  -d '{"metrics":[{"name":"hello_total","type":"counter","value":1,"labels":{"service":"hello"}}]}'`;
  const sdk = `import { createTinyObs } from '@tinyobs/sdk';

const obs = createTinyObs({ service: 'checkout', endpoint: '${origin}/v1/ingest' });
const orders = obs.counter({ name: 'orders_total', help: 'Orders placed', labelNames: ['status'] });
orders.inc({ status: 'paid' });
process.once('SIGTERM', () => obs.shutdown().finally(() => process.exit(0)));`;
  return (
    <div class="first-run" data-testid="first-run">
      <h2>Welcome to TinyObs — no metrics yet</h2>
      <p>This page switches to your services as soon as the first metric arrives. Push one:</p>
      <h3>With curl</h3>
      <pre>
        <code>{curl}</code>
      </pre>
      <h3>With the Node.js SDK</h3>
      <pre>
        <code>{sdk}</code>
      </pre>
      <h3>Other ways in</h3>
      <ul>
        <li>
          Try the demo: <code>npm run demo</code> sends realistic traffic from a few services.
        </li>
        <li>
          OpenTelemetry SDKs: point the OTLP/HTTP metrics exporter at <code>{origin}/v1/metrics</code> where
          the server supports it.
        </li>
        <li>
          Prometheus or vmagent: <code>remote_write</code> to <code>{origin}/api/v1/write</code> where the
          server supports it.
        </li>
        <li>
          Grafana: add a Prometheus data source with the URL <code>{origin}</code>.
        </li>
      </ul>
      <p class="muted" aria-live="polite">
        Waiting for data…
      </p>
    </div>
  );
}
