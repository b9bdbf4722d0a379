/**
 * Issue 19 (openai) acceptance: a real app under the preload calls the real `openai` 7.x client — CommonJS
 * `require('openai')` and ESM `import` — against the local OpenAI-compatible server, with no tracing code of its own.
 * Its spans (at the local ingest) and its Prometheus series (scraped from its endpoint) must be what the same calls
 * wrapped in `aiRequest` produce. Also: the switch (OTEL_NODE_DISABLED_INSTRUMENTATIONS) and what the preload
 * loads when the app does not use openai.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIngest, type IngestServer } from '../../src/ingest/index.js';
import type { IngestSpan } from '../../src/ingest/types.js';
import { ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';
import { ingestSettled } from '../helpers/ingest-settled.js';
import { allowLoadedMachine } from '../helpers/timeouts.js';
import { loadedModules } from '../helpers/loaded-modules.js';
import { freePort } from '../helpers/ports.js';
import { parseExposition, type Sample } from '../helpers/exposition.js';
// @ts-expect-error plain JS demo module
import { startOpenAiServer } from '../../demo/lib/openai-server.js';

allowLoadedMachine();

type OpenAiServer = { url: string; close: () => Promise<void> };
interface ScenarioResult {
  mode: string;
  traceId: string;
  agentSpanId: string;
  statuses: { fail500: number; rateLimit: number; midStream: number };
  earlyStop: number;
  chatText: string;
  chatChunks: number;
  responseText: string;
  responseChunks: number;
  embeddingLength: number;
  rawBody?: string;
  withResponse?: [string, number];
  helperText?: string;
}

let ingest: IngestServer;
let llm: OpenAiServer;

beforeAll(async () => {
  assertBuilt();
  ingest = await startIngest({ waterfall: false });
  llm = await startOpenAiServer({ seed: 19 });
});
afterEach(async () => {
  await stopAll();
  ingest.clear();
});
afterAll(async () => {
  await ingest?.close();
  await llm?.close();
});

/** Runs a scenario app, scrapes its /metrics, stops it (the preload flushes on SIGTERM). */
async function runScenario(app: string, service: string, extra: Record<string, string> = {}) {
  const metricsPort = await freePort();
  const proc = startNode([`${ROOT}test/fixtures/apps/${app}`], {
    env: cleanEnv({
      SENTRY_DSN: ingest.dsn,
      OTEL_SERVICE_NAME: service,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
      OPENAI_BASE_URL: llm.url,
      SCENARIO_MODE: 'auto',
      ...extra,
    }),
  });
  const [, json] = await proc.waitFor(/^RESULT (.*)$/m);
  const result = JSON.parse(json!) as ScenarioResult;
  const exposition = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  await proc.stop();
  await ingestSettled(ingest);
  const spans = ingest.trace(result.traceId)?.spans ?? [];
  return { result, samples: parseExposition(exposition), spans, stderr: proc.stderr() };
}

const GENAI_METRICS = ['gen_ai_client_operation_duration_seconds', 'gen_ai_client_operation_time_to_first_chunk_seconds', 'gen_ai_client_token_usage'];

/**
 * The GenAI series of a scrape, comparable across processes: label set → sample count (and, for token usage, the
 * summed tokens: the server is deterministic). Durations differ run to run; counts and labels must not.
 */
function genAiSeries(samples: Sample[], skipModels: string[] = []): Record<string, number> {
  const series: Record<string, number> = {};
  for (const sample of samples) {
    const family = GENAI_METRICS.find((name) => sample.name === `${name}_count` || (name === 'gen_ai_client_token_usage' && sample.name === `${name}_sum`));
    if (family === undefined || skipModels.includes(sample.labels.gen_ai_request_model ?? '')) continue;
    const labels = Object.entries(sample.labels).filter(([key]) => !['service_name', 'service_instance_id', 'job', 'instance'].includes(key));
    series[`${sample.name}{${labels.sort().map(([k, v]) => `${k}="${v}"`).join(',')}}`] = sample.value;
  }
  return series;
}

function errorSeries(samples: Sample[]): Record<string, number> {
  const series: Record<string, number> = {};
  for (const sample of samples.filter((s) => s.name === 'agent_errors_total')) {
    series[`${sample.labels.agent_span_type}|${sample.labels.error_type}|${sample.labels.classification}`] = sample.value;
  }
  return series;
}

function genAiSpans(spans: IngestSpan[]): IngestSpan[] {
  return spans.filter((s) => typeof s.attributes['gen_ai.operation.name'] === 'string' && s.attributes['gen_ai.operation.name'] !== 'invoke_agent');
}

/** What a span says, without what differs run to run (ids, times, durations; the server numbers its responses). */
function shape(span: IngestSpan) {
  const { 'gen_ai.response.time_to_first_chunk': ttfc, 'gen_ai.response.id': id, ...attributes } = span.attributes;
  return {
    name: span.name,
    kind: span.kind,
    status: span.status.code,
    attributes,
    hasResponseId: typeof id === 'string',
    firstChunk: typeof ttfc === 'number' && ttfc > 0,
    exception: span.events.some((e) => e.name === 'exception'),
  };
}

