// `npm run demo`: the tinyobs server, the demo service and its traffic generator, together.
//
// Environment: TINYOBS_PORT (8080), DEMO_PORT (3000), DEMO_USERS (4), DEMO_DATA_DIR (./data at
// the repository root, where `npm start` keeps its data, so that a later `npm start` shows the
// demo's series), TINYOBS_ENDPOINT (set it to push to a server you started yourself; then no
// server is started). A server already answering on TINYOBS_PORT (`npm start` in another
// terminal) is used rather than started again.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createTinyObs } from '@tinyobs/sdk';
import { collectRuntimeMetrics } from '@tinyobs/sdk/runtime';
import { createDemoServer } from './app.js';
import { isReady, type ServerProcess, startTinyObsServer } from './server-process.js';
import { startTraffic } from './traffic.js';

const env = process.env;
const tinyobsPort = Number(env.TINYOBS_PORT ?? 8080);
const demoPort = Number(env.DEMO_PORT ?? 3000);
const dataDir = env.DEMO_DATA_DIR ?? fileURLToPath(new URL('../../../data', import.meta.url));

let server: ServerProcess | undefined;
let endpoint = env.TINYOBS_ENDPOINT;
if (endpoint === undefined) {
  const running = `http://127.0.0.1:${tinyobsPort}`;
  if (await isReady(running)) {
    process.stdout.write(`Using the TinyObs server already running at ${running}\n`);
    endpoint = `${running}/v1/ingest`;
  } else {
    server = await startTinyObsServer(tinyobsPort, dataDir);
    endpoint = `${server.url}/v1/ingest`;
  }
}

const obs = createTinyObs({
  service: 'demo-shop',
  endpoint,
  flushIntervalMs: 2_000,
  defaultLabels: { env: 'demo' },
});
const stopRuntime = collectRuntimeMetrics(obs);
const app = createDemoServer(obs);
app.listen(demoPort, '127.0.0.1');
await once(app, 'listening');
const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
const stopTraffic = startTraffic(appUrl, { users: Number(env.DEMO_USERS ?? 4) });

const base = endpoint.replace(/\/v1\/ingest$/, '');
process.stdout.write(`
TinyObs demo running
  dashboard     ${base}/
  metrics       ${base}/metrics
  demo service  ${appUrl}/api/users
Traffic is generated automatically. Ctrl-C stops everything.
`);

let stopping = false;
server?.child.once('exit', (code) => {
  if (stopping) return;
  process.stderr.write(`tinyobs server exited (code ${code}); stopping the demo\n`);
  process.exit(1);
});
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await stopTraffic();
  app.close();
  stopRuntime();
  await obs.shutdown({ timeoutMs: 5_000 }).catch((err: unknown) => {
    process.stderr.write(`the last push failed: ${err instanceof Error ? err.message : String(err)}\n`);
  });
  await server?.stop();
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
