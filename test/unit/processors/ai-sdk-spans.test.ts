/**
 * The AI SDK's own spans (real `ai` 7.x + `@ai-sdk/otel`, current and legacy shapes, over the real
 * openai-compatible provider against the local OpenAI-compatible server) are recognised like helper spans:
 * hints, sentry.op, the agent name on every span of the run, token usage and first-chunk time — and the
 * Prometheus series equal those the helpers make when replaying the very same requests.
 */
import { context, trace, SpanKind, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { LegacyOpenTelemetry, OpenTelemetry } from '@ai-sdk/otel';
import { embed, embedMany, generateText, stepCountIs, streamText, tool, type Telemetry } from 'ai';
import OpenAI from 'openai';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusMeterProvider, startPrometheusExporter, type PrometheusEndpoint } from '../../../exporters/prometheus.js';
import { AiSdkSpansProcessor, providerNameOfAiSdkId } from '../../../src/processors/ai-sdk-spans.js';
import { agentSpanTypeOf, agentSpanTypeOfOperation as spanTypeOfGenAiOperation } from '../../../src/agent/span-type.js';
import { relayAiType } from '../../helpers/relay-ai.js';
import { SpanMetricsProcessor } from '../../../src/processors/span-metrics.js';
import { ScrubSpanProcessor } from '../../../src/processors/scrub.js';
import { aiRequest, executeTool, invokeAgent, setCaptureMessageContent, startAiRequest } from '../../../src/agent/index.js';
import { get, parseExposition, select, type Sample } from '../../helpers/exposition.js';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { bindSelfMetrics, unbindSelfMetrics } from '../../../src/self-metrics.js';
// @ts-expect-error -- plain JS demo module without types
import { startOpenAiServer } from '../../../demo/lib/openai-server.js';

