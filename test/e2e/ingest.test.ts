/**
 * The ingest against the real clients over loopback: @sentry/node 11 (in a child process, Sentry.init is global)
 * and the real OTLP proto / JSON exporters configured from Sentry's own getOtlpTracesEndpoint(dsn). Each fault
 * mode is shown acting on a real client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, context, trace } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { getOtlpTracesEndpoint } from '@sentry/node';
import { startIngest, type IngestServer } from '../../src/ingest/index.js';
import { CLI, ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';
import { envelope, errorEvent, sampleSpans } from '../unit/ingest/payloads.js';

const SENTRY_CLIENT = 'test/fixtures/ingest/sentry-client.mjs';
const CLI_KEY = 'clikey0123456789abcdef0123456789';

let ingest: IngestServer | undefined;
const exporters: SpanExporter[] = [];

afterEach(async () => {
  await stopAll();
  await Promise.all(exporters.splice(0).map((exporter) => exporter.shutdown().catch(() => {})));
  await ingest?.close();
  ingest = undefined;
});

async function runSentryClient(dsn: string, mode: 'capture' | 'twice'): Promise<Array<Record<string, unknown>>> {
  const child = startNode([SENTRY_CLIENT, dsn, mode], { preload: false, env: cleanEnv() });
  await child.waitFor(/^done$/m, 30_000);
  await child.exited;
  return child
    .stdout()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function exporterFor(kind: 'proto' | 'json', dsn: string, timeoutMillis = 5000): SpanExporter {
  const endpoint = getOtlpTracesEndpoint(dsn);
  if (endpoint === undefined) throw new Error('no OTLP endpoint for the DSN');
  const exporter =
    kind === 'proto'
      ? new ProtoExporter({ url: endpoint.url, headers: endpoint.headers, timeoutMillis })
      : new JsonExporter({ url: endpoint.url, headers: endpoint.headers, timeoutMillis, compression: 'gzip' as never });
  exporters.push(exporter);
  return exporter;
}

function exportOnce(exporter: SpanExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

describe('real @sentry/node 11 → ingest', () => {
  it('captureException arrives with stack frames and trace context; Sentry spans join the traces', async () => {
    ingest = await startIngest();
    const [result] = await runSentryClient(ingest.dsn, 'capture');
    expect(result).toMatchObject({ step: 'capture', flushed: true });

    const event = await ingest.waitFor(() => ingest!.events().find((e) => e.event_id === result!.eventId));
    expect(event).toMatchObject({
      type: 'TypeError',
      value: 'card declined for cart cart-1',
      release: 'ingest-e2e@1.0.0',
      environment: 'e2e',
      tags: { 'gen_ai.agent.name': 'planner' },
      sdk: { name: 'sentry.javascript.node', version: expect.stringMatching(/^11\./) },
    });
    const functions = event.frames.map((frame) => frame.function);
    expect(functions.at(-1)).toBe('chargeCard');
    expect(functions).toContain('checkoutHandler');
    expect(event.frames.at(-1)).toMatchObject({ filename: expect.stringContaining('sentry-client.mjs'), lineno: expect.any(Number), in_app: true });
    expect(event.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(event.span_id).toMatch(/^[0-9a-f]{16}$/);

    // the spans the SDK streamed are in the same trace as the error, parent resolved
    const streamed = await ingest.waitFor(() => ingest!.trace(event.trace_id!));
    expect(streamed.spans.map((span) => [span.name, span.depth])).toEqual([['POST /checkout', 0], ['charge card', 1]]);
    expect(streamed.spans[0]).toMatchObject({ kind: 'server', source: 'sentry' });
    expect(streamed.events.map((e) => e.event_id)).toEqual([event.event_id]);
    expect(event.span_id).toBe(streamed.spans[1]!.spanId);
  });

  it('429 + Retry-After makes the Sentry transport back off: the next capture in the window is never sent', async () => {
    // control: without the fault both captures arrive
    ingest = await startIngest();
    await runSentryClient(ingest.dsn, 'twice');
    await ingest.waitFor(() => ingest!.events().length === 2);
    expect(ingest.requests().filter((r) => r.route === 'envelope').length).toBeGreaterThanOrEqual(2);
    await ingest.close();

    ingest = await startIngest();
    await ingest.setFault({ mode: 'status', status: 429, retryAfter: 60, count: 1 });
    const steps = await runSentryClient(ingest.dsn, 'twice');
    expect(steps.map((step) => step.step)).toEqual(['first', 'second']);
    // only the first envelope reached the ingest (and got the 429); the fault was used up, so anything sent after
    // it would have been accepted — nothing was, because the transport honoured Retry-After
    expect(ingest.requests().map((r) => [r.route, r.status])).toEqual([['envelope', 429]]);
    expect(ingest.fault()).toBeUndefined();
    expect(ingest.events()).toEqual([]);
  });
});

describe('real OTLP exporters configured from getOtlpTracesEndpoint(dsn) → ingest', () => {
  it.each(['proto', 'json'] as const)('%s: spans arrive with their attributes and resource', async (kind) => {
    ingest = await startIngest();
    const exporter = exporterFor(kind, ingest.dsn);
    const provider = new TracerProvider({
      resource: resourceFromAttributes({ 'service.name': `svc-${kind}`, 'service.version': '2.0.0' }),
      spanProcessors: [new BatchSpanProcessor({ exporter })],
    });
    const tracer = provider.getTracer('e2e', '0.0.1');
    // no global context manager in the test process: parent the child explicitly
    const root = tracer.startSpan('invoke_agent planner', { kind: SpanKind.SERVER });
    const child = tracer.startSpan('chat gpt-4o', { kind: SpanKind.CLIENT, attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.output_tokens': 42 } }, trace.setSpan(context.active(), root));
    child.addEvent('retry', { attempt: 2 });
    child.end();
    root.end();
    const traceId = root.spanContext().traceId;
    await provider.forceFlush();
    await provider.shutdown();

    const received = await ingest.waitFor(() => ingest!.trace(traceId));
    expect(received.services).toEqual([`svc-${kind}`]);
    expect(received.spans.map((span) => [span.name, span.depth, span.kind])).toEqual([
      ['invoke_agent planner', 0, 'server'],
      ['chat gpt-4o', 1, 'client'],
    ]);
    expect(received.spans[1]).toMatchObject({
      attributes: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.output_tokens': 42 },
      resource: { 'service.name': `svc-${kind}`, 'service.version': '2.0.0' },
      scope: { name: 'e2e', version: '0.0.1' },
      events: [{ name: 'retry', attributes: { attempt: 2 } }],
      source: 'otlp',
    });
    expect(ingest.requests().every((r) => r.route === 'otlp' && r.status === 202)).toBe(true);
  });

  it('503: the exporter retries, then reports a failed export; nothing is stored', async () => {
    ingest = await startIngest();
    await ingest.setFault({ mode: 'status', status: 503 });
    const result = await exportOnce(exporterFor('proto', ingest.dsn, 2500), await sampleSpans());
    expect(result.code).toBe(ExportResultCode.FAILED);
    const faulted = ingest.requests().filter((r) => r.status === 503);
    expect(faulted.length).toBeGreaterThanOrEqual(2); // 503 is retryable: the exporter tried again
    expect(ingest.spans()).toEqual([]);
  });

  it('500: the exporter fails at once (not retryable)', async () => {
    ingest = await startIngest();
    await ingest.setFault({ mode: 'status', status: 500 });
    const result = await exportOnce(exporterFor('json', ingest.dsn, 5000), await sampleSpans());
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(ingest.requests().map((r) => r.status)).toEqual([500]);
  });

  it('black-hole: the export times out', async () => {
    ingest = await startIngest();
    await ingest.setFault({ mode: 'black-hole' });
    const result = await exportOnce(exporterFor('proto', ingest.dsn, 700), await sampleSpans());
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(String(result.error?.message)).toMatch(/timed out/i);
    expect(ingest.requests()[0]).toMatchObject({ fault: 'black-hole' });
    expect(ingest.requests()[0]!.status).toBeUndefined();
  });

  it('slow: a delay beyond the exporter timeout fails the export, a short one does not', async () => {
    ingest = await startIngest();
    await ingest.setFault({ mode: 'slow', delayMs: 3000, count: 1 });
    const slow = await exportOnce(exporterFor('proto', ingest.dsn, 600), await sampleSpans());
    expect(slow.code).toBe(ExportResultCode.FAILED);
    expect(String(slow.error?.message)).toMatch(/timed out/i);

    await ingest.setFault({ mode: 'slow', delayMs: 100 });
    const ok = await exportOnce(exporterFor('proto', ingest.dsn, 5000), await sampleSpans());
    expect(ok.code).toBe(ExportResultCode.SUCCESS);
    expect(ingest.requests().at(-1)).toMatchObject({ fault: 'slow', status: 202 });
    expect(ingest.spans().length).toBeGreaterThan(0);
  });

  it('down: connection refused, and exports succeed again on the same port once it is back', async () => {
    ingest = await startIngest();
    await ingest.setFault({ mode: 'down' });
    const refused = await exportOnce(exporterFor('proto', ingest.dsn, 800), await sampleSpans());
    expect(refused.code).toBe(ExportResultCode.FAILED);
    expect(JSON.stringify({ message: refused.error?.message, code: (refused.error as { code?: string } | undefined)?.code })).toMatch(/ECONNREFUSED/);
    expect(ingest.requests()).toEqual([]);

    await ingest.clearFault();
    const ok = await exportOnce(exporterFor('proto', ingest.dsn, 5000), await sampleSpans());
    expect(ok.code).toBe(ExportResultCode.SUCCESS);
    expect(ingest.spans()).toHaveLength(2);
  });
});

describe('agent-otel-bridge ingest (built CLI process)', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('prints the DSN, stores what it receives under --data-dir, and exits 0 on %s', async (signal) => {
    assertBuilt();
    const dataDir = mkdtempSync(join(tmpdir(), 'ingest-cli-'));
    try {
      const child = startNode([CLI, 'ingest', '--port', '0', '--key', CLI_KEY, '--data-dir', dataDir, '--quiet-ms', '100'], { preload: false, env: cleanEnv() });
      const [, dsn, port] = await child.waitFor(new RegExp(`^SENTRY_DSN=(http://${CLI_KEY}@127\\.0\\.0\\.1:(\\d+)/1)$`, 'm'));
      expect(dsn).toBeDefined();
      const res = await fetch(`http://127.0.0.1:${port}/api/1/envelope/?sentry_key=${CLI_KEY}`, { method: 'POST', body: envelope({}, [[{ type: 'event' }, errorEvent()]]) });
      expect(res.status).toBe(200);
      await child.waitFor(/✖ TypeError: boom/);
      child.child.kill(signal);
      expect(await child.exited).toEqual({ code: 0, signal: null });
      expect(child.stdout()).toContain('agent-otel-bridge ingest stopped');
      expect(readFileSync(join(dataDir, 'events.jsonl'), 'utf8')).toContain('"type":"TypeError"');
      await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('with default settings prints an error trace once, with its spans, and its frames as Node prints them', async () => {
    assertBuilt();
    const cli = startNode([CLI, 'ingest', '--port', '0', '--key', CLI_KEY], { preload: false, env: cleanEnv() });
    const [, dsn] = await cli.waitFor(/^SENTRY_DSN=(\S+)$/m);
    // the bridge's defaults too: its error event goes at once, its spans with the batch export seconds later
    const app = startNode([`${ROOT}test/fixtures/apps/reported-bug.mjs`], { env: cleanEnv({ SENTRY_DSN: dsn }) });
    const [, traceId] = await app.waitFor(/^TRACE ([0-9a-f]{32})$/m);
    await cli.waitFor(new RegExp(`── trace ${traceId} · [1-9]\\d* spans? `), 30_000);
    await app.stop();
    // the CLI prints whatever is still pending when it stops: nothing for this trace can come after its exit
    await cli.stop('SIGINT');
    const out = cli.stdout();
    expect(out.match(new RegExp(`── trace ${traceId}`, 'g'))).toHaveLength(1);
    expect(out).toContain("✖ TypeError: Cannot read properties of undefined (reading 'sections')");
    // the arrow handed to invokeAgent has no name: Node prints "at file:line:col", the SDK recorded it as "?"
    expect(out).toMatch(/^ {6}at parseOutline \(\S+reported-bug\.mjs:7:\d+\)$/m);
    expect(out).toMatch(/^ {6}at \S+reported-bug\.mjs:10:\d+$/m);
    expect(out).not.toContain('at ?');
  }, 60_000);
});
