/**
 * `agent-otel-bridge ingest`: runs the local Sentry-compatible ingest until SIGINT/SIGTERM, prints the DSN to use
 * and a waterfall for every trace once it goes quiet. See docs/ingest.md.
 */
import { parseArgs } from 'node:util';
import { parseFaultSpec, startIngest, type Fault } from '../ingest/index.js';

const USAGE = `usage: agent-otel-bridge ingest [options]

  --port N           port to listen on (default 0: a free port)
  --host H           address to bind (default 127.0.0.1)
  --key K            DSN public key clients and the query API must send: 32 characters (default: random)
  --project N        project id in the DSN and routes (default 1)
  --data-dir D       append everything received to D/*.jsonl and D/raw.bin
  --fault SPEC       start with a fault: down[,for=MS] | black-hole | slow:MS | status:CODE[,retry-after=S]
                     | 429 | 500 | 503, each optionally with ,count=N and/or ,for=MS
  --quiet-ms N       print a trace's waterfall after N ms without new data (default 1500)
  --width N          waterfall width (default: terminal width, else 100)
  --no-waterfall     do not print waterfalls
  --max-body-bytes N request body limit (default 20 MiB)
  -h, --help         show this help
`;

export interface IngestCommandIo {
  print?: (line: string) => void;
  error?: (line: string) => void;
  /** Stops the command (tests); SIGINT/SIGTERM always do. */
  signal?: AbortSignal;
}

export async function runIngestCommand(argv: string[], io: IngestCommandIo = {}): Promise<number> {
  const print = io.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const error = io.error ?? ((line: string) => process.stderr.write(`${line}\n`));

  let values: ReturnType<typeof parse>;
  try {
    values = parse(argv);
  } catch (err) {
    error(`agent-otel-bridge ingest: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    print(USAGE);
    return 0;
  }

  let fault: Fault | undefined;
  const numbers: Record<string, number | undefined> = {};
  try {
    for (const name of ['port', 'project', 'quiet-ms', 'width', 'max-body-bytes'] as const) {
      const raw = values[name];
      if (raw === undefined) continue;
      const n = Number(raw);
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got "${raw}"`);
      numbers[name] = n;
    }
    if (values.fault !== undefined) fault = parseFaultSpec(values.fault);
  } catch (err) {
    error(`agent-otel-bridge ingest: ${(err as Error).message}`);
    return 2;
  }

  const stdoutColumns = process.stdout.isTTY ? process.stdout.columns : undefined;
  let ingest;
  try {
    ingest = await startIngest({
      ...(numbers.port !== undefined ? { port: numbers.port } : {}),
      ...(values.host !== undefined ? { host: values.host } : {}),
      ...(values.key !== undefined ? { key: values.key } : {}),
      ...(numbers.project !== undefined ? { projectId: numbers.project } : {}),
      ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
      ...(numbers['quiet-ms'] !== undefined ? { quietMs: numbers['quiet-ms'] } : {}),
      ...(numbers['max-body-bytes'] !== undefined ? { maxBodyBytes: numbers['max-body-bytes'] } : {}),
      ...(fault !== undefined ? { fault } : {}),
      waterfall: values['no-waterfall'] !== true,
      waterfallWidth: numbers.width ?? Math.max(80, Math.min(120, stdoutColumns ?? 100)),
      color: process.stdout.isTTY === true && process.env.NO_COLOR === undefined,
      print,
    });
  } catch (err) {
    error(`agent-otel-bridge ingest: cannot start: ${(err as Error).message}`);
    return 1;
  }

  print(`agent-otel-bridge ingest listening on ${ingest.url} (query API: ${ingest.url}/api/traces, /api/events, /api/problems — send the key: X-Sentry-Auth: Sentry sentry_key=<key>)`);
  print(`SENTRY_DSN=${ingest.dsn}`);
  print(`trace view: ${ingest.url}/?sentry_key=${ingest.key}`);
  if (ingest.dataDir !== undefined) print(`appending everything received to ${ingest.dataDir}`);
  if (fault !== undefined) print(`fault active: ${JSON.stringify(fault)}`);

  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (io.signal?.aborted) stop();
    else io.signal?.addEventListener('abort', stop, { once: true });
  });
  await ingest.close();
  print('agent-otel-bridge ingest stopped');
  return 0;
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      key: { type: 'string' },
      project: { type: 'string' },
      'data-dir': { type: 'string' },
      fault: { type: 'string' },
      'quiet-ms': { type: 'string' },
      width: { type: 'string' },
      'no-waterfall': { type: 'boolean' },
      'max-body-bytes': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}
