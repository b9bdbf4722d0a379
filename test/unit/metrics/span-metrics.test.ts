import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import {
  createAlwaysRecordSampler,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrometheusMeterProvider, startPrometheusExporter, type PrometheusEndpoint } from '../../../exporters/prometheus.js';
import { SpanMetricsProcessor } from '../../../src/processors/span-metrics.js';
import { get, parseExposition, select, seriesCount, total, type Sample } from '../../helpers/exposition.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function pipeline(store: PrometheusEndpoint['spanMetrics'], ratio = 1) {
  const exported = new InMemorySpanExporter();
  const provider = new TracerProvider({
    sampler: createAlwaysRecordSampler(new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) })),
    spanProcessors: [new SpanMetricsProcessor({ store }), new SimpleSpanProcessor({ exporter: exported })],
  });
  cleanups.push(() => provider.shutdown());
  return { tracer: provider.getTracer('test'), exported };
}

async function scrape(reader: ReturnType<typeof createPrometheusMeterProvider>['reader']): Promise<Sample[]> {
  const { resourceMetrics } = await reader.collect();
  return parseExposition(new PrometheusSerializer().serialize(resourceMetrics));
}

describe('span-metrics processor', () => {
  it('counts all 1,000 ai.requests (20 failing) and exact token sums at trace sampling 0.1, served on /metrics', async () => {
    const endpoint = await startPrometheusExporter({ host: '127.0.0.1', port: 0, selfMetrics: false });
    cleanups.push(() => endpoint.close());
    const { tracer, exported } = pipeline(endpoint.spanMetrics, 0.1);

    let input = 0;
    let output = 0;
    for (let i = 0; i < 1000; i++) {
      const inTokens = 100 + ((i * 7919) % 5000);
      const outTokens = 1 + ((i * 104729) % 900);
      input += inTokens;
      output += outTokens;
      const span = tracer.startSpan('chat gpt-4o', {
        kind: SpanKind.CLIENT,
        attributes: {
          'agent.span.type': 'ai.request',
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': i % 2 === 0 ? 'gpt-4o' : '  GPT-4o-Mini ',
          'gen_ai.agent.name': 'Planner',
          'gen_ai.usage.input_tokens': inTokens,
          'gen_ai.usage.output_tokens': outTokens,
        },
      });
      if (i % 50 === 0) {
        span.setAttribute('error.type', i % 100 === 0 ? 'RateLimitError' : 'ValidationError');
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'boom' });
      }
      span.end();
    }

    // Sampling is really on: only about a tenth reached the exporter, yet the metrics count everything.
    const sampled = exported.getFinishedSpans().length;
    expect(sampled).toBeGreaterThan(20);
    expect(sampled).toBeLessThan(300);

    const res = await get(endpoint.url!);
    expect(res.status).toBe(200);
    const samples = parseExposition(res.body);
    expect(total(samples, 'gen_ai_client_operation_duration_seconds_count')).toBe(1000);
    expect(total(samples, 'gen_ai_client_operation_duration_seconds_count', { error_type: 'RateLimitError' })).toBe(10);
    expect(total(samples, 'agent_errors_total')).toBe(20);
    expect(total(samples, 'agent_errors_total', { classification: 'operational', error_type: 'ValidationError' })).toBe(10);
    expect(total(samples, 'agent_errors_total', { classification: 'bug', error_type: 'RateLimitError', agent_span_type: 'ai.request' })).toBe(10);
    expect(total(samples, 'gen_ai_client_token_usage_sum', { gen_ai_token_type: 'input' })).toBe(input);
    expect(total(samples, 'gen_ai_client_token_usage_sum', { gen_ai_token_type: 'output' })).toBe(output);
    expect(total(samples, 'gen_ai_client_token_usage_count', { gen_ai_token_type: 'input' })).toBe(1000);
    // Names normalised: one series per model, lowercase agent, no overflow.
    const models = new Set(select(samples, 'gen_ai_client_operation_duration_seconds_count').map((s) => s.labels.gen_ai_request_model));
    expect([...models].sort()).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect(select(samples, 'gen_ai_client_operation_duration_seconds_count')[0]!.labels).toMatchObject({
      gen_ai_operation_name: 'chat',
      gen_ai_provider_name: 'openai',
      gen_ai_agent_name: 'planner',
    });
    expect(samples.some((s) => s.labels.otel_metric_overflow !== undefined)).toBe(false);
    // LLM buckets end at 81.92 s, then +Inf.
    const les = select(samples, 'gen_ai_client_operation_duration_seconds_bucket', { gen_ai_request_model: 'gpt-4o' }).map((x) => x.labels.le);
    expect(les).toContain('81.92');
    expect(les).toContain('0.01');
  });

  it('derives memory, communication, invocation and tool metrics, and counts other spans only on error', async () => {
    const { meterProvider, reader, spanMetrics } = createPrometheusMeterProvider();
    cleanups.push(() => meterProvider.shutdown());
    const { tracer } = pipeline(spanMetrics);
    const end = (name: string, kind: SpanKind, attributes: Attributes, error?: string) => {
      const span = tracer.startSpan(name, { kind, attributes });
      if (error !== undefined) {
        span.recordException(Object.assign(new Error('x'), { name: error }));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    };
    const memory = { 'agent.span.type': 'memory.operation', 'agent.memory.operation': 'search', 'agent.memory.store': 'notes', 'gen_ai.agent.name': 'researcher' };
    end('memory.search notes', SpanKind.CLIENT, { ...memory, 'agent.memory.result_count': 0 });
    end('memory.search notes', SpanKind.CLIENT, { ...memory, 'agent.memory.result_count': 7 });
    end('memory.search notes', SpanKind.CLIENT, memory, 'TimeoutError');
    const edge = { 'agent.span.type': 'agent.communication', 'agent.communication.source': 'planner', 'agent.communication.target': 'researcher' };
    end('send researcher', SpanKind.PRODUCER, edge);
    end('process researcher', SpanKind.CONSUMER, edge);
    end('invoke_agent planner', SpanKind.INTERNAL, { 'agent.span.type': 'agent.invocation', 'gen_ai.agent.name': 'planner' });
    end('execute_tool search', SpanKind.INTERNAL, { 'agent.span.type': 'tool.execution', 'gen_ai.tool.name': 'web_search', 'gen_ai.agent.name': 'planner' }, 'NotFoundError');
    // Plain HTTP spans: nothing unless ERROR; then agent_span_type="other" and no URL / route labels.
    end('GET /users/123', SpanKind.SERVER, { 'http.route': '/users/:id', 'url.full': 'http://x/users/123', 'http.response.status_code': 200 });
    end('GET /users/124', SpanKind.SERVER, { 'http.route': '/users/:id', 'url.full': 'http://x/users/124', 'http.response.status_code': 503 }, undefined);
    const failing = tracer.startSpan('GET /boom', { kind: SpanKind.SERVER, attributes: { 'http.response.status_code': 500, 'url.full': 'http://x/boom?user=1' } });
    failing.setStatus({ code: SpanStatusCode.ERROR });
    failing.end();
    end('weird', SpanKind.INTERNAL, { 'agent.span.type': 'made.up' }, 'TypeError');

    const s = await scrape(reader);
    expect(total(s, 'agent_memory_operation_duration_seconds_count', { agent_memory_operation: 'search', agent_memory_store: 'notes', gen_ai_agent_name: 'researcher' })).toBe(3);
    expect(total(s, 'agent_memory_operation_duration_seconds_count', { error_type: 'TimeoutError' })).toBe(1);
    expect(total(s, 'agent_memory_results_count')).toBe(2);
    expect(total(s, 'agent_memory_results_bucket', { le: '0' })).toBe(1); // the miss
    expect(total(s, 'agent_memory_results_sum')).toBe(7);
    expect(total(s, 'agent_communication_duration_seconds_count', { source_agent: 'planner', target_agent: 'researcher', messaging_operation_type: 'send' })).toBe(1);
    expect(total(s, 'agent_communication_duration_seconds_count', { messaging_operation_type: 'process' })).toBe(1);
    expect(total(s, 'agent_invocation_duration_seconds_count', { gen_ai_agent_name: 'planner' })).toBe(1);
    expect(total(s, 'agent_tool_execution_duration_seconds_count', { gen_ai_tool_name: 'web_search', error_type: 'NotFoundError' })).toBe(1);

    expect(total(s, 'agent_errors_total', { agent_span_type: 'memory.operation', error_type: 'TimeoutError', classification: 'bug' })).toBe(1);
    expect(total(s, 'agent_errors_total', { agent_span_type: 'tool.execution', classification: 'operational' })).toBe(1);
    expect(total(s, 'agent_errors_total', { agent_span_type: 'other', error_type: '500', classification: 'bug' })).toBe(1);
    expect(total(s, 'agent_errors_total', { agent_span_type: 'other', error_type: 'TypeError' })).toBe(1);
    expect(total(s, 'agent_errors_total')).toBe(4);
    // No label carries a URL, a route with ids, or a span/trace id.
    for (const sample of s) {
      for (const value of Object.values(sample.labels)) {
        expect(value).not.toMatch(/:\/\/|\/users\/\d|^[0-9a-f]{16,32}$/);
      }
    }
    // Only the metric families of docs/metrics.md exist: HTTP spans made none of their own.
    const families = new Set(s.map((x) => x.name.replace(/_(bucket|count|sum)$/, '')));
    expect([...families].filter((f) => f !== 'target_info').sort()).toEqual([
      'agent_active_invocations', // the invocation span (0 once it ended)
      'agent_bridge_untracked_invocations_total', // always present, 0 here
      'agent_communication_duration_seconds',
      'agent_errors_total',
      'agent_invocation_duration_seconds',
      'agent_memory_operation_duration_seconds',
      'agent_memory_results',
      'agent_tool_execution_duration_seconds',
    ]);
    expect(seriesCount(s, 'agent_errors')).toBe(4);
  });

  it('records time to first chunk for streamed ai.requests only', async () => {
    const { meterProvider, reader, spanMetrics } = createPrometheusMeterProvider();
    cleanups.push(() => meterProvider.shutdown());
    const { tracer } = pipeline(spanMetrics);
    const base = { 'agent.span.type': 'ai.request', 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' };
    tracer.startSpan('chat gpt-4o', { attributes: { ...base, 'gen_ai.response.time_to_first_chunk': 0.25 } }).end();
    tracer.startSpan('chat gpt-4o', { attributes: { ...base, 'gen_ai.response.time_to_first_chunk': 0.5 } }).end();
    tracer.startSpan('chat gpt-4o', { attributes: base }).end();
    const s = await scrape(reader);
    expect(total(s, 'gen_ai_client_operation_duration_seconds_count')).toBe(3);
    expect(total(s, 'gen_ai_client_operation_time_to_first_chunk_seconds_count', { gen_ai_request_model: 'gpt-4o' })).toBe(2);
    expect(total(s, 'gen_ai_client_operation_time_to_first_chunk_seconds_sum')).toBe(0.75);
    expect(total(s, 'gen_ai_client_operation_time_to_first_chunk_seconds_bucket', { le: '0.25' })).toBe(1);
  });

  it('never throws on malformed spans', async () => {
    const { meterProvider, reader, spanMetrics } = createPrometheusMeterProvider();
    cleanups.push(() => meterProvider.shutdown());
    const { tracer } = pipeline(spanMetrics);
    const span = tracer.startSpan('x', {
      attributes: { 'agent.span.type': 'ai.request', 'gen_ai.request.model': ['a', 'b'], 'gen_ai.usage.input_tokens': -5, 'gen_ai.usage.output_tokens': Number.NaN },
    });
    span.setStatus({ code: SpanStatusCode.ERROR });
    expect(() => span.end()).not.toThrow();
    const s = await scrape(reader);
    expect(total(s, 'gen_ai_client_operation_duration_seconds_count', { error_type: '_OTHER' })).toBe(1);
    expect(select(s, 'gen_ai_client_token_usage_count')).toEqual([]);
  });
});
