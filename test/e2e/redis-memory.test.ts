/**
 * Issue 23 item 6, Redis: a real app using ioredis 6 against a real redis-server, under the built preload, with no
 * telemetry code for Redis. Its commands reach the local ingest as Redis client spans (OpenTelemetry DB semconv)
 * whose statements carry no key or value; the commands it runs for an agent also feed the agent_memory_* series,
 * the others (a web app's cache read) do not; OTEL_NODE_DISABLED_INSTRUMENTATIONS=ioredis loads nothing of it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIngest, type IngestServer } from '../../src/ingest/index.js';
import type { IngestSpan } from '../../src/ingest/types.js';
import { REGISTER, ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';
import { freePort } from '../helpers/ports.js';
import { parseExposition, select, total, type Sample } from '../helpers/exposition.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { allowLoadedMachine } from '../helpers/timeouts.js';

allowLoadedMachine();

let ingest: IngestServer;
let redis: RedisServer;
let dataDir: string;

beforeAll(async () => {
  assertBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'aob-redis-e2e-'));
  ingest = await startIngest({ dataDir });
  redis = await startRedisServer();
});
afterEach(async () => {
  await stopAll();
  ingest.clear();
});
afterAll(async () => {
  await redis?.stop();
  await ingest?.close();
  if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
});

interface AppRun {
  traceId: string;
  metrics: Sample[];
  metricsText: string;
  modules: string[];
}

/** The fixture app under the preload (module tracker first); its trace id, its own /metrics and the modules it loaded. */
async function runApp(extraEnv: Record<string, string> = {}): Promise<AppRun> {
  const port = await freePort();
  const proc = startNode(['--import', `${ROOT}test/fixtures/module-tracker.mjs`, '--import', REGISTER, `${ROOT}test/fixtures/apps/redis-memory.mjs`], {
    preload: false,
    env: cleanEnv({
      SENTRY_DSN: ingest.dsn,
      OTEL_SERVICE_NAME: 'redis-app',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      REDIS_PORT: String(redis.port),
      ...extraEnv,
    }),
  });
  const [, json] = await proc.waitFor(/^RESULT (.*)$/m);
  const [, metrics] = await proc.waitFor(/^METRICS (\S+) END$/m);
  const [, modules] = await proc.waitFor(/^MODULES (\[.*\])$/m);
  expect(await proc.exited, proc.stderr()).toEqual({ code: 0, signal: null });
  const metricsText = Buffer.from(metrics!, 'base64').toString('utf8');
  return {
    traceId: (JSON.parse(json!) as { traceId: string }).traceId,
    metrics: parseExposition(metricsText),
    metricsText,
    modules: JSON.parse(modules!) as string[],
  };
}

/** The trace once `complete` holds (the app has exited; its exit flush waited for the ingest). */
function traceSpans(traceId: string, complete: (spans: IngestSpan[]) => boolean): Promise<IngestSpan[]> {
  return ingest.waitFor(
    () => {
      const spans = ingest.trace(traceId)?.spans;
      return spans !== undefined && complete(spans) ? spans : undefined;
    },
    { timeoutMs: 30_000 },
  );
}

const isRedis = (s: IngestSpan) => s.attributes['db.system.name'] === 'redis';
const byStart = (a: IngestSpan, b: IngestSpan) => Number(BigInt(a.startTimeUnixNano) - BigInt(b.startTimeUnixNano));
const isOurInstrumentation = (url: string) => url.includes('/instrumentation/ioredis/') || url.includes('/node_modules/@opentelemetry/instrumentation-ioredis/');
/**
 * `sorted` (by start time) with the spans that started in the same millisecond put in `names` order. The Redis
 * instrumentation's start times have millisecond resolution (an end time is start + a precise duration), so commands
 * sent one after another within a millisecond tie, and the ingest's order among them is the order they arrived in,
 * which need not be the order they were sent. Each tie group keeps its own spans: a command traced twice, missing,
 * or out of order across milliseconds still fails the comparison with `names` that follows.
 */
