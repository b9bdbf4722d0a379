// One classification (issue 19): a GenAI span is classified by the semantic conventions, `agent.span.type` being a
// hint. The same spans with and without the hint give the same exposition, scraped from the real Prometheus exporter.
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { startPrometheusExporter } from '../../../exporters/prometheus.js';
import { SpanMetricsProcessor } from '../../../src/processors/span-metrics.js';
import { agentSpanTypeOf } from '../../../src/agent/span-type.js';
import { get } from '../../helpers/exposition.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

const SPANS: Array<{ name: string; hint: string; attributes: Attributes; error?: { status: number } }> = [
  { name: 'chat gpt-4o', hint: 'ai.request', attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.agent.name': 'planner', 'gen_ai.usage.input_tokens': 12, 'gen_ai.usage.output_tokens': 30, 'gen_ai.response.time_to_first_chunk': 0.05 } },
  { name: 'embeddings text-embedding-3-small', hint: 'ai.request', attributes: { 'gen_ai.operation.name': 'embeddings', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'text-embedding-3-small', 'gen_ai.usage.input_tokens': 4 } },
  { name: 'chat fail-500', hint: 'ai.request', attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'fail-500', 'error.type': '500', 'http.response.status_code': 500 }, error: { status: 500 } },
  { name: 'chat rate-limit', hint: 'ai.request', attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'rate-limit', 'error.type': '429', 'http.response.status_code': 429 }, error: { status: 429 } },
  { name: 'invoke_agent planner', hint: 'agent.invocation', attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'planner' } },
  { name: 'execute_tool search', hint: 'tool.execution', attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'search', 'gen_ai.agent.name': 'planner' } },
];

async function exposition(withHint: boolean): Promise<string> {
  const endpoint = await startPrometheusExporter({ host: '127.0.0.1', port: 0, selfMetrics: false });
  cleanups.push(() => endpoint.close());
  const provider = new TracerProvider({ spanProcessors: [new SpanMetricsProcessor({ store: endpoint.spanMetrics })] });
  cleanups.push(() => provider.shutdown());
  const tracer = provider.getTracer('test');
  for (const spec of SPANS) {
    const span = tracer.startSpan(spec.name, { kind: SpanKind.CLIENT, attributes: { ...spec.attributes, ...(withHint ? { 'agent.span.type': spec.hint } : {}) } });
    if (spec.error) {
      span.recordException({ name: 'APIError', message: `HTTP ${spec.error.status}` });
      span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${spec.error.status}` });
    }
    span.end();
  }
  const { status, body } = await get(`${endpoint.url!}`);
  expect(status).toBe(200);
  // Durations differ between the two runs; series, counts, error totals and token sums must not.
  return body
    .split('\n')
    .filter((line) => /^(gen_ai_|agent_)\w*(_count|_total|token_usage_sum)\{/.test(line))
    .sort()
    .join('\n');
}

describe('GenAI span classification', () => {
  it('spans with only GenAI semconv attributes land in the same series as helper-made ones', async () => {
    const hinted = await exposition(true);
    const semconvOnly = await exposition(false);
    expect(semconvOnly).toBe(hinted);
    expect(hinted).toMatch(/gen_ai_client_operation_duration_seconds_count\{[^}]*gen_ai_operation_name="embeddings"/);
    expect(hinted).toMatch(/gen_ai_client_operation_time_to_first_chunk_seconds_count\{/);
    expect(hinted).toMatch(/agent_invocation_duration_seconds_count\{[^}]*gen_ai_agent_name="planner"/);
    expect(hinted).toMatch(/agent_tool_\w*_count\{[^}]*gen_ai_tool_name="search"/);
    expect(hinted).toMatch(/agent_errors_total\{[^}]*agent_span_type="ai\.request"[^}]*error_type="429"[^}]*classification="operational"/);
    expect(hinted).toMatch(/agent_errors_total\{[^}]*agent_span_type="ai\.request"[^}]*error_type="500"[^}]*classification="bug"/);
  });

  it('the hint wins; unknown operations and plain spans are not agent spans', () => {
    expect(agentSpanTypeOf({ 'gen_ai.operation.name': 'chat' })).toBe('ai.request');
    expect(agentSpanTypeOf({ 'gen_ai.operation.name': 'text_completion' })).toBe('ai.request');
    expect(agentSpanTypeOf({ 'gen_ai.operation.name': 'generate_content' })).toBe('ai.request');
    expect(agentSpanTypeOf({ 'gen_ai.operation.name': 'invoke_agent' })).toBe('agent.invocation');
    expect(agentSpanTypeOf({ 'gen_ai.operation.name': 'execute_tool' })).toBe('tool.execution');
    expect(agentSpanTypeOf({ 'agent.span.type': 'memory.operation', 'gen_ai.operation.name': 'chat' })).toBe('memory.operation');
    expect(agentSpanTypeOf({ 'agent.span.type': 'made-up', 'gen_ai.operation.name': 'chat' })).toBe('ai.request');
    expect(agentSpanTypeOf({ 'gen_ai.operation.name': 'create_agent' })).toBeUndefined();
    expect(agentSpanTypeOf({ 'http.request.method': 'GET' })).toBeUndefined();
    expect(agentSpanTypeOf({ 'gen_ai.operation.name': 42 })).toBeUndefined();
  });
});
