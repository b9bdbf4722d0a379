/**
 * Breadcrumbs from real spans (HTTP client, LLM, memory, tool; nothing else), in Sentry's shape, and the memory's
 * three bounds — per trace, number of traces, bytes — with the oldest forgotten first and every drop counted.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { breadcrumbFromSpan, MAX_BREADCRUMB_VALUE, type SizedBreadcrumb } from '../../../src/context/span-breadcrumb.js';
import { TraceBreadcrumbs } from '../../../src/context/trace-breadcrumbs.js';
import { TraceBreadcrumbsProcessor } from '../../../src/processors/trace-breadcrumbs.js';
import { countContextDrops, type DropCounter } from './drops.js';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
const tracer = provider.getTracer('t');

function ended(name: string, attributes: Record<string, string | number>, kind = SpanKind.INTERNAL, error = false): ReadableSpan {
  exporter.reset();
  const span = tracer.startSpan(name, { kind, attributes });
  if (error) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
  return exporter.getFinishedSpans()[0]!;
}

let drops: DropCounter;
beforeEach(() => {
  drops = countContextDrops();
});
afterEach(async () => {
  await drops.close();
});

describe('breadcrumbFromSpan', () => {
  it('an outgoing HTTP request → type http with url, method, status_code; level by status', () => {
    const crumb = breadcrumbFromSpan(ended('GET', { 'http.request.method': 'GET', 'url.full': 'http://llm.local/v1/chat', 'http.response.status_code': 503 }, SpanKind.CLIENT))!;
    expect(crumb.breadcrumb).toMatchObject({ type: 'http', category: 'http', level: 'error', data: { method: 'GET', url: 'http://llm.local/v1/chat', status_code: 503 } });
    expect(crumb.breadcrumb.timestamp).toBeGreaterThan(1.6e9); // seconds, not milliseconds
    expect(crumb.breadcrumb.timestamp).toBeLessThan(1e11);
  });

  it('LLM, memory and tool spans → type default, category sentry.op, the call facts as data; other spans → none', () => {
    const llm = breadcrumbFromSpan(
      ended('chat gpt-4o', { 'agent.span.type': 'ai.request', 'sentry.op': 'gen_ai.chat', 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 12, 'gen_ai.input.messages': 'PROMPT' }),
    )!;
    expect(llm.breadcrumb).toMatchObject({ type: 'default', category: 'gen_ai.chat', message: 'chat gpt-4o', level: 'info', data: { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 12 } });
    expect(JSON.stringify(llm.breadcrumb)).not.toContain('PROMPT'); // contents never
    const memory = breadcrumbFromSpan(ended('memory.search notes', { 'agent.span.type': 'memory.operation', 'agent.memory.operation': 'search', 'agent.memory.store': 'notes' }, SpanKind.CLIENT, true))!;
    expect(memory.breadcrumb).toMatchObject({ category: 'memory.operation', level: 'error', data: { 'agent.memory.store': 'notes' } });
    expect(breadcrumbFromSpan(ended('execute_tool search', { 'agent.span.type': 'tool.execution', 'gen_ai.tool.name': 'search' }))!.breadcrumb.data).toMatchObject({ 'gen_ai.tool.name': 'search' });
    expect(breadcrumbFromSpan(ended('invoke_agent planner', { 'agent.span.type': 'agent.invocation' }))).toBeUndefined();
    expect(breadcrumbFromSpan(ended('GET /x', { 'http.request.method': 'GET' }, SpanKind.SERVER))).toBeUndefined();
  });

  it('every value is cut, so a breadcrumb is bounded whatever the span carries', () => {
    const crumb = breadcrumbFromSpan(ended('x'.repeat(10_000), { 'agent.span.type': 'ai.request', 'gen_ai.request.model': 'm'.repeat(10_000) }))!;
    expect(crumb.breadcrumb.message!.length).toBe(MAX_BREADCRUMB_VALUE + 1);
    expect(JSON.stringify(crumb.breadcrumb).length).toBeLessThan(1000);
    expect(crumb.bytes).toBeLessThan(1000);
  });
});

const crumb = (spanId: string, bytes = 100): SizedBreadcrumb => ({ breadcrumb: { message: spanId }, spanId, bytes });

describe('TraceBreadcrumbs', () => {
  it('keeps the newest per trace, oldest first, without the failing span; counts what it let go', async () => {
    const memory = new TraceBreadcrumbs({ perTrace: 3 });
    for (const id of ['a', 'b', 'c', 'd', 'e']) memory.record('t1', crumb(id));
    expect(memory.recent('t1').map((b) => b.message)).toEqual(['c', 'd', 'e']);
    expect(memory.recent('t1', 'e').map((b) => b.message)).toEqual(['c', 'd']);
    expect(memory.recent('unknown')).toEqual([]);
    expect(await drops.count('breadcrumbs_per_trace')).toBe(2);
  });

  it('forgets the least recently active trace first when there are too many traces', async () => {
    const memory = new TraceBreadcrumbs({ maxTraces: 2 });
    memory.record('t1', crumb('a'));
    memory.record('t2', crumb('b'));
    memory.record('t1', crumb('c')); // t1 active again: t2 is now the oldest
    memory.record('t3', crumb('d'));
    expect(memory.recent('t2')).toEqual([]);
    expect(memory.recent('t1').map((b) => b.message)).toEqual(['a', 'c']);
    expect(memory.size().traces).toBe(2);
    expect(await drops.count('breadcrumbs_evicted')).toBe(1);
  });

  it('keeps the order of activity when one trace writes several times in a row', () => {
    const memory = new TraceBreadcrumbs({ maxTraces: 2 });
    memory.record('t1', crumb('a'));
    memory.record('t2', crumb('b'));
    memory.record('t2', crumb('c')); // t2 was the last written: stays last
    memory.record('t1', crumb('d')); // t1 active again: t2 is now the oldest
    memory.record('t1', crumb('e'));
    memory.record('t3', crumb('f'));
    expect(memory.recent('t2')).toEqual([]);
    expect(memory.recent('t1').map((b) => b.message)).toEqual(['a', 'd', 'e']);
    memory.forget('t3');
    memory.record('t3', crumb('g')); // forgotten while last, written again: a new trace, last
    memory.record('t4', crumb('h'));
    expect(memory.recent('t1')).toEqual([]);
    expect(memory.recent('t3').map((b) => b.message)).toEqual(['g']);
  });

  it('holds the byte bound: oldest traces go first, a single oversized trace sheds its oldest breadcrumbs', async () => {
    const memory = new TraceBreadcrumbs({ maxBytes: 1000, perTrace: 100 });
    for (let t = 0; t < 20; t++) for (let i = 0; i < 3; i++) memory.record(`t${t}`, crumb(`${t}.${i}`, 100));
    expect(memory.size().bytes).toBeLessThanOrEqual(1000);
    expect(memory.recent('t19')).toHaveLength(3);
    expect(memory.recent('t0')).toEqual([]);
    const alone = new TraceBreadcrumbs({ maxBytes: 500, perTrace: 100 });
    for (let i = 0; i < 10; i++) alone.record('big', crumb(String(i), 100));
    expect(alone.recent('big').map((b) => b.message)).toEqual(['5', '6', '7', '8', '9']);
    expect(await drops.count('breadcrumbs_evicted')).toBe(60 - memory.size().breadcrumbs + 5);
  });
});

describe('TraceBreadcrumbsProcessor', () => {
  it('lets a trace started here go once its root has ended — after the processors behind it saw the root, when the next span ends', async () => {
    const memory = new TraceBreadcrumbs();
    const seenByLater: number[] = [];
    const later = { onStart: () => {}, onEnd: (span: ReadableSpan) => seenByLater.push(memory.recent(span.spanContext().traceId).length), forceFlush: async () => {}, shutdown: async () => {} };
    const local = new TracerProvider({ spanProcessors: [new TraceBreadcrumbsProcessor(memory), later] });
    const t = local.getTracer('t');
    const root = t.startSpan('invoke_agent planner');
    const ctx = trace.setSpan(ROOT_CONTEXT, root);
    t.startSpan('chat gpt-4o', { attributes: { 'agent.span.type': 'ai.request', 'gen_ai.operation.name': 'chat' } }, ctx).end();
    expect(memory.size().traces).toBe(1);
    root.end();
    expect(seenByLater.at(-1)).toBe(1); // the root's own processors still see the chat breadcrumb
    expect(memory.size().traces).toBe(1); // until the next span ends (no microtask per root)
    t.startSpan('another request').end();
    expect(memory.size()).toEqual({ traces: 0, breadcrumbs: 0, bytes: 0 });
    await local.shutdown();
  });

  it('keeps nothing for a trace that is only its root: no breadcrumb of its own, no deferred release', async () => {
    const memory = new TraceBreadcrumbs();
    const forget = vi.spyOn(memory, 'forget');
    const local = new TracerProvider({ spanProcessors: [new TraceBreadcrumbsProcessor(memory)] });
    const t = local.getTracer('t');
    for (let i = 0; i < 10; i++) t.startSpan('search notes', { attributes: { 'agent.span.type': 'memory.operation' } }).end();
    expect(memory.size()).toEqual({ traces: 0, breadcrumbs: 0, bytes: 0 });
    await Promise.resolve();
    expect(forget).not.toHaveBeenCalled();
    await local.shutdown();
  });
});
