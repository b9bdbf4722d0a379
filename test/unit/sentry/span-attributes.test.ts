/**
 * Every span sent to Sentry carries Sentry's release and environment attributes (Relay reads no release from the
 * resource): the Sentry exporter writes them (exporters/sentry-span-attributes.ts `sentrySpanAttributes`), not a
 * processor on every span. Spans made by the real SDK, exported by the real OTLP exporter over loopback HTTP, decoded
 * with the OTLP schema.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { createOtlpProtoTraceExporter } from '../../../exporters/otlp-proto-encoder-exporter.js';
import { ATTR_SENTRY_ENVIRONMENT, ATTR_SENTRY_RELEASE, sentrySpanAttributes } from '../../../exporters/sentry-span-attributes.js';
import { decodeExportTraceServiceRequest } from '../../../src/ingest/otlp-proto.js';

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

interface DecodedSpan {
  name: string;
  attributes?: Array<{ key: string; value: { stringValue?: string } }>;
}

/** Ends a root (with `own` attributes) and a child, exports them with `spanAttributes`, returns the decoded spans. */
async function exported(spanAttributes: Record<string, string> | undefined, own: Record<string, string> = {}): Promise<DecodedSpan[]> {
  const bodies: Buffer[] = [];
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(Buffer.concat(chunks));
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`;
  const provider = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: createOtlpProtoTraceExporter({ url }, spanAttributes) })] });
  const tracer = provider.getTracer('t');
  tracer.startSpan('root', { attributes: { 'gen_ai.agent.name': 'planner', ...own } }).end();
  tracer.startSpan('child').end();
  await provider.forceFlush();
  await provider.shutdown();
  return bodies.flatMap((body) => {
    const request = decodeExportTraceServiceRequest(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: DecodedSpan[] }> }> };
    return request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  });
}

const valuesOf = (span: DecodedSpan, key: string) => (span.attributes ?? []).filter((a) => a.key === key).map((a) => a.value.stringValue);

describe('Sentry span attributes (written by the Sentry exporter)', () => {
  it('every exported span carries sentry.release and sentry.environment, once each', async () => {
    const spans = await exported(sentrySpanAttributes({ release: 'agent@1.2.3', environment: 'production' }));
    expect(spans.map((s) => s.name).sort()).toEqual(['child', 'root']);
    for (const span of spans) {
      expect(valuesOf(span, ATTR_SENTRY_RELEASE)).toEqual(['agent@1.2.3']);
      expect(valuesOf(span, ATTR_SENTRY_ENVIRONMENT)).toEqual(['production']);
    }
    expect(valuesOf(spans.find((s) => s.name === 'root')!, 'gen_ai.agent.name')).toEqual(['planner']);
  });

  it("a span's own value wins and is not written twice", async () => {
    const spans = await exported(sentrySpanAttributes({ release: 'agent@1.2.3', environment: 'production' }), { [ATTR_SENTRY_RELEASE]: 'own@9' });
    expect(valuesOf(spans.find((s) => s.name === 'root')!, ATTR_SENTRY_RELEASE)).toEqual(['own@9']);
    expect(valuesOf(spans.find((s) => s.name === 'child')!, ATTR_SENTRY_RELEASE)).toEqual(['agent@1.2.3']);
  });

  it('writes nothing it does not know; an exporter without them (the collector) writes neither', async () => {
    expect(sentrySpanAttributes({ release: undefined, environment: '' })).toEqual({});
    for (const spans of [await exported(sentrySpanAttributes({ release: undefined, environment: '' })), await exported(undefined)]) {
      for (const span of spans) {
        expect(valuesOf(span, ATTR_SENTRY_RELEASE)).toEqual([]);
        expect(valuesOf(span, ATTR_SENTRY_ENVIRONMENT)).toEqual([]);
      }
    }
  });
});
