/**
 * Issue 19 items 2 and 3, end to end: real apps under the built preload drive the real AI SDK (`ai` 7 +
 * `@ai-sdk/otel`) and the real OpenAI Agents SDK (`@openai/agents` 0.20) against the local OpenAI-compatible server;
 * their spans reach the local ingest (real OTLP exporter) and their metrics the bridge's Prometheus endpoint.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIngest, type IngestServer } from '../../src/ingest/index.js';
import type { IngestSpan } from '../../src/ingest/types.js';
import { aiOperationType } from '../../src/ingest/problems.js';
import { REGISTER, ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';
import { freePort } from '../helpers/ports.js';
import { parseExposition, total, type Sample } from '../helpers/exposition.js';
import { allowLoadedMachine } from '../helpers/timeouts.js';
// @ts-expect-error -- plain JS demo module without types
import { startOpenAiServer } from '../../demo/lib/openai-server.js';

allowLoadedMachine();

interface LlmServer {
  url: string;
  requests: { path: string }[];
  close(): Promise<void>;
}

let ingest: IngestServer;
let llm: LlmServer;
let dataDir: string;

beforeAll(async () => {
  assertBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'aob-zero-code-'));
  ingest = await startIngest({ dataDir });
  llm = (await startOpenAiServer({ seed: 19, latencyMs: [1, 5], chunkDelayMs: 1 })) as LlmServer;
});
afterEach(async () => {
  await stopAll();
  ingest.clear();
});
afterAll(async () => {
  await llm.close();
  await ingest.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Run a fixture app to completion under the preload; its RESULT line and the metrics it scraped from itself. */
async function runApp(app: string, service: string): Promise<{ result: Record<string, unknown>; metrics: Sample[]; stderr: string }> {
  const port = await freePort();
  const proc = startNode([`${ROOT}test/fixtures/apps/${app}`], {
    env: cleanEnv({
      SENTRY_DSN: ingest.dsn,
      OTEL_SERVICE_NAME: service,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      LLM_URL: llm.url,
      // vitest's NODE_ENV=test would switch the Agents SDK's tracing off (agents-core config.mjs `tracing.disabled`).
      NODE_ENV: 'development',
    }),
  });
  const [, json] = await proc.waitFor(/^RESULT (.*)$/m);
  const [, metrics] = await proc.waitFor(/^METRICS (\S+) END$/m);
  const exit = await proc.exited;
  expect(exit, proc.stderr()).toEqual({ code: 0, signal: null });
  return { result: JSON.parse(json!) as Record<string, unknown>, metrics: parseExposition(Buffer.from(metrics!, 'base64').toString('utf8')), stderr: proc.stderr() };
}

async function traceSpans(traceId: string, complete: (spans: IngestSpan[]) => boolean): Promise<IngestSpan[]> {
  // The apps have exited, and a bridged process's exit flush waits for the ingest's answers: normally at once.
  return ingest.waitFor(
    () => {
      const spans = ingest.trace(traceId)?.spans;
      return spans !== undefined && complete(spans) ? spans : undefined;
    },
    { timeoutMs: 30_000 },
  );
}

/** Every span but the root has its parent in the trace; the root is the app's own span. */
function expectOneTree(spans: IngestSpan[], rootName: string): Map<string, IngestSpan> {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const roots = spans.filter((s) => s.parentSpanId === undefined || !byId.has(s.parentSpanId));
  expect(roots.map((s) => s.name)).toEqual([rootName]);
  return byId;
}

/**
 * Every span Relay would type an LLM call (`ai_client`) names its model, and the ingest — which applies Relay's rule
 * — reports no `ai_client_without_model` for the trace.
 */
function expectEveryLlmCallPriced(traceId: string, spans: IngestSpan[]): void {
  const llmCalls = spans.filter((s) => aiOperationType(s.attributes) === 'ai_client');
  expect(llmCalls.length).toBeGreaterThan(0);
  for (const call of llmCalls) expect(call.attributes['gen_ai.request.model'] ?? call.attributes['gen_ai.response.model'], call.name).toEqual(expect.any(String));
  expect(ingest.problems(traceId).filter((p) => p.code === 'ai_client_without_model')).toEqual([]);
}

/** The model client's HTTP spans to `path` are children of chat spans (an Agents SDK model call's context). */
function expectHttpUnderChat(spans: IngestSpan[], byId: Map<string, IngestSpan>, path: string): void {
  const http = spans.filter((s) => s.kind === 'client' && String(s.attributes['url.full']).endsWith(path));
  expect(http.length).toBeGreaterThan(0);
  for (const s of http) expect(byId.get(s.parentSpanId ?? '')?.attributes['sentry.op'], s.name).toBe('gen_ai.chat');
}

function ancestors(span: IngestSpan, byId: Map<string, IngestSpan>): string[] {
  const names: string[] = [];
  for (let s = byId.get(span.parentSpanId ?? ''); s !== undefined; s = byId.get(s.parentSpanId ?? '')) names.push(s.name);
  return names;
}

