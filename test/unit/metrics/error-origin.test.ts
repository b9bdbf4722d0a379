/**
 * agent_errors_total counts each error once, on the span where it happened — not again on the helper spans it
 * is rethrown through, the HTTP server span that answers 500, or the caller's HTTP client span that gets the 500.
 * Real SDK, real agent helpers, real span-metrics processor and Prometheus store.
 */
import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrometheusMeterProvider } from '../../../exporters/prometheus.js';
import { aiRequest, invokeAgent } from '../../../src/agent/index.js';
import { SpanMetricsProcessor } from '../../../src/processors/span-metrics.js';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { parseExposition, total } from '../../helpers/exposition.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function setup() {
  const { meterProvider, reader, spanMetrics } = createPrometheusMeterProvider();
  const provider = new TracerProvider({ spanProcessors: [new SpanMetricsProcessor({ store: spanMetrics })] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  cleanups.push(async () => {
    await provider.shutdown();
    await meterProvider.shutdown();
    trace.disable();
    context.disable();
  });
  const scrape = async () => parseExposition(new PrometheusSerializer().serialize((await reader.collect()).resourceMetrics));
  return { tracer: provider.getTracer('test'), scrape };
}

function llmBug(): never {
  const response = undefined as unknown as { choices: unknown[] };
  return response.choices[0] as never;
}

/** Agent A calls agent B over HTTP; B's LLM call hits a bug; B answers 500; A's client span gets the 500. */
async function oneFailingCall(tracer: ReturnType<typeof setup>['tracer']): Promise<void> {
  await tracer.startActiveSpan('POST /research', { kind: SpanKind.CLIENT }, async (client) => {
    await tracer.startActiveSpan('POST /research', { kind: SpanKind.SERVER }, async (server) => {
      await invokeAgent({ name: 'researcher' }, () => aiRequest({ provider: 'openai', model: 'gpt-4o' }, async () => llmBug())).catch(() => undefined);
      server.setAttribute('http.response.status_code', 500);
      server.setStatus({ code: SpanStatusCode.ERROR });
      server.end();
    });
    client.setAttribute('http.response.status_code', 500);
    client.setStatus({ code: SpanStatusCode.ERROR });
    client.end();
  });
}

describe('agent_errors_total counts each error once', () => {
  it('one bug across ai.request, invoke_agent, HTTP server and HTTP client spans → one bug count', async () => {
    const { tracer, scrape } = setup();
    await oneFailingCall(tracer);
    const s = await scrape();
    expect(total(s, 'agent_errors_total', { classification: 'bug' })).toBe(1);
    expect(total(s, 'agent_errors_total', { agent_span_type: 'ai.request', error_type: 'TypeError', classification: 'bug' })).toBe(1);
    expect(total(s, 'agent_errors_total')).toBe(1);
  });

  it('the same bug in three traces counts three times; a server 500 with no error inside counts once', async () => {
    const { tracer, scrape } = setup();
    for (let i = 0; i < 3; i++) await oneFailingCall(tracer);
    const lone = tracer.startSpan('GET /boom', { kind: SpanKind.SERVER, attributes: { 'http.response.status_code': 500 } });
    lone.setStatus({ code: SpanStatusCode.ERROR });
    lone.end();
    const s = await scrape();
    expect(total(s, 'agent_errors_total', { agent_span_type: 'ai.request', classification: 'bug' })).toBe(3);
    expect(total(s, 'agent_errors_total', { agent_span_type: 'other', error_type: '500' })).toBe(1);
    expect(total(s, 'agent_errors_total')).toBe(4);
  });

  it('a client span that fails on its own (connection refused, an exception event) counts', async () => {
    const { tracer, scrape } = setup();
    const span = tracer.startSpan('GET', { kind: SpanKind.CLIENT });
    span.recordException(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { name: 'Error' }));
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    expect(total(await scrape(), 'agent_errors_total', { agent_span_type: 'other' })).toBe(1);
  });
});