function inCommandOrder(sorted: IngestSpan[], names: string[]): IngestSpan[] {
  const out: IngestSpan[] = [];
  for (let start = 0; start < sorted.length; ) {
    let end = start + 1;
    while (end < sorted.length && sorted[end]!.startTimeUnixNano === sorted[start]!.startTimeUnixNano) end++;
    const group = sorted.slice(start, end);
    for (const name of names.slice(start, end)) {
      const at = group.findIndex((span) => span.name === name);
      if (at >= 0) out.push(...group.splice(at, 1));
    }
    out.push(...group); // names this group did not expect: left for the comparison to report
    start = end;
  }
  return out;
}

/** The commands the app sends on its main client: 9 inside the agent, 1 outside. */
const COMMANDS = ['set', 'get', 'get', 'hset', 'hgetall', 'lpush', 'JSON.SET', 'get', 'del', 'get'];

describe('ioredis under the preload: Redis spans, agent memory metrics', () => {
  it('each command is one Redis client span with DB semconv attributes and no key or value; inside the agent a memory operation with result counts', async () => {
    const run = await runApp();
    const spans = await traceSpans(run.traceId, (s) => s.filter(isRedis).length >= COMMANDS.length + 2 && s.some((x) => x.name === 'handle request'));
    // the archivist's own client: its handshake and QUIT are plain Redis spans under the agent, EXISTS one memory read
    const archivist = spans.find((s) => s.name === 'invoke_agent archivist')!;
    const ownClient = spans.filter((s) => isRedis(s) && s.parentSpanId === archivist.spanId).sort(byStart);
    const ownMemory = ownClient.filter((s) => s.attributes['agent.span.type'] !== undefined);
    // EXISTS once (sent before ready, resent by the offline queue); the GET queued in MULTI without a result count
    expect(ownMemory.map((s) => [s.name, s.attributes['db.operation.name'], s.attributes['agent.memory.operation'], s.attributes['agent.memory.result_count']])).toEqual([
      ['exists', 'exists', 'get', 0],
      ['get', 'MULTI get', 'get', undefined],
    ]);
    expect(ownClient.filter((s) => s.name === 'quit')).toHaveLength(1);
    const redisSpans = inCommandOrder(spans.filter((s) => isRedis(s) && s.parentSpanId !== archivist.spanId).sort(byStart), COMMANDS);
    // one span per command: the SET sent before the connection was ready (offline queue) is not traced twice
    expect(redisSpans.map((s) => s.name)).toEqual(COMMANDS);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    for (const span of redisSpans) {
      expect(span.kind).toBe('client');
      expect(span.attributes).toMatchObject({ 'db.operation.name': span.name, 'server.address': '127.0.0.1', 'server.port': redis.port });
      expect(span.attributes['db.query.text']).toMatch(/^[a-zA-Z.]+( \?)*$/);
      expect(byId.has(span.parentSpanId ?? '')).toBe(true);
    }
    expect(redisSpans.map((s) => s.attributes['db.query.text'])).toEqual(['set ? ? ? ?', 'get ?', 'get ?', 'hset ? ? ? ? ?', 'hgetall ?', 'lpush ? ?', 'JSON.SET ? ? ?', 'get ?', 'del ? ?', 'get ?']);

    const [set, hit, miss, hset, hgetall, lpush, jsonSet, inHelper, del, outside] = redisSpans as [IngestSpan, ...IngestSpan[]];
    const agent = { 'agent.span.type': 'memory.operation', 'agent.memory.store': 'redis', 'gen_ai.agent.name': 'researcher', 'gen_ai.conversation.id': 'conv-7' };
    expect(set!.attributes).toMatchObject({ ...agent, 'agent.memory.operation': 'put' });
    expect(hit!.attributes).toMatchObject({ ...agent, 'agent.memory.operation': 'get', 'agent.memory.result_count': 1 });
    expect(miss!.attributes).toMatchObject({ ...agent, 'agent.memory.operation': 'get', 'agent.memory.result_count': 0 });
    expect(hset!.attributes).toMatchObject({ ...agent, 'agent.memory.operation': 'put' });
    expect(hgetall!.attributes).toMatchObject({ ...agent, 'agent.memory.operation': 'get', 'agent.memory.result_count': 2 });
    expect(lpush!.attributes).toMatchObject({ ...agent, 'agent.memory.operation': 'put' });
    expect(lpush!.status).toMatchObject({ code: 'error' });
    // Redis echoes an unknown command's first arguments in its error: only the error code is kept
    expect(jsonSet!.attributes).toMatchObject({ ...agent, 'agent.memory.operation': 'put' });
    expect(jsonSet!.status).toEqual({ code: 'error', message: 'ERR' });
    expect(del!.attributes).toMatchObject({ ...agent, 'agent.memory.operation': 'delete' });
    // inside the app's own memoryOperation: that span is the memory operation, the command only a DB span under it
    expect(inHelper!.attributes['agent.span.type']).toBeUndefined();
    expect(byId.get(inHelper!.parentSpanId!)!.name).toBe('memory.search notes');
    // outside any agent: a plain Redis span
    expect(outside!.attributes['agent.span.type']).toBeUndefined();
    expect(outside!.attributes['gen_ai.agent.name']).toBeUndefined();
    expect(byId.get(outside!.parentSpanId!)!.name).toBe('handle request');

    // nothing exported — spans, the WRONGTYPE error event, metrics — carries a key or a value
    await ingest.waitFor(() => ingest.events().some((e) => JSON.stringify(e).includes('WRONGTYPE')), { timeoutMs: 30_000 });
    for (const raw of ingest.raw()) expect(raw.body.toString('latin1')).not.toContain('MARKER');
    expect(run.metricsText).not.toContain('MARKER');

    const redisOp = (operation: string) => ({ agent_memory_operation: operation, agent_memory_store: 'redis', gen_ai_agent_name: 'researcher' });
    expect(total(run.metrics, 'agent_memory_operation_duration_seconds_count', redisOp('put'))).toBe(4);
    expect(total(run.metrics, 'agent_memory_operation_duration_seconds_count', { ...redisOp('put'), error_type: 'ReplyError' })).toBe(2);
    expect(total(run.metrics, 'agent_memory_operation_duration_seconds_count', redisOp('get'))).toBe(3);
    expect(total(run.metrics, 'agent_memory_operation_duration_seconds_count', redisOp('delete'))).toBe(1);
    expect(total(run.metrics, 'agent_memory_operation_duration_seconds_count', { agent_memory_operation: 'search', agent_memory_store: 'notes' })).toBe(1);
    expect(total(run.metrics, 'agent_memory_operation_duration_seconds_count', { agent_memory_operation: 'get', gen_ai_agent_name: 'archivist' })).toBe(2);
    // in all: the researcher's 8, the archivist's 2, the search on notes; no cache read outside the agents
    expect(total(run.metrics, 'agent_memory_operation_duration_seconds_count')).toBe(11);
    expect(total(run.metrics, 'agent_memory_results_count', { agent_memory_operation: 'get', agent_memory_store: 'redis' })).toBe(4);
    expect(total(run.metrics, 'agent_memory_results_sum', { agent_memory_operation: 'get', agent_memory_store: 'redis' })).toBe(3); // 1 + 0 + 2 + 0
    expect(total(run.metrics, 'agent_memory_results_bucket', { agent_memory_operation: 'get', agent_memory_store: 'redis', le: '0' })).toBe(2); // the misses
    expect(select(run.metrics, 'agent_errors_total', { agent_span_type: 'memory.operation', error_type: 'ReplyError' }).map((s) => s.value)).toEqual([2]);

    // the instrumentation was loaded (the module list below is meaningful)
    expect(run.modules.filter(isOurInstrumentation).length).toBeGreaterThan(0);
  });

  it('OTEL_NODE_DISABLED_INSTRUMENTATIONS=ioredis: the app works, no Redis span, no memory series, nothing of the instrumentation loaded', async () => {
    const run = await runApp({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'ioredis' });
    const spans = await traceSpans(run.traceId, (s) => s.some((x) => x.name === 'handle request') && s.some((x) => x.name === 'memory.search notes'));
    expect(spans.filter(isRedis)).toEqual([]);
    expect(run.modules.some((url) => url.includes('/node_modules/ioredis/'))).toBe(true); // the app did load ioredis
    expect(run.modules.filter(isOurInstrumentation)).toEqual([]);
    expect(total(run.metrics, 'agent_memory_operation_duration_seconds_count', { agent_memory_store: 'redis' })).toBe(0);
    expect(total(run.metrics, 'agent_memory_operation_duration_seconds_count', { agent_memory_store: 'notes' })).toBe(1);
  });
});