describe('zero-code instrumentation of agent SDKs under the preload', () => {
  it('AI SDK with registerTelemetry(new OpenTelemetry()): chat / execute_tool / invoke_agent spans with ops and usage in the caller\'s trace; metrics per agent', async () => {
    const { result, metrics } = await runApp('ai-sdk-run.mjs', 'ai-sdk-app');
    const traceId = result.traceId as string;
    const spans = await traceSpans(traceId, (s) => s.filter((x) => x.attributes['sentry.op'] === 'gen_ai.chat').length === 3 && s.some((x) => x.name === 'handle request'));
    const byId = expectOneTree(spans, 'handle request');

    const chats = spans.filter((s) => s.attributes['sentry.op'] === 'gen_ai.chat');
    for (const chat of chats) {
      expect(chat.name).toBe('chat gpt-4o-mini');
      expect(chat.kind).toBe('client');
      expect(chat.attributes).toMatchObject({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.agent.name': 'assistant' });
      expect(chat.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(chat.attributes['gen_ai.input.messages']).toBeUndefined(); // content capture is off by default
      expect(ancestors(chat, byId)).toContain('handle request');
    }
    expect(chats.filter((s) => typeof s.attributes['gen_ai.response.time_to_first_chunk'] === 'number')).toHaveLength(1);
    const toolSpan = spans.find((s) => s.name === 'execute_tool get_weather')!;
    expect(toolSpan.attributes).toMatchObject({ 'sentry.op': 'gen_ai.execute_tool', 'gen_ai.agent.name': 'assistant' });
    expect(spans.filter((s) => s.attributes['agent.span.type'] === 'agent.invocation').map((s) => s.attributes['gen_ai.agent.name'])).toEqual(['assistant', 'assistant']);
    // the AI SDK's `step N` spans (agent_step) reach Sentry as Sentry's own AI SDK integration sends them: unnamed
    // agent spans, not LLM calls without a model
    const steps = spans.filter((s) => /^step \d+$/.test(s.name));
    expect(steps.length).toBeGreaterThan(0);
    for (const step of steps) expect(aiOperationType(step.attributes)).toBe('agent');
    expectEveryLlmCallPriced(traceId, spans);

    const agent = { gen_ai_agent_name: 'assistant' };
    expect(total(metrics, 'gen_ai_client_operation_duration_seconds_count', { ...agent, gen_ai_operation_name: 'chat', gen_ai_provider_name: 'openai', gen_ai_request_model: 'gpt-4o-mini' })).toBe(3);
    expect(total(metrics, 'gen_ai_client_operation_time_to_first_chunk_seconds_count', agent)).toBe(1);
    expect(total(metrics, 'gen_ai_client_token_usage_count', { ...agent, gen_ai_token_type: 'input' })).toBe(3);
    expect(total(metrics, 'agent_invocation_duration_seconds_count', agent)).toBe(2);
    expect(total(metrics, 'agent_tool_execution_duration_seconds_count', { ...agent, gen_ai_tool_name: 'get_weather' })).toBe(1);
  });

  it('OpenAI Agents SDK: a run with a handoff is one trace across both agents under the caller\'s span, the handoff an edge in agent_communication_duration_seconds; the app\'s own processor keeps working', async () => {
    const { result, metrics } = await runApp('openai-agents-run.mjs', 'agents-app');
    expect(result.lastAgent).toBe('writer');
    // setTraceProcessors([app's]) replaced the SDK's list: the app's processor still got every span type …
    expect(new Set(result.received as string[])).toEqual(new Set(['task', 'turn', 'agent', 'response', 'handoff', 'function']));
    // … and with tracing disabled the run works and nobody gets spans.
    expect(result.disabledRunOutput).toBe('string');
    expect(result.receivedWhileDisabled).toBe(0);

    const traceId = result.traceId as string;
    const spans = await traceSpans(traceId, (s) => s.some((x) => x.name === 'execute_tool get_weather') && s.some((x) => x.name === 'send writer') && s.some((x) => x.name === 'handle request'));
    const byId = expectOneTree(spans, 'handle request'); // one trace id: both runs, all three agents
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([traceId]));

    const invocations = spans.filter((s) => s.attributes['sentry.op'] === 'gen_ai.invoke_agent');
    expect(invocations.map((s) => s.name).sort()).toEqual(['invoke_agent forecaster', 'invoke_agent triage', 'invoke_agent writer']);
    for (const s of invocations) expect(s.attributes).toMatchObject({ 'agent.span.type': 'agent.invocation', 'gen_ai.operation.name': 'invoke_agent' });

    const handoff = spans.find((s) => s.name === 'send writer')!;
    expect(handoff.kind).toBe('producer');
    expect(handoff.attributes).toMatchObject({ 'sentry.op': 'queue.publish', 'agent.communication.source': 'triage', 'agent.communication.target': 'writer', 'messaging.destination.name': 'writer' });

    const chats = spans.filter((s) => s.attributes['sentry.op'] === 'gen_ai.chat');
    expect(chats.length).toBe(llm.requests.filter((r) => r.path === '/v1/responses').length - 1); // minus the untraced run
    for (const chat of chats) {
      expect(chat.name).toBe('chat gpt-4o-mini');
      expect(chat.kind).toBe('client');
      expect(chat.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
      expect(chat.attributes['gen_ai.usage.output_tokens']).toBeGreaterThan(0);
      // a model call sits under the agent that made it
      expect(ancestors(chat, byId).find((n) => n.startsWith('invoke_agent '))).toBe(`invoke_agent ${String(chat.attributes['gen_ai.agent.name'])}`);
    }
    const toolSpan = spans.find((s) => s.name === 'execute_tool get_weather')!;
    expect(toolSpan.attributes).toMatchObject({ 'sentry.op': 'gen_ai.execute_tool', 'gen_ai.tool.name': 'get_weather', 'gen_ai.agent.name': 'forecaster' });
    expect(ancestors(toolSpan, byId)).toContain('invoke_agent forecaster');
    expectHttpUnderChat(spans, byId, '/v1/responses');
    expectEveryLlmCallPriced(traceId, spans);

    expect(total(metrics, 'agent_communication_duration_seconds_count', { source_agent: 'triage', target_agent: 'writer', messaging_operation_type: 'send' })).toBe(1);
    for (const agent of ['triage', 'writer', 'forecaster']) {
      expect(total(metrics, 'agent_invocation_duration_seconds_count', { gen_ai_agent_name: agent }), agent).toBe(1);
    }
    expect(total(metrics, 'agent_tool_execution_duration_seconds_count', { gen_ai_tool_name: 'get_weather', gen_ai_agent_name: 'forecaster' })).toBe(1);
    expect(total(metrics, 'gen_ai_client_operation_duration_seconds_count', { gen_ai_operation_name: 'chat', gen_ai_provider_name: 'openai' })).toBe(chats.length);
    expect(total(metrics, 'gen_ai_client_token_usage_sum', { gen_ai_token_type: 'input' })).toBe(chats.reduce((sum, c) => sum + Number(c.attributes['gen_ai.usage.input_tokens']), 0));
  });

  it('OpenAI Agents SDK without model data in its spans (a run that traces no data; a failed call): every chat span names the requested model, its HTTP span under it; no LLM call without a model on the ingest', async () => {
    const { result } = await runApp('openai-agents-no-data.mjs', 'agents-no-data-app');
    expect(result.failure).toBe(429);
    const traceId = result.traceId as string;
    const spans = await traceSpans(traceId, (s) => s.filter((x) => x.attributes['sentry.op'] === 'gen_ai.chat').length === 3 && s.some((x) => x.name === 'handle request'));
    const byId = expectOneTree(spans, 'handle request');

    const chats = spans.filter((s) => s.attributes['sentry.op'] === 'gen_ai.chat');
    const ok = chats.filter((s) => s.status.code !== 'error');
    expect(ok).toHaveLength(2);
    for (const chat of ok) {
      expect(chat.name).toBe('chat gpt-4o-mini');
      expect(chat.attributes['gen_ai.request.model']).toBe('gpt-4o-mini');
      expect(chat.attributes['gen_ai.response.model']).toBeUndefined(); // the SDK left its response out
    }
    const failed = chats.find((s) => s.status.code === 'error')!;
    expect(failed.name).toBe('chat rate-limit');
    // the SDK's span says only "Error getting response": the status comes from the client's error
    expect(failed.attributes).toMatchObject({ 'gen_ai.request.model': 'rate-limit', 'gen_ai.agent.name': 'limited', 'error.type': '429', 'http.response.status_code': 429 });
    expectHttpUnderChat(spans, byId, '/v1/responses');
    expectEveryLlmCallPriced(traceId, spans);
  });

  it('OpenAI Agents SDK loaded with require(): the same hook through the CommonJS loader, the handoff edge counted', async () => {
    const { result, metrics } = await runApp('openai-agents-run.cjs', 'agents-cjs-app');
    expect(result.lastAgent).toBe('writer');
    expect(total(metrics, 'agent_communication_duration_seconds_count', { source_agent: 'triage', target_agent: 'writer', messaging_operation_type: 'send' })).toBe(1);
    expect(total(metrics, 'gen_ai_client_operation_duration_seconds_count', { gen_ai_operation_name: 'chat', gen_ai_agent_name: 'writer' })).toBe(1);
  });

  it('an app that uses neither SDK loads neither: the preload only registers hooks (module list)', async () => {
    // The tracker comes first, so it sees every module the preload resolves (ESM and CommonJS).
    const proc = startNode(['--import', `${ROOT}test/fixtures/module-tracker.mjs`, '--import', REGISTER, '--input-type=module', '-e', 'await fetch("http://127.0.0.1:1/").catch(() => {}); console.log("DONE");'], {
      preload: false,
      env: cleanEnv({ SENTRY_DSN: ingest.dsn }),
    });
    const [, json] = await proc.waitFor(/^MODULES (\[.*\])$/m);
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    const modules = JSON.parse(json!) as string[];
    expect(modules.some((url) => url.endsWith('/register.js'))).toBe(true); // the tracker did see the preload
    expect(modules.filter((url) => /node_modules\/(@openai\/agents|ai\/|@ai-sdk\/)/.test(url))).toEqual([]);
  });
});
