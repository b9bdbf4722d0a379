/**
 * The collector path is bounded during an outage like the Sentry path: the exporter the bridge builds for
 * OTEL_EXPORTER_OTLP_* (exporters/otlp.ts) keeps at most EXPORT_CONCURRENCY_LIMIT exports in flight against a
 * collector that never answers (the OTLP exporter's default is 30, each holding its serialized batch); every export
 * beyond the limit fails at once, so nothing piles up in memory (the batch processor counts it as failed).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { createCollectorTraceExporter } from '../../../exporters/otlp.js';
import { EXPORT_CONCURRENCY_LIMIT } from '../../../exporters/concurrency.js';
import { waitUntil } from '../../helpers/wait.js';

const ENDPOINT_VAR = 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT';
const EXPORTS = EXPORT_CONCURRENCY_LIMIT + 4;

let server: Server | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  delete process.env[ENDPOINT_VAR];
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A collector that reads each request and never answers (a black hole), counting the requests. */
async function blackHole(): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  server = createServer((req) => {
    requests++;
    req.resume();
  });
  server.on('connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, requests: () => requests };
}

async function someSpans(count: number): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  const tracer = provider.getTracer('t');
  for (let i = 0; i < count; i++) tracer.startSpan(`span ${i}`).end();
  await provider.forceFlush();
  return memory.getFinishedSpans();
}

describe('collector export path during an outage', () => {
  it(`keeps at most ${EXPORT_CONCURRENCY_LIMIT} exports in flight; the others fail at once`, async () => {
    const collector = await blackHole();
    process.env[ENDPOINT_VAR] = collector.url; // the collector exporter reads the standard variables itself
    const exporter = createCollectorTraceExporter();
    const spans = await someSpans(50);
    const results: ExportResult[] = [];
    for (let i = 0; i < EXPORTS; i++) exporter.export(spans, (result) => results.push(result));
    await waitUntil(() => results.length === EXPORTS - EXPORT_CONCURRENCY_LIMIT && collector.requests() === EXPORT_CONCURRENCY_LIMIT, 20_000);
    expect(results.every((result) => result.code === ExportResultCode.FAILED)).toBe(true);
    expect(results.map((result) => result.error?.message)).toEqual(Array(EXPORTS - EXPORT_CONCURRENCY_LIMIT).fill('Concurrent export limit reached'));
    expect(collector.requests()).toBe(EXPORT_CONCURRENCY_LIMIT);
    void exporter.shutdown();
  });
});
