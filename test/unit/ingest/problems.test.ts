/**
 * Segments as Relay derives them, and per-trace problems (Sentry-visible mismatches): none for good input, each one
 * detected for crafted bad input, in the handle, the API and the waterfall.
 */
import { describe, expect, it } from 'vitest';
import type { IngestServer } from '../../../src/ingest/index.js';
import { useIngest } from './harness.js';
import { defaultStackParser } from '@sentry/node';
import { buildTraceDetail, renderWaterfall } from '../../../src/ingest/index.js';
import { nodeFrameText } from '../../../src/ingest/stack-frame.js';
import { REMOTE_PARENT_SPAN_ID, TRACE_ID, envelope, errorEvent, otlpProto, sampleSpans, transaction } from './payloads.js';

const KEY = 'problemkey0123456789abcdef012345';
const start = useIngest(KEY);

const str = (value: string) => ({ stringValue: value });
const dbl = (value: number) => ({ doubleValue: value });

/** An OTLP/JSON span: `flags` as the 0.301 exporter writes them (0x100 known, 0x200 remote). */
function otlpSpan(spanId: string, parentSpanId: string | undefined, name: string, attributes: Record<string, unknown>, remote = false): Record<string, unknown> {
  return {
    traceId: TRACE_ID,
    spanId,
    ...(parentSpanId ? { parentSpanId } : {}),
    flags: 0x101 | (remote ? 0x200 : 0),
    name,
    kind: 1,
    startTimeUnixNano: '1767225600000000000',
    endTimeUnixNano: '1767225600100000000',
    attributes: Object.entries(attributes).map(([key, value]) => ({ key, value })),
  };
}

async function postOtlp(i: IngestServer, spans: Array<Record<string, unknown>>, service = 'svc'): Promise<void> {
  const body = JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: str(service) }] }, scopeSpans: [{ spans }] }] });
  const res = await fetch(`${i.url}/api/1/integration/otlp/v1/traces/`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-sentry-auth': `Sentry sentry_key=${KEY}` } });
  expect(res.status).toBe(202);
}

async function postEnvelope(i: IngestServer, body: Buffer): Promise<void> {
  expect((await fetch(`${i.url}/api/1/envelope/?sentry_key=${KEY}`, { method: 'POST', body })).status).toBe(200);
}

const RATE = { 'sentry.client_sample_rate': dbl(0.1) };

describe('segments (relay-spans otel_to_sentry_v2.rs is_remote, segment.rs)', () => {
  it('a span with a remote parent heads a segment even when that parent arrived; its children belong to it', async () => {
    const i = await start();
    await postOtlp(i, [
      otlpSpan('00000000000000a1', undefined, 'POST /chat', RATE),
      otlpSpan('00000000000000a2', '00000000000000a1', 'POST planner', RATE),
    ], 'gateway');
    await postOtlp(i, [
      otlpSpan('00000000000000b1', '00000000000000a2', 'POST /plan', RATE, true),
      otlpSpan('00000000000000b2', '00000000000000b1', 'plan step', RATE),
    ], 'planner');
    const detail = i.trace(TRACE_ID)!;
    expect(detail.spans.map((s) => [s.name, s.depth, s.isSegment, s.segmentName])).toEqual([
      ['POST /chat', 0, true, 'POST /chat'],
      ['POST planner', 1, false, 'POST /chat'],
      ['POST /plan', 2, true, 'POST /plan'],
      ['plan step', 3, false, 'POST /plan'],
    ]);
    expect(detail.segments).toEqual(['POST /chat', 'POST /plan']);
  });

  it('reads the remote flag from real OTLP protobuf (the flags Span field the old schema dropped)', async () => {
    const i = await start();
    const spans = await sampleSpans({ remoteParent: true });
    const res = await fetch(`${i.url}/api/1/integration/otlp/v1/traces/`, { method: 'POST', body: otlpProto(spans), headers: { 'content-type': 'application/x-protobuf', 'x-sentry-auth': `Sentry sentry_key=${KEY}` } });
    expect(res.status).toBe(202);
    const detail = i.trace(spans[0]!.spanContext().traceId)!;
    expect(detail.spans.find((s) => s.name === 'GET /checkout')).toMatchObject({ parentSpanId: REMOTE_PARENT_SPAN_ID, parentIsRemote: true, isSegment: true });
    expect(detail.spans.find((s) => s.name === 'charge')).toMatchObject({ parentIsRemote: false, isSegment: false, segmentName: 'GET /checkout' });
  });
});

