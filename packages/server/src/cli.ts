/**
 * The `tinyobs` command: `tinyobs [serve] [options]`, `tinyobs --help`, `tinyobs --version`.
 * Flags and environment → config → start; invalid settings stop start-up with a message that
 * names the setting.
 */

import { ConfigError, resolveConfig, settingsHelp } from './config/settings.js';
import { createLogger } from './log.js';
import { promqlTestCommand } from './promql/promqltest/command.js';
import { checkRulesCommand, testRulesCommand } from './rules/commands.js';
import { startServer } from './server.js';
import { UsageError } from './transfer/cli/args.js';
import { EXPORT_USAGE, exportCommand } from './transfer/cli/export_command.js';
import { IMPORT_USAGE, importCommand } from './transfer/cli/import_command.js';
import { VERSION } from './version.js';

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Readonly<Record<string, { run: Command; summary: string }>> = {
  serve: { run: serve, summary: 'start the server (the default command)' },
  export: {
    run: transferCommand(exportCommand, EXPORT_USAGE),
    summary: 'download data from a running server (resumable)',
  },
  import: {
    run: transferCommand(importCommand, IMPORT_USAGE),
    summary: 'upload an export file into a running server (resumable)',
  },
  'promql-test': {
    run: promqlTestCommand,
    summary: 'run promqltest scripts (FILE…) against the PromQL engine',
  },
  'check-rules': {
    run: (a) => checkRulesCommand(a),
    summary: 'check rule files (FILE…), as promtool check rules',
  },
  'test-rules': {
    run: (a) => testRulesCommand(a),
    summary: 'run rule unit tests (FILE…), as promtool test rules',
  },
};

function usage(): string {
  const cmds = Object.entries(COMMANDS)
    .map(([name, c]) => `  ${name.padEnd(14)}${c.summary}`)
    .join('\n');
  return `tinyobs ${VERSION}: push-based metrics server

Usage: tinyobs [command] [options]

Commands:
${cmds}

Options of serve (flags win over environment variables, which win over defaults):
${settingsHelp([
  ['--help', 'show this help'],
  ['--version', 'print the version'],
])}
`;
}

/** Runs the command line; resolves to the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h') || argv[0] === 'help') {
    process.stdout.write(usage());
    return 0;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const [first, ...rest] = argv;
  const command = first !== undefined && !first.startsWith('-') ? COMMANDS[first] : COMMANDS.serve;
  if (command === undefined) {
    process.stderr.write(`tinyobs: unknown command ${JSON.stringify(first)} (see tinyobs --help)\n`);
    return 2;
  }
  return command.run(first !== undefined && !first.startsWith('-') ? rest : argv);
}

async function serve(args: string[]): Promise<number> {
  let config: ReturnType<typeof resolveConfig>;
  try {
    config = resolveConfig(args, process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`tinyobs: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  // SIGHUP reloads the rule files, as for Prometheus; a bad file keeps the running rules. The
  // handler is in place before start-up, so an early SIGHUP cannot kill the process.
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  process.on('SIGHUP', () => {
    server?.rules.reload().catch((err: unknown) => log.error('cannot reload rules', { err }));
  });
  try {
    server = await startServer(config, log);
  } catch (err) {
    // Settings that can only be checked at start (key files) stop it like any other bad setting.
    if (err instanceof ConfigError) {
      process.stderr.write(`tinyobs: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const running = server;
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      log.info('shutting down', { signal });
      running.close().then(resolve, (err: unknown) => {
        log.error('shutdown failed', { err });
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}

/** Runs an export/import command; a usage error prints the command's usage and exits 2. */
function transferCommand(run: Command, usageText: string): Command {
  return async (args) => {
    try {
      return await run(args);
    } catch (err) {
      if (!(err instanceof UsageError) && (err as { code?: string }).code !== 'bad_request') throw err;
      process.stderr.write(`tinyobs: ${(err as Error).message}\n${usageText}\n`);
      return 2;
    }
  };
}