interface RecordedRequest {
  path: string;
  body: Record<string, unknown> & { model: string; stream?: boolean };
}
interface Server {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const MODEL = 'gpt-4o-mini';
let server: Server;
let endpoint: PrometheusEndpoint;
let provider: TracerProvider;
let tracer: Tracer;
const exported = new InMemorySpanExporter();

beforeAll(async () => {
  server = (await startOpenAiServer({ seed: 7, latencyMs: [1, 3], chunkDelayMs: 1 })) as Server;
  endpoint = await startPrometheusExporter({ host: '127.0.0.1', port: 0, selfMetrics: false });
  provider = new TracerProvider({
    // In the bridge's order: the scrub processor removes the AI SDK's content attributes (content capture is off).
    spanProcessors: [
      new AiSdkSpansProcessor(),
      new ScrubSpanProcessor(),
      new SpanMetricsProcessor({ store: endpoint.spanMetrics }),
      new SimpleSpanProcessor({ exporter: exported }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  tracer = provider.getTracer('gen_ai');
  setCaptureMessageContent(false);
});

afterAll(async () => {
  setCaptureMessageContent(undefined);
  await provider.shutdown();
  trace.disable();
  context.disable();
  await endpoint.close();
  await server.close();
});

function model() {
  // `name: 'openai'` makes the provider id `openai.chat`, which the AI SDK reports as gen_ai.provider.name `openai`.
  return createOpenAICompatible({ name: 'openai', baseURL: server.url, apiKey: 'test', includeUsage: true }).chatModel(MODEL);
}

const weather = tool({
  description: 'Current weather for a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, celsius: 21 }),
});

/** generateText with a tool round trip (two chat calls), then a streamed call — as agent `functionId`. */
async function runAiSdk(functionId: string, integration: Telemetry): Promise<void> {
  const telemetry = { functionId, integrations: integration };
  const result = await generateText({ model: model(), prompt: 'Call get_weather for Paris', tools: { get_weather: weather }, stopWhen: stepCountIs(3), telemetry });
  expect(result.steps.length).toBe(2);
  const stream = streamText({ model: model(), prompt: 'Say something short', telemetry });
  let text = '';
  for await (const part of stream.textStream) text += part;
  expect(text.length).toBeGreaterThan(0);
}

/** The helpers' equivalent of runAiSdk: the same three requests (replayed from the server's log) under invokeAgent. */
async function runHelpers(agent: string, requests: RecordedRequest[]): Promise<void> {
  const client = new OpenAI({ baseURL: server.url, apiKey: 'test' });
  const [first, second, streamed] = requests as [RecordedRequest, RecordedRequest, RecordedRequest];
  await invokeAgent({ name: agent }, async () => {
    await aiRequest({ provider: 'openai', model: first.body.model }, () => client.chat.completions.create(first.body as never));
    await executeTool({ name: 'get_weather' }, async () => ({ city: 'Paris', celsius: 21 }));
    await aiRequest({ provider: 'openai', model: second.body.model }, () => client.chat.completions.create(second.body as never));
  });
  await invokeAgent({ name: agent }, async () => {
    const handle = startAiRequest({ provider: 'openai', model: streamed.body.model, stream: true });
    const stream = await context.with(handle.context, () => client.chat.completions.create(streamed.body as never));
    for await (const _chunk of handle.observeStream(stream as unknown as AsyncIterable<unknown>)) {
      // consume
    }
  });
}

async function scrape(): Promise<Sample[]> {
  await provider.forceFlush();
  const res = await get(endpoint.url!);
  expect(res.status).toBe(200);
  return parseExposition(res.body);
}

/** One agent's series of a family: label sets without the agent label → value, for side-by-side comparison. */
function seriesOf(samples: Sample[], name: string, agent: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of select(samples, name, { gen_ai_agent_name: agent })) {
    const { gen_ai_agent_name: _agent, ...labels } = s.labels;
    out[JSON.stringify(Object.entries(labels).sort())] = s.value;
  }
  return out;
}

const COMPARED = [
  'gen_ai_client_operation_duration_seconds_count',
  'gen_ai_client_operation_time_to_first_chunk_seconds_count',
  'gen_ai_client_token_usage_count',
  'gen_ai_client_token_usage_sum',
  'agent_invocation_duration_seconds_count',
  'agent_tool_execution_duration_seconds_count',
];

function spansOfTrace(traceId: string): ReadableSpan[] {
  return exported.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
}

describe('AI SDK spans (real ai 7.x + @ai-sdk/otel against the local OpenAI-compatible server)', () => {
  it('current shape: invoke_agent / chat / execute_tool get the helpers hints, ops, agent name, usage and first-chunk time; series equal the helpers', async () => {
    exported.reset();
    const before = server.requests.length;
    await runAiSdk('sdk-agent', new OpenTelemetry({ tracer }));
    const requests = server.requests.slice(before);
    expect(requests.map((r) => r.body.stream === true)).toEqual([false, false, true]);

    const spans = exported.getFinishedSpans();
    const chats = spans.filter((s) => s.name === `chat ${MODEL}`);
    expect(chats).toHaveLength(3);
    for (const chat of chats) {
      expect(chat.kind).toBe(SpanKind.CLIENT);
      expect(chat.attributes).toMatchObject({
        'agent.span.type': 'ai.request',
        'sentry.op': 'gen_ai.chat',
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': MODEL,
        'gen_ai.agent.name': 'sdk-agent', // inherited from the run's root span
      });
      expect(chat.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(chat.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      // content capture is off: the AI SDK's prompt/completion attributes are gone
      expect(chat.attributes['gen_ai.input.messages']).toBeUndefined();
      expect(chat.attributes['gen_ai.output.messages']).toBeUndefined();
    }
    const streamed = chats.filter((s) => s.attributes['gen_ai.response.time_to_first_chunk'] !== undefined);
    expect(streamed).toHaveLength(1);
    expect(streamed[0]!.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);

    const toolSpan = spans.find((s) => s.name === 'execute_tool get_weather')!;
    expect(toolSpan.attributes).toMatchObject({ 'agent.span.type': 'tool.execution', 'sentry.op': 'gen_ai.execute_tool', 'gen_ai.tool.name': 'get_weather', 'gen_ai.agent.name': 'sdk-agent' });
    expect(toolSpan.attributes['gen_ai.tool.call.arguments']).toBeUndefined();

    const roots = spans.filter((s) => s.attributes['agent.span.type'] === 'agent.invocation');
    expect(roots).toHaveLength(2);
    for (const root of roots) expect(root.attributes).toMatchObject({ 'sentry.op': 'gen_ai.invoke_agent', 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'sdk-agent' });
    // the tool span and the chat spans of the first run sit in the root's trace, under it
    const first = spansOfTrace(toolSpan.spanContext().traceId);
    expect(first.filter((s) => s.name === `chat ${MODEL}`)).toHaveLength(2);
    expect(first.filter((s) => s.parentSpanContext === undefined).map((s) => s.attributes['agent.span.type'])).toEqual(['agent.invocation']);

    // `step N` (agent_step): Relay would type the SDK's own operation name an LLM call without a model; it is sent
    // as Sentry's AI SDK integration sends a step (invoke_agent, unnamed) and is no invocation for the metrics
    const steps = spans.filter((s) => /^step \d+$/.test(s.name));
    expect(steps.map((s) => s.name).sort()).toEqual(['step 1', 'step 1', 'step 2']);
    for (const step of steps) {
      expect(step.attributes).toMatchObject({ 'gen_ai.operation.name': 'invoke_agent', 'sentry.op': 'gen_ai.invoke_agent', 'agent.span.type': 'none' });
      expect(step.attributes['gen_ai.agent.name']).toBeUndefined();
      expect(relayAiType(step.attributes)).toBe('agent');
      expect(agentSpanTypeOf(step.attributes)).toBeUndefined();
    }
    // every span Relay types an LLM call names its model (what the ingest's ai_client_without_model checks)
    const llmCalls = spans.filter((s) => relayAiType(s.attributes) === 'ai_client');
    expect(llmCalls).toHaveLength(3);
    for (const call of llmCalls) expect(call.attributes['gen_ai.request.model'] ?? call.attributes['gen_ai.response.model']).toBe(MODEL);

    await runHelpers('helper-agent', requests);
    const samples = await scrape();
    for (const name of COMPARED) {
      const sdk = seriesOf(samples, name, 'sdk-agent');
      expect(Object.keys(sdk).length, name).toBeGreaterThan(0);
      expect(sdk, name).toEqual(seriesOf(samples, name, 'helper-agent'));
    }
  });

  it('legacy shape (ai.generateText / ai.toolCall): gen_ai.* mapped from ai.*, same series as the current shape', async () => {
    exported.reset();
    await runAiSdk('legacy-agent', new LegacyOpenTelemetry({ tracer }));
    const spans = exported.getFinishedSpans();

    const calls = spans.filter((s) => s.name === 'ai.generateText.doGenerate' || s.name === 'ai.streamText.doStream');
    expect(calls).toHaveLength(3);
    for (const call of calls) {
      expect(call.attributes).toMatchObject({
        'agent.span.type': 'ai.request',
        'sentry.op': 'gen_ai.chat',
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': MODEL,
        'gen_ai.agent.name': 'legacy-agent',
      });
      expect(call.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(call.attributes['ai.prompt.messages']).toBeUndefined();
    }
    expect(calls.find((s) => s.name === 'ai.streamText.doStream')!.attributes['gen_ai.response.time_to_first_chunk']).toBeGreaterThan(0);
    const toolCall = spans.find((s) => s.name === 'ai.toolCall')!;
    expect(toolCall.attributes).toMatchObject({ 'agent.span.type': 'tool.execution', 'gen_ai.tool.name': 'get_weather', 'gen_ai.agent.name': 'legacy-agent' });
    expect(toolCall.attributes['ai.toolCall.args']).toBeUndefined();
    const roots = spans.filter((s) => s.name === 'ai.generateText' || s.name === 'ai.streamText');
    for (const root of roots) expect(root.attributes).toMatchObject({ 'agent.span.type': 'agent.invocation', 'sentry.op': 'gen_ai.invoke_agent', 'gen_ai.agent.name': 'legacy-agent' });

    const samples = await scrape();
    for (const name of COMPARED) expect(seriesOf(samples, name, 'legacy-agent'), name).toEqual(seriesOf(samples, name, 'sdk-agent'));

    // legacy spans without a GenAI operation of their own lose their content too (content capture is off)
    const embedder = createOpenAICompatible({ name: 'openai', baseURL: server.url, apiKey: 'test' }).embeddingModel('text-embedding-3-small');
    await embed({ model: embedder, value: 'secret plans', telemetry: { integrations: new LegacyOpenTelemetry({ tracer }) } });
    const root = exported.getFinishedSpans().find((s) => s.name === 'ai.embed')!;
    expect(root.attributes['ai.operationId']).toBe('ai.embed');
    expect(root.attributes['ai.value']).toBeUndefined();
    expect(root.attributes['ai.embedding']).toBeUndefined();
  });

  it('embed / embedMany: one ai.request per provider call (the operation span around it is not counted again), as aiRequest would', async () => {
    exported.reset();
    const embedder = createOpenAICompatible({ name: 'openai', baseURL: server.url, apiKey: 'test' }).embeddingModel('text-embedding-3-small');
    const telemetry = { functionId: 'embedder', integrations: new OpenTelemetry({ tracer }) };
    await embed({ model: embedder, value: 'one', telemetry });
    await embedMany({ model: embedder, values: ['a', 'b', 'c'], telemetry });
    const calls = server.requests.filter((r) => r.path === '/v1/embeddings').length;
    const spans = exported.getFinishedSpans().filter((s) => s.attributes['gen_ai.operation.name'] === 'embeddings');
    expect(spans.length).toBeGreaterThan(calls); // the AI SDK nests its call spans in an operation span of the same name
    const counted = spans.filter((s) => s.attributes['agent.span.type'] === 'ai.request');
    expect(counted).toHaveLength(2);
    for (const s of counted) expect(s.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
    const samples = await scrape();
    expect(select(samples, 'gen_ai_client_operation_duration_seconds_count', { gen_ai_request_model: 'text-embedding-3-small', gen_ai_operation_name: 'embeddings' }).reduce((n, x) => n + x.value, 0)).toBe(calls);
  });

  it('a 429 and a 500 from the provider: the chat span fails with error.type = the status, as aiRequest records it; 429 operational, 500 a bug', async () => {
    exported.reset();
    const failing = (name: string) => createOpenAICompatible({ name: 'openai', baseURL: server.url, apiKey: 'test' }).chatModel(name);
    for (const name of ['rate-limit', 'fail-500']) {
      await expect(generateText({ model: failing(name), prompt: 'hi', maxRetries: 0, telemetry: { functionId: 'failing-agent', integrations: new OpenTelemetry({ tracer }) } })).rejects.toThrow();
    }
    const chats = exported.getFinishedSpans().filter((s) => s.attributes['agent.span.type'] === 'ai.request');
    expect(chats.map((s) => [s.name, s.status.code, s.attributes['error.type'], s.attributes['http.response.status_code']])).toEqual([
      ['chat rate-limit', 2, '429', 429],
      ['chat fail-500', 2, '500', 500],
    ]);
    const samples = await scrape();
    const errors = (classification: string, type: string) =>
      select(samples, 'agent_errors_total', { gen_ai_agent_name: 'failing-agent', agent_span_type: 'ai.request', error_type: type, classification }).reduce((n, s) => n + s.value, 0);
    expect(errors('operational', '429')).toBe(1);
    expect(errors('bug', '500')).toBe(1);
  });

  it('keeps at most maxOpenSpans open spans for agent-name inheritance; what it forgets is counted', async () => {
    const { meterProvider, reader } = createPrometheusMeterProvider();
    bindSelfMetrics(meterProvider);
    const own = new TracerProvider({ spanProcessors: [new AiSdkSpansProcessor({ maxOpenSpans: 10 })] });
    try {
      const t = own.getTracer('gen_ai');
      const open = Array.from({ length: 25 }, (_, i) => t.startSpan(`invoke_agent a${i}`, { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': `a${i}` } }));
      // the newest run is still remembered: its chat span inherits the name; the oldest is forgotten
      const newest = open[24]!;
      const inherited = t.startSpan('chat m', { attributes: { 'gen_ai.operation.name': 'chat' } }, trace.setSpan(context.active(), newest)) as unknown as ReadableSpan;
      const orphan = t.startSpan('chat m', { attributes: { 'gen_ai.operation.name': 'chat' } }, trace.setSpan(context.active(), open[0]!)) as unknown as ReadableSpan;
      expect(inherited.attributes['gen_ai.agent.name']).toBe('a24');
      expect(orphan.attributes['gen_ai.agent.name']).toBeUndefined();
      const { resourceMetrics } = await reader.collect();
      const samples = parseExposition(new PrometheusSerializer().serialize(resourceMetrics));
      expect(select(samples, 'agent_bridge_instrumentation_drops_total', { instrumentation: 'genai-spans', reason: 'evicted' })[0]?.value).toBeGreaterThanOrEqual(15);
    } finally {
      unbindSelfMetrics(meterProvider);
      await meterProvider.shutdown();
      await own.shutdown();
    }
  });

  it('classifies on gen_ai.operation.name and maps AI SDK provider ids the way @ai-sdk/otel does', () => {
    expect(spanTypeOfGenAiOperation('chat')).toBe('ai.request');
    expect(spanTypeOfGenAiOperation('embeddings')).toBe('ai.request');
    expect(spanTypeOfGenAiOperation('invoke_agent')).toBe('agent.invocation');
    expect(spanTypeOfGenAiOperation('execute_tool')).toBe('tool.execution');
    expect(spanTypeOfGenAiOperation('agent_step')).toBeUndefined();
    expect(providerNameOfAiSdkId('openai.chat')).toBe('openai');
    expect(providerNameOfAiSdkId('amazon-bedrock')).toBe('aws.bedrock');
    expect(providerNameOfAiSdkId('my-proxy.chat')).toBe('my-proxy.chat');
    expect(providerNameOfAiSdkId('x'.repeat(10_000))).toHaveLength(128);
  });
});