describe('problems', () => {
  it('finds none for good input: rated OTLP spans, a typed AI call with a model, JSON messages, an error with a matching DSC', async () => {
    const i = await start();
    await postOtlp(i, [
      otlpSpan('00000000000000a1', undefined, 'invoke_agent planner', { ...RATE, 'gen_ai.operation.name': str('invoke_agent') }),
      otlpSpan('00000000000000a2', '00000000000000a1', 'chat gpt-4o', {
        ...RATE,
        'gen_ai.operation.name': str('chat'),
        'gen_ai.request.model': str('gpt-4o'),
        'gen_ai.input.messages': str('[{"role":"user","parts":[{"type":"text","content":"hi"}]}]'),
      }),
      otlpSpan('00000000000000a3', '00000000000000a1', 'execute_tool search', { ...RATE, 'gen_ai.operation.name': str('execute_tool') }),
    ]);
    await postEnvelope(i, envelope({ trace: { trace_id: TRACE_ID, public_key: KEY, sample_rate: '0.1' } }, [[{ type: 'event' }, errorEvent()]]));
    await postEnvelope(i, envelope({ trace: { trace_id: TRACE_ID, public_key: KEY } }, [[{ type: 'transaction' }, transaction()]]));
    expect(i.problems(TRACE_ID)).toEqual([]);
    expect(i.trace(TRACE_ID)!.problems).toEqual([]);
    const res = await fetch(`${i.url}/api/problems?trace_id=${TRACE_ID}`, { headers: i.apiHeaders });
    expect(await res.json()).toEqual([]);
    expect(await (await fetch(`${i.url}/api/problems`, { headers: i.apiHeaders })).json()).toEqual({});
  });

  it('detects each crafted mismatch', async () => {
    const i = await start();
    await postOtlp(i, [
      otlpSpan('00000000000000a1', undefined, 'root', {}),
      // memory search typed by its operation name: Relay makes it an ai_client call without a model
      otlpSpan('00000000000000a2', '00000000000000a1', 'memory.search notes', { ...RATE, 'gen_ai.operation.name': str('retrieval') }),
      otlpSpan('00000000000000a3', '00000000000000a1', 'chat gpt-4o', { ...RATE, 'gen_ai.request.model': str('gpt-4o'), 'gen_ai.operation.name': str('chat'), 'gen_ai.output.messages': str('[{"role":"assistant"…[truncated]') }),
      // a type sent along does not help: Relay infers it from the operation name and overwrites it
      otlpSpan('00000000000000a4', '00000000000000a1', 'step 1', { ...RATE, 'gen_ai.operation.name': str('agent_step'), 'gen_ai.operation.type': str('agent') }),
    ]);
    await postEnvelope(i, envelope({}, [[{ type: 'event' }, errorEvent({ event_id: 'e0000000000000000000000000000001' })]]));
    await postEnvelope(i, envelope({ trace: { trace_id: 'f'.repeat(32), public_key: KEY } }, [[{ type: 'event' }, errorEvent({ event_id: 'e0000000000000000000000000000002' })]]));
    await postEnvelope(i, envelope({ trace: { trace_id: 'e'.repeat(32), public_key: KEY } }, [[{ type: 'transaction' }, transaction()]]));
    const problems = i.problems(TRACE_ID);
    expect(problems.map((p) => p.code).sort()).toEqual(['ai_client_without_model', 'ai_client_without_model', 'dsc_trace_id_mismatch', 'dsc_trace_id_mismatch', 'error_without_dsc', 'gen_ai_message_not_json', 'span_without_client_sample_rate']);
    expect(problems.filter((p) => p.code === 'dsc_trace_id_mismatch').map((p) => p.spanId ?? p.eventId)).toEqual(['2222222222222222', 'e0000000000000000000000000000002']);
    expect(problems.filter((p) => p.code === 'ai_client_without_model').map((p) => p.spanId)).toEqual(['00000000000000a2', '00000000000000a4']);
    expect(problems.find((p) => p.code === 'span_without_client_sample_rate')!.message).toMatch(/^1 of 4/);
    const all = (await (await fetch(`${i.url}/api/problems`, { headers: i.apiHeaders })).json()) as Record<string, unknown[]>;
    expect(all[TRACE_ID]).toHaveLength(7);
    const text = renderWaterfall(i.trace(TRACE_ID)!, undefined, { width: 160 });
    expect(text).toContain('⚠ ai_client_without_model');
    expect(text).toContain('⚠ dsc_trace_id_mismatch');
  });
});