describe('openai 7.x under the preload, no tracing code in the app', () => {
  // The reference run wraps every call in aiRequest: once with the openai instrumentation off, once with it on —
  // then the caller's aiRequest span is the only span of the call (no second span, nothing counted twice).
  it.each([
    ['ESM import', 'openai-app.mjs', 'openai'],
    ['CommonJS require', 'openai-app.cjs', ''],
  ])('%s (%s): spans and Prometheus series equal those of the same calls wrapped in aiRequest, OTEL_NODE_DISABLED_INSTRUMENTATIONS="%s"', async (_kind, app, disabled) => {
    // Content capture on for both: the captured (and scrubbed) messages must be the same too.
    const capture = { OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true' };
    const auto = await runScenario(app, 'openai-auto', capture);
    const helpers = await runScenario(app, 'openai-helpers', { ...capture, SCENARIO_MODE: 'helpers', OTEL_NODE_DISABLED_INSTRUMENTATIONS: disabled });

    // The app saw what it would see without the bridge.
    expect(auto.result.statuses).toEqual({ fail500: 500, rateLimit: 429, midStream: 0 });
    expect(auto.result.earlyStop).toBe(2);
    expect(auto.result.chatText).toBe(helpers.result.chatText);
    expect(auto.result.responseText).toBe(helpers.result.responseText);
    expect(auto.result.chatChunks).toBe(helpers.result.chatChunks);
    expect(auto.result.responseChunks).toBe(helpers.result.responseChunks);
    expect(auto.result.embeddingLength).toBe(16);
    expect(auto.result.rawBody).toBe('chat.completion');
    expect(auto.result.withResponse).toEqual(['chat.completion', 200]);
    expect(auto.result.helperText!.length).toBeGreaterThan(0);
    expect(auto.stderr).not.toMatch(/error|failed/i);

    // Spans: one per call, children of the caller's span, shaped exactly like aiRequest's.
    const autoSpans = genAiSpans(auto.spans);
    const helperSpans = genAiSpans(helpers.spans);
    const comparable = autoSpans.filter((s) => s.attributes['gen_ai.request.model'] !== 'raw-access');
    expect(comparable).toHaveLength(9);
    expect(autoSpans).toHaveLength(12); // + asResponse, withResponse, the stream helper
    for (const span of autoSpans) {
      expect(span.parentSpanId).toBe(auto.result.agentSpanId);
      expect(span.scope?.name).toBe('agent-otel-bridge/instrumentation-openai'); // the instrumentation's own tracer
    }
    const byName = (list: IngestSpan[]) => [...list].sort((a, b) => a.startMs - b.startMs).map(shape);
    expect(byName(comparable)).toEqual(byName(helperSpans));

    const find = (model: string) => comparable.find((s) => s.attributes['gen_ai.request.model'] === model)!;
    expect(find('gpt-4o').attributes['gen_ai.response.id']).toMatch(/^chatcmpl-/);
    expect(shape(find('gpt-4o'))).toMatchObject({
      name: 'chat gpt-4o',
      hasResponseId: true,
      kind: 'client',
      status: 'unset',
      attributes: {
        'sentry.op': 'gen_ai.chat',
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.agent.name': 'researcher',
        'gen_ai.request.temperature': 0.2,
        'gen_ai.request.max_tokens': 64,
        'gen_ai.response.model': 'gpt-4o',
        'gen_ai.response.finish_reasons': '["stop"]',
        'gen_ai.usage.input_tokens': expect.any(Number),
        'gen_ai.usage.output_tokens': expect.any(Number),
      },
    });
    // Streaming: time to first chunk, usage from the final chunk, the span open until the stream ended.
    for (const model of ['gpt-4o-mini', 'gpt-4.1-mini']) {
      const streamed = find(model);
      expect(shape(streamed)).toMatchObject({ firstChunk: true, attributes: { 'gen_ai.request.stream': true, 'gen_ai.usage.output_tokens': expect.any(Number) } });
      expect(streamed.attributes['gen_ai.response.time_to_first_chunk'] as number).toBeLessThan(streamed.durationMs / 1000);
    }
    // Content: the prompt and the completion are captured, the planted key is not.
    const captured = String(find('gpt-4o').attributes['gen_ai.input.messages']);
    expect(captured).toContain('plan the research on vector memory');
    expect(captured).not.toContain('SECRETKEY');
    expect(String(find('gpt-4o').attributes['gen_ai.output.messages'])).toContain(auto.result.chatText);
    expect(JSON.stringify(auto.spans)).not.toContain('SECRETKEY');
    expect(shape(find('text-embedding-3-small'))).toMatchObject({ name: 'embeddings text-embedding-3-small', attributes: { 'sentry.op': 'gen_ai.embeddings', 'gen_ai.usage.input_tokens': expect.any(Number) } });
    // Errors: a 500 is a bug (ERROR + exception, a Sentry event), a 429 operational (ERROR, counted, no event).
    expect(shape(find('fail-500'))).toMatchObject({ status: 'error', exception: true, attributes: { 'error.type': '500', 'http.response.status_code': 500 } });
    expect(shape(find('rate-limit'))).toMatchObject({ status: 'error', exception: true, attributes: { 'error.type': '429', 'http.response.status_code': 429 } });
    // A stream the consumer left early ends its span then, unfailed; an error inside a stream fails it.
    expect(shape(find('early-stop'))).toMatchObject({ status: 'unset', firstChunk: true });
    expect(shape(find('fail-stream'))).toMatchObject({ status: 'error', exception: true, firstChunk: true });
    const events = ingest.events().filter((e) => e.trace_id === auto.result.traceId);
    // one Sentry event per bug (the 500, the error inside the stream), none for the 429
    expect(events.map((e) => e.span_id).sort()).toEqual([find('fail-500').spanId, find('fail-stream').spanId].sort());

    // Prometheus: the same series with the same labels and counts (token sums too: the server is deterministic).
    const autoSeries = genAiSeries(auto.samples, ['raw-access']);
    expect(Object.keys(autoSeries).length).toBeGreaterThan(10);
    expect(autoSeries).toEqual(genAiSeries(helpers.samples));
    expect(Object.keys(autoSeries).some((key) => key.startsWith('gen_ai_client_operation_time_to_first_chunk_seconds_count'))).toBe(true);
    expect(errorSeries(auto.samples)).toEqual(errorSeries(helpers.samples));
    expect(errorSeries(auto.samples)).toMatchObject({ 'ai.request|500|bug': 1, 'ai.request|429|operational': 1 });
  });

  it('OTEL_NODE_DISABLED_INSTRUMENTATIONS=openai: the app works, no GenAI span is made', async () => {
    const run = await runScenario('openai-app.mjs', 'openai-off', { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'openai' });
    expect(run.result.statuses).toEqual({ fail500: 500, rateLimit: 429, midStream: 0 });
    expect(genAiSpans(run.spans)).toEqual([]);
    // the HTTP calls themselves are still traced (undici), under the caller's span
    expect(run.spans.some((s) => s.kind === 'client' && s.parentSpanId === run.result.agentSpanId && s.name.startsWith('POST'))).toBe(true);
  });

  it('an unknown name in OTEL_NODE_ENABLED_INSTRUMENTATIONS is one warning; the known names still apply', async () => {
    const run = await runScenario('openai-app.mjs', 'openai-only', { OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'openai, carrier-pigeon' });
    const warnings = run.stderr.split('\n').filter((line) => line.includes('is invalid'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/OTEL_NODE_ENABLED_INSTRUMENTATIONS=.* expected a comma-separated list of http, undici, express, fastify, koa, openai, openai-agents, ioredis; ignoring "carrier-pigeon"/);
    expect(genAiSpans(run.spans).length).toBeGreaterThan(0);
    // content capture is off by default, for the instrumentation as for aiRequest
    expect(genAiSpans(run.spans).filter((s) => 'gen_ai.input.messages' in s.attributes || 'gen_ai.output.messages' in s.attributes)).toEqual([]);
    // only openai enabled: no undici/http client spans
    expect(run.spans.some((s) => s.name.startsWith('POST'))).toBe(false);
  });
});

describe('what the preload loads for an app that does not use openai', () => {
  const isOpenAiPackage = (url: string) => url.includes('/node_modules/openai/');
  const isOurInstrumentation = (url: string) => url.includes('/instrumentation/openai/');

  it('openai installed but unused: the package is not loaded (only the small patching module waits for it)', async () => {
    const modules = await loadedModules(ROOT, `${ROOT}test/fixtures/apps/no-openai.mjs`);
    expect(modules.some((url) => url.endsWith('/dist/instrumentation/bridge.js'))).toBe(true); // the probe sees the preload
    expect(modules.filter(isOpenAiPackage)).toEqual([]);
    expect(modules.some(isOurInstrumentation)).toBe(true);
  });

  it('openai switched off, or not installed: nothing of the integration is loaded', async () => {
    const off = await loadedModules(ROOT, `${ROOT}test/fixtures/apps/no-openai.mjs`, { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'openai' });
    expect(off.filter((url) => isOpenAiPackage(url) || isOurInstrumentation(url))).toEqual([]);

    const dir = mkdtempSync(join(tmpdir(), 'aob-no-openai-'));
    try {
      copyFileSync(`${ROOT}test/fixtures/apps/no-openai.mjs`, join(dir, 'app.mjs'));
      const elsewhere = await loadedModules(dir, join(dir, 'app.mjs'));
      expect(elsewhere.some((url) => url.endsWith('/dist/instrumentation/bridge.js'))).toBe(true);
      expect(elsewhere.filter((url) => isOpenAiPackage(url) || isOurInstrumentation(url))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
