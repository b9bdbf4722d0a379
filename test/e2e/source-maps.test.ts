/**
 * Issue 23, item 7: a TypeScript app's error points at its `.ts` file and line — in the Sentry event (the bridge
 * rebuilds the error from the span's exception.stacktrace) and in the trace view (the span's exception event,
 * read through the ingest's query API). The app (test/fixtures/ts-app/planner.ts) is compiled here with the
 * repository's tsc and `--sourceMap`, then run under the built preload against the local ingest.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type IngestServer } from '../../src/ingest/index.js';
import type { IngestStackFrame, TraceDetail } from '../../src/ingest/types.js';
import { ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';
import { ingestSettled } from '../helpers/ingest-settled.js';
import { allowLoadedMachine } from '../helpers/timeouts.js';

allowLoadedMachine();

const SOURCE = join(ROOT, 'test', 'fixtures', 'ts-app', 'planner.ts');
const TS_PATH = 'test/fixtures/ts-app/planner.ts';

let ingest: IngestServer;
let dataDir: string | undefined;
/** Compiled into dist/ (inside the package, so `@opentelemetry/api` resolves from its node_modules). */
let outDir: string | undefined;
let script: string;
/** 1-based lines of the throwing statement in the TypeScript source and in the compiled JavaScript. */
let tsLine: number;
let jsLine: number;

const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

beforeAll(async () => {
  assertBuilt();
  const out = mkdtempSync(join(ROOT, 'dist', 'ts-app-'));
  outDir = out;
  const tsc = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'),
      ...['--sourceMap', '--strict', '--skipLibCheck', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext'],
      // --ignoreConfig: the repository's tsconfig.json is not this app's.
      ...['--ignoreConfig', '--types', 'node', '--outDir', out, SOURCE],
    ],
    { cwd: ROOT, encoding: 'utf8', timeout: 120_000 },
  );
  if (tsc.status !== 0) throw new Error(`tsc failed: ${tsc.stdout}${tsc.stderr}${String(tsc.error ?? '')}`);
  script = join(out, 'planner.js');
  tsLine = lineOf(readFileSync(SOURCE, 'utf8'), '// THROWS');
  jsLine = lineOf(readFileSync(script, 'utf8'), 'plan.steps.map');
  dataDir = mkdtempSync(join(tmpdir(), 'aob-source-maps-'));
  ingest = await startIngest({ dataDir });
}, 180_000);
afterEach(async () => {
  await stopAll();
  ingest.clear();
});
afterAll(async () => {
  await ingest?.close();
  for (const dir of [dataDir, outDir]) if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** Runs the compiled app under the preload; its error event's `stepNames` frame and its span's stack trace. */
async function runApp(extra: Record<string, string> = {}): Promise<{ frame: IngestStackFrame | undefined; contextLine: string | undefined; spanStack: string; stderr: string }> {
  const app = startNode([script], { env: cleanEnv({ SENTRY_DSN: ingest.dsn, OTEL_SERVICE_NAME: 'ts-app', OTEL_BSP_SCHEDULE_DELAY: '100', ...extra }) });
  const [, traceId] = await app.waitFor(/DONE ([0-9a-f]{32})/);
  const exit = await app.exited;
  expect(exit.code, app.stderr()).toBe(0);
  await ingestSettled(ingest);

  const events = ingest.events();
  expect(events).toHaveLength(1);
  expect(events[0]!.type).toBe('TypeError');
  const frame = events[0]!.frames.find((f) => f.function === 'stepNames');
  // The frame as Sentry received it, with the source lines its SDK read around it (ContextLines).
  const received = events[0]!.payload as { exception?: { values?: Array<{ stacktrace?: { frames?: Array<{ function?: string; context_line?: string }> } }> } };
  const contextLine = received.exception?.values?.flatMap((v) => v.stacktrace?.frames ?? []).find((f) => f.function === 'stepNames')?.context_line;

  // The trace view's data: the span with its exception event, through the query API it reads.
  const response = await fetch(`${ingest.url}/api/traces/${traceId}`, { headers: ingest.apiHeaders });
  expect(response.status).toBe(200);
  const trace = (await response.json()) as TraceDetail;
  const span = trace.spans.find((s) => s.name === 'plan report');
  const exception = span?.events.find((e) => e.name === 'exception');
  return { frame, contextLine, spanStack: String(exception?.attributes['exception.stacktrace'] ?? ''), stderr: app.stderr() };
}

describe('source maps: TypeScript frames in Sentry events and the trace view', () => {
  it('the fixture is a real test: the throwing line moves when compiled', () => {
    expect(tsLine).toBeGreaterThan(0);
    expect(jsLine).toBeGreaterThan(0);
    expect(jsLine).not.toBe(tsLine);
    expect(readFileSync(script, 'utf8')).toMatch(/\/\/# sourceMappingURL=planner\.js\.map\s*$/);
  });

  it('auto (the default): the app ships a map → the error frame names planner.ts and its line, in the event and on the span', async () => {
    const { frame, contextLine, spanStack, stderr } = await runApp();
    expect(frame, 'a stepNames frame').toBeDefined();
    // Sentry's SDK read the TypeScript source around it: the non-null assertion exists only in the .ts file.
    expect(contextLine).toContain('plan.steps!.map');
    expect(frame!.filename).toMatch(new RegExp(`${TS_PATH.replace(/[./]/g, '\\$&')}$`));
    expect(frame!.lineno).toBe(tsLine);
    expect(frame!.in_app).toBe(true);
    expect(spanStack).toMatch(new RegExp(`at stepNames \\(\\S*${TS_PATH.replace(/[./]/g, '\\$&')}:${tsLine}:\\d+\\)`));
    expect(spanStack).not.toContain('planner.js');
    expect(stderr).toMatch(/started for service "ts-app": .*, source maps on\n/);
  });

  it('AGENT_BRIDGE_SOURCE_MAPS=off: the same app reports the compiled planner.js line', async () => {
    const { frame, spanStack, stderr } = await runApp({ AGENT_BRIDGE_SOURCE_MAPS: 'off' });
    expect(frame!.filename).toMatch(/planner\.js$/);
    expect(frame!.lineno).toBe(jsLine);
    expect(spanStack).toMatch(new RegExp(`planner\\.js:${jsLine}:\\d+`));
    expect(stderr).not.toContain('source maps on');
  });

  it('auto with --no-enable-source-maps in NODE_OPTIONS: the operator decided, the bridge leaves them off', async () => {
    const { frame } = await runApp({ NODE_OPTIONS: '--no-enable-source-maps' });
    expect(frame!.filename).toMatch(/planner\.js$/);
    expect(frame!.lineno).toBe(jsLine);
  });
});
