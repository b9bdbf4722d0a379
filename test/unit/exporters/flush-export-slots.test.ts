/**
 * A flush loses nothing although the exporters allow only EXPORT_CONCURRENCY_LIMIT exports in flight: the real
 * BatchSpanProcessor (whose forceFlush starts every queued batch at once) feeds the real OTLP exporter, which
 * fails any export beyond its limit; the export slots make the extra batches wait their turn instead.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { CountingBatchSpanProcessor } from '../../../src/processors/counting-batch.js';
import { createOtlpProtoTraceExporter } from '../../../exporters/otlp-proto-encoder-exporter.js';
import { EXPORT_CONCURRENCY_LIMIT } from '../../../exporters/concurrency.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

/** A loopback OTLP sink that answers each export after `delayMs` and counts requests in flight at once. */
async function slowSink(delayMs: number) {
  const seen = { requests: 0, maxInFlight: 0, inFlight: 0 };
  server = createServer((req, res) => {
    seen.requests++;
    seen.inFlight++;
    seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
    req.resume().on('end', () =>
      setTimeout(() => {
        seen.inFlight--;
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      }, delayMs),
    );
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}/v1/traces`, seen };
}

async function flushFullQueue(maxConcurrentExports: number | undefined) {
  const { url, seen } = await slowSink(150);
  const outcomes = { exported: 0, failed: 0, dropped: 0 };
  const processor = new CountingBatchSpanProcessor({
    name: 'test',
    exporter: createOtlpProtoTraceExporter({ url, concurrencyLimit: EXPORT_CONCURRENCY_LIMIT }),
    record: (outcome, _name, count) => (outcomes[outcome as keyof typeof outcomes] += count),
    maxQueueSize: 2048,
    maxExportBatchSize: 512,
    scheduledDelayMillis: 60_000, // nothing leaves before the flush
    maxConcurrentExports,
  });
  const tracer = new TracerProvider({ spanProcessors: [processor] }).getTracer('t');
  for (let i = 0; i < 2048; i++) tracer.startSpan(`span ${i}`).end();
  // The BSP rejects its flush when a batch failed; the outcomes say which.
  await processor.forceFlush().catch(() => {});
  await processor.shutdown().catch(() => {});
  return { outcomes, seen };
}

describe('flush through the export slots', () => {
  it('a full default queue (4 batches) is flushed whole, never more than the limit in flight', async () => {
    const { outcomes, seen } = await flushFullQueue(EXPORT_CONCURRENCY_LIMIT);
    expect(outcomes).toEqual({ exported: 2048, failed: 0, dropped: 0 });
    expect(seen.requests).toBe(4);
    expect(seen.maxInFlight).toBeLessThanOrEqual(EXPORT_CONCURRENCY_LIMIT);
  });

  it('without the slots the exporter fails every batch past its limit (what the slots fix)', async () => {
    const { outcomes } = await flushFullQueue(undefined);
    expect(outcomes.failed).toBeGreaterThan(0);
    expect(outcomes.exported + outcomes.failed).toBe(2048);
  });
});
