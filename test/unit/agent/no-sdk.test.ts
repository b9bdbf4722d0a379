/**
 * Without any SDK registered (the agent library used on its own), and with a broken SDK, the helpers must run
 * the callbacks, return their results, rethrow their errors unchanged — and never throw themselves.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { propagation, trace, type Span, type Tracer, type TracerProvider } from '@opentelemetry/api';
import {
  aiRequest,
  executeTool,
  extractContext,
  getCurrentAgent,
  injectContext,
  invokeAgent,
  MESSAGE_CARRIER_FIELD,
  memoryOperation,
  receiveFromAgent,
  sendToAgent,
  startAiRequest,
} from '../../../src/agent/index.js';
import { disableGlobals } from './otel-sdk.js';

beforeEach(() => disableGlobals());
afterEach(() => disableGlobals());

async function exerciseAll(recording = false): Promise<unknown[]> {
  const results: unknown[] = [];
  results.push(aiRequest({ provider: 'p', model: 'm' }, (span) => {
    expect(span.isRecording()).toBe(recording);
    span.recordUsage({ input: 1, output: 2 }).setResponseModel('x').setFinishReasons(['stop']).recordFirstChunk();
    return 'sync';
  }));
  results.push(await aiRequest({ provider: 'p', model: 'm' }, async () => ({ usage: { input_tokens: 1 } })));
  results.push(await memoryOperation({ operation: 'search', store: 's' }, async (span) => span.recordResultCount(3) && [1, 2]));
  results.push(await invokeAgent({ name: 'agent' }, async () => getCurrentAgent()?.name));
  results.push(executeTool({ name: 't', arguments: { a: 1 } }, () => 7));
  const message = { body: 'hi' };
  results.push(await sendToAgent({ to: 'b', message }, async () => JSON.stringify(message)));
  results.push(await receiveFromAgent({ message: JSON.parse(results.at(-1) as string) as unknown, agent: 'b' }, async () => 'received'));
  const stream = startAiRequest({ provider: 'p', model: 'm' });
  async function* chunks() {
    yield 'a';
    yield 'b';
  }
  const seen: string[] = [];
  for await (const chunk of stream.observeStream(chunks())) seen.push(chunk);
  results.push(seen.join(''));
  return results;
}

describe('with no SDK registered', () => {
  it('callbacks run and return their results; nothing throws', async () => {
    const results = await exerciseAll();
    expect(results[0]).toBe('sync');
    expect(results[1]).toEqual({ usage: { input_tokens: 1 } });
    expect(results[2]).toEqual([1, 2]);
    expect(results[3]).toBeUndefined(); // no context manager registered: no context flows at all
    expect(results[4]).toBe(7);
    expect(results[5]).toBe('{"body":"hi"}'); // no propagator: the message is left as it was
    expect(results[6]).toBe('received');
    expect(results[7]).toBe('ab');
  });

  it('errors still reach the caller as the same object', async () => {
    const err = new Error('x');
    expect(() => aiRequest({ provider: 'p', model: 'm' }, () => { throw err; })).toThrow(err);
    await expect(invokeAgent({ name: 'a' }, async () => { throw err; })).rejects.toBe(err);
  });

  it('does no attribute work: start attributes are never built', () => {
    let reads = 0;
    const options = {
      model: 'm',
      get provider() {
        reads += 1;
        return 'p';
      },
    };
    expect(aiRequest(options, () => 1)).toBe(1);
    expect(reads).toBe(0);
  });

  it('carriers are no-ops', () => {
    const message = { a: 1 };
    expect(injectContext(message)).toEqual({ a: 1 });
    expect(trace.getSpanContext(extractContext({ [MESSAGE_CARRIER_FIELD]: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } }))).toBeUndefined();
  });
});

describe('with a broken SDK', () => {
  it('a tracer provider that throws does not break the callbacks', async () => {
    const throwing = (): never => {
      throw new Error('broken sdk');
    };
    const brokenTracer = { startSpan: throwing, startActiveSpan: throwing } as unknown as Tracer;
    trace.setGlobalTracerProvider({ getTracer: () => brokenTracer } as TracerProvider);
    propagation.setGlobalPropagator({ inject: throwing, extract: throwing, fields: () => [] });
    const results = await exerciseAll();
    expect(results).toEqual(['sync', { usage: { input_tokens: 1 } }, [1, 2], undefined, 7, '{"body":"hi"}', 'received', 'ab']);
  });

  it('spans whose methods throw do not break the callbacks', async () => {
    const badSpan = new Proxy({} as Span, {
      get: (_target, key) => (key === 'isRecording' ? () => true : key === 'spanContext' ? () => ({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 }) : () => { throw new Error('bad span'); }),
    });
    trace.setGlobalTracerProvider({ getTracer: () => ({ startSpan: () => badSpan, startActiveSpan: () => undefined }) as unknown as Tracer } as TracerProvider);
    const results = await exerciseAll(true);
    expect(results).toEqual(['sync', { usage: { input_tokens: 1 } }, [1, 2], undefined, 7, '{"body":"hi"}', 'received', 'ab']);
    const err = new Error('still mine');
    await expect(executeTool({ name: 't' }, async () => { throw err; })).rejects.toBe(err);
  });
});
