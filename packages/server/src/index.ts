/** Programmatic entry points of the TinyObs server, for embedding and tests. */

export { main } from './cli.js';
export { defaultConfig, resolveConfig, type ServerConfig } from './config/settings.js';
export { createLogger, type Logger, silentLogger } from './log.js';
export { type RunningServer, startServer } from './server.js';