describe('terminal waterfall (issue 20)', () => {
  it('prints an error trace once, with its spans, when the error event arrived first', async () => {
    const printed: string[] = [];
    const i = await start({ waterfall: true, quietMs: 30, spanWaitMs: 60_000, print: (line) => printed.push(line) });
    await postEnvelope(i, envelope({}, [[{ type: 'event' }, errorEvent()]]));
    // ten quiet periods pass (time passing is the point here, not a wait for something): without the span wait the
    // empty trace would have printed by now
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(printed.filter((line) => line.includes(`trace ${TRACE_ID}`))).toEqual([]);
    await postEnvelope(i, envelope({}, [[{ type: 'transaction' }, transaction()]]));
    await i.waitFor(() => printed.some((line) => line.includes(`trace ${TRACE_ID}`)));
    // closing prints whatever is still pending: a second print cannot come after this
    await i.close();
    const headers = printed.filter((line) => line.includes(`trace ${TRACE_ID}`));
    expect(headers).toHaveLength(1);
    expect(headers[0]).toContain('2 spans');
    expect(printed.join('\n')).toContain('✖ TypeError: boom');
  });

  it('prints an error trace whose spans never come once the span wait is over', async () => {
    const printed: string[] = [];
    const i = await start({ waterfall: true, quietMs: 30, spanWaitMs: 200, print: (line) => printed.push(line) });
    await postEnvelope(i, envelope({}, [[{ type: 'event' }, errorEvent()]]));
    await i.waitFor(() => printed.some((line) => line.includes(`trace ${TRACE_ID}`)));
    expect(printed.filter((line) => line.includes(`trace ${TRACE_ID}`))).toHaveLength(1);
  });

  const base = { traceId: TRACE_ID, kind: 'internal' as const, service: 's', startTimeUnixNano: '1767225600000000000', endTimeUnixNano: '1767225600001000000', startMs: 1_767_225_600_000, durationMs: 1, attributes: {}, resource: {}, events: [], links: [], status: { code: 'unset' as const }, source: 'sentry' as const, receivedAt: 0 };

  it('keeps arrival order for equal start times, and orders starts within one millisecond by their nanoseconds', () => {
    const spans = [
      { ...base, spanId: '00000000000000a1', name: 'root' },
      { ...base, spanId: '00000000000000a3', parentSpanId: '00000000000000a1', name: 'zeta first' },
      { ...base, spanId: '00000000000000a2', parentSpanId: '00000000000000a1', name: 'alpha second' },
      // same startMs, later nanoseconds, arrived before the one that started earlier
      { ...base, spanId: '00000000000000b2', parentSpanId: '00000000000000a1', name: 'late in the ms', startTimeUnixNano: '1767225600000900000' },
      { ...base, spanId: '00000000000000b1', parentSpanId: '00000000000000a1', name: 'early in the ms', startTimeUnixNano: '1767225600000100000' },
    ];
    expect(buildTraceDetail(TRACE_ID, spans, []).spans.map((s) => s.name)).toEqual(['root', 'zeta first', 'alpha second', 'early in the ms', 'late in the ms']);
  });

  it('prints the frames the Sentry SDK records as Node prints them (no "at ? (…)")', () => {
    // a real stack, parsed by the SDK's own parser: the arrow function's frame comes back as function "?"
    const named = (): Error => [0].map(() => new Error('x'))[0]!;
    const error = named();
    const frames = defaultStackParser(error.stack!);
    expect(frames.some((f) => f.function === '?')).toBe(true);
    const event = { ...errorEvent(), event_id: 'e1', frames, exceptions: [], tags: {}, receivedAt: 0, payload: {}, type: 'Error', value: 'x' };
    const text = renderWaterfall(buildTraceDetail(TRACE_ID, [{ ...base, spanId: '00000000000000a1', name: 'root' }], [event as never]), undefined, { width: 200 });
    const printed = text.split('\n').filter((line) => line.startsWith('      at ')).map((line) => line.trim());
    // Node's own first lines of the same stack (the SDK drops the file:// scheme of ESM paths)
    const node = error.stack!.split('\n').filter((line) => line.startsWith('    at ')).slice(0, 3).map((line) => line.trim().replace('file://', ''));
    expect(printed).toEqual(node);
    expect(text).not.toContain('at ?');
  });

  it.each([
    'at Object.<anonymous> (/app/main.cjs:1:1)',
    'at /app/x.js:3:41',
    'at named (/app/x.js:3:31)',
    'at Foo.bar [as baz] (/app/x.js:1:2)',
    'at new Promise (<anonymous>)',
    'at process.processTicksAndRejections (node:internal/process/task_queues:104:5)',
  ])('a Node stack line through the SDK parser prints back as itself: %s', (line) => {
    const [frame] = defaultStackParser(`Error: x\n    ${line}`);
    expect(nodeFrameText(frame!)).toBe(line);
  });
});
