#!/usr/bin/env node
/**
 * `agent-otel-bridge <command>`: `check` validates the configuration and its endpoints; `ingest` runs the local
 * Sentry-compatible ingest.
 */
const USAGE = `usage: agent-otel-bridge <command>

commands:
  check                      print the effective configuration, test endpoints and the metrics port
  ingest [--port N] [--key K] [--data-dir D]
                             run the local Sentry-compatible ingest (envelopes + OTLP)
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'check': {
      const { runCheckCommand } = await import('./cli/check.js');
      return runCheckCommand(rest);
    }
    case 'ingest': {
      const { runIngestCommand } = await import('./cli/ingest.js');
      return runIngestCommand(rest);
    }
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`unknown command: ${command}\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`agent-otel-bridge: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
