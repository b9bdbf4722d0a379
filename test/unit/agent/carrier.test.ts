/**
 * Message carriers: injectContext → JSON → extractContext continues the trace; garbled and hostile carriers
 * start a new trace and never throw (table of known-nasty inputs plus fast-check properties).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { context, propagation, ROOT_CONTEXT, trace, TraceFlags, type Context } from '@opentelemetry/api';
import { ATTR_MESSAGING_MESSAGE_RECEIVE_LATENCY, ATTR_AGENT_COMMUNICATION_SOURCE, extractContext, injectContext, invokeAgent, MESSAGE_CARRIER_FIELD, receiveFromAgent, sendToAgent } from '../../../src/agent/index.js';
import { installSdk, type TestSdk } from './otel-sdk.js';

let sdk: TestSdk;
beforeAll(() => {
  sdk = installSdk();
});
afterAll(async () => {
  await sdk.shutdown();
});
beforeEach(() => sdk.exporter.reset());

const tracer = () => trace.getTracer('carrier-test');
const VALID_TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

function remoteSpanContext(ctx: Context) {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext !== undefined && trace.isSpanContextValid(spanContext) ? spanContext : undefined;
}

/** Process `message` as a receiver with no active span; returns the process span. */
function processAtEntry(message: unknown) {
  sdk.exporter.reset();
  const value = context.with(ROOT_CONTEXT, () => receiveFromAgent({ message, agent: 'rx' }, () => 'handled'));
  expect(value).toBe('handled');
  return sdk.span('process rx');
}

describe('injectContext / extractContext', () => {
  it('a message through inject → JSON.stringify → JSON.parse → extract continues the same trace', () => {
    const parent = tracer().startSpan('parent');
    const message = { task: 'summarise', payload: { n: 1 } };
    const returned = context.with(trace.setSpan(context.active(), parent), () => injectContext(message));
    parent.end();
    expect(returned).toBe(message);
    const carrier = (message as Record<string, unknown>)[MESSAGE_CARRIER_FIELD] as Record<string, string>;
    expect(Object.keys(carrier)).toContain('traceparent');

    const parsed: unknown = JSON.parse(JSON.stringify(message));
    const remote = remoteSpanContext(extractContext(parsed));
    expect(remote).toBeDefined();
    expect(remote!.traceId).toBe(parent.spanContext().traceId);
    expect(remote!.spanId).toBe(parent.spanContext().spanId);
    expect(remote!.isRemote).toBe(true);
    expect(remote!.traceFlags & TraceFlags.SAMPLED).toBe(TraceFlags.SAMPLED);

    const child = tracer().startSpan('child', {}, extractContext(parsed));
    child.end();
    expect(sdk.span('child').spanContext().traceId).toBe(parent.spanContext().traceId);
    expect(sdk.span('child').parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
  });

  it('baggage travels with the message', () => {
    const message = {};
    const bag = propagation.createBaggage({ tenant: { value: 'acme' } });
    const span = tracer().startSpan('with-baggage');
    context.with(propagation.setBaggage(trace.setSpan(context.active(), span), bag), () => injectContext(message));
    span.end();
    const restored = propagation.getBaggage(extractContext(JSON.parse(JSON.stringify(message))));
    expect(restored?.getEntry('tenant')?.value).toBe('acme');
  });

  it('sendToAgent → JSON → receiveFromAgent: the process span is a child of the send span, in the same trace', async () => {
    const wire: string[] = [];
    const message = { text: 'hi' };
    let sendTrace = '';
    let sendSpan = '';
    await invokeAgent({ name: 'planner' }, () =>
      sendToAgent({ to: 'writer', message }, (span) => {
        sendTrace = span.span.spanContext().traceId;
        sendSpan = span.span.spanContext().spanId;
        wire.push(JSON.stringify(message));
      }),
    );
    const processSpan = processAtEntry(JSON.parse(wire.at(-1)!));
    expect(processSpan.spanContext().traceId).toBe(sendTrace);
    expect(processSpan.parentSpanContext?.spanId).toBe(sendSpan);
    expect(processSpan.attributes[ATTR_AGENT_COMMUNICATION_SOURCE]).toBe('planner');
  });

  it('leaves non-object messages alone and never throws on frozen ones', () => {
    const span = tracer().startSpan('s');
    context.with(trace.setSpan(context.active(), span), () => {
      expect(injectContext('text')).toBe('text');
      expect(injectContext(null)).toBeNull();
      const list = [1, 2];
      expect(injectContext(list)).toBe(list);
      expect(list).toEqual([1, 2]);
      const frozen = Object.freeze({ a: 1 });
      expect(injectContext(frozen)).toBe(frozen);
    });
    span.end();
  });

  it('without an active span nothing is written, and a stale carrier is removed', () => {
    const fresh: Record<string, unknown> = { a: 1 };
    context.with(ROOT_CONTEXT, () => injectContext(fresh));
    expect(fresh).toEqual({ a: 1 });
    const stale: Record<string, unknown> = { a: 1, [MESSAGE_CARRIER_FIELD]: { traceparent: VALID_TRACEPARENT } };
    context.with(ROOT_CONTEXT, () => injectContext(stale));
    expect(stale).toEqual({ a: 1 });
  });

  it('extractContext of a garbled message yields a fresh root even inside an active span', () => {
    const local = tracer().startSpan('local');
    const ctx = context.with(trace.setSpan(context.active(), local), () => extractContext({ [MESSAGE_CARRIER_FIELD]: { traceparent: 'junk' } }));
    local.end();
    expect(trace.getSpanContext(ctx)).toBeUndefined();
    tracer().startSpan('fresh', {}, ctx).end();
    expect(sdk.span('fresh').parentSpanContext).toBeUndefined();
    expect(sdk.span('fresh').spanContext().traceId).not.toBe(local.spanContext().traceId);
  });

  it('a message without a valid carrier is processed as a child of the active span, never of the garbage', () => {
    const local = tracer().startSpan('local');
    context.with(trace.setSpan(context.active(), local), () => receiveFromAgent({ message: { [MESSAGE_CARRIER_FIELD]: { traceparent: 'junk' } }, agent: 'rx' }, () => 1));
    local.end();
    expect(sdk.span('process rx').parentSpanContext?.spanId).toBe(local.spanContext().spanId);
  });
});

describe('garbled and hostile carriers start a new trace without throwing', () => {
  const hostile: [string, () => unknown][] = [
    ['undefined', () => undefined],
    ['null', () => null],
    ['number', () => 42],
    ['string', () => `{"${MESSAGE_CARRIER_FIELD}":{"traceparent":"${VALID_TRACEPARENT}"}}`],
    ['array', () => [{ [MESSAGE_CARRIER_FIELD]: { traceparent: VALID_TRACEPARENT } }]],
    ['carrier null', () => ({ [MESSAGE_CARRIER_FIELD]: null })],
    ['carrier string', () => ({ [MESSAGE_CARRIER_FIELD]: VALID_TRACEPARENT })],
    ['carrier array', () => ({ [MESSAGE_CARRIER_FIELD]: [VALID_TRACEPARENT] })],
    ['non-string value', () => ({ [MESSAGE_CARRIER_FIELD]: { traceparent: 123 } })],
    ['array value', () => ({ [MESSAGE_CARRIER_FIELD]: { traceparent: [VALID_TRACEPARENT] } })],
    ['object value', () => ({ [MESSAGE_CARRIER_FIELD]: { traceparent: { toString: () => VALID_TRACEPARENT } } })],
    ['garbage traceparent', () => ({ [MESSAGE_CARRIER_FIELD]: { traceparent: 'not-a-traceparent' } })],
    ['all-zero trace id', () => ({ [MESSAGE_CARRIER_FIELD]: { traceparent: '00-00000000000000000000000000000000-b7ad6b7169203331-01' } })],
    ['huge traceparent', () => ({ [MESSAGE_CARRIER_FIELD]: { traceparent: VALID_TRACEPARENT + 'x'.repeat(1_000_000) } })],
    ['huge baggage', () => ({ [MESSAGE_CARRIER_FIELD]: { baggage: 'k=' + 'v'.repeat(5_000_000) } })],
    ['__proto__ carrier (JSON)', () => JSON.parse(`{"${MESSAGE_CARRIER_FIELD}":{"__proto__":{"traceparent":"${VALID_TRACEPARENT}"}}}`)],
    ['__proto__ message (JSON)', () => JSON.parse(`{"__proto__":{"${MESSAGE_CARRIER_FIELD}":{"traceparent":"${VALID_TRACEPARENT}"}}}`)],
    ['inherited traceparent', () => ({ [MESSAGE_CARRIER_FIELD]: Object.create({ traceparent: VALID_TRACEPARENT }) as object })],
    ['inherited carrier', () => Object.create({ [MESSAGE_CARRIER_FIELD]: { traceparent: VALID_TRACEPARENT } }) as object],
    ['constructor key', () => ({ [MESSAGE_CARRIER_FIELD]: { constructor: VALID_TRACEPARENT, toString: 'x' } })],
    ['throwing getter (message)', () => Object.defineProperty({}, MESSAGE_CARRIER_FIELD, { enumerable: true, get: () => { throw new Error('boom'); } })],
    ['throwing getter (entry)', () => ({ [MESSAGE_CARRIER_FIELD]: Object.defineProperty({}, 'traceparent', { enumerable: true, get: () => { throw new Error('boom'); } }) })],
    [
      'proxy that throws on every trap',
      () =>
        new Proxy(
          {},
          {
            get: () => { throw new Error('trap'); },
            has: () => { throw new Error('trap'); },
            ownKeys: () => { throw new Error('trap'); },
            getOwnPropertyDescriptor: () => { throw new Error('trap'); },
            getPrototypeOf: () => { throw new Error('trap'); },
          },
        ),
    ],
  ];

  it.each(hostile)('%s', (_label, make) => {
    const message = make();
    let ctx: Context | undefined;
    expect(() => {
      ctx = extractContext(message);
    }).not.toThrow();
    expect(remoteSpanContext(ctx!)).toBeUndefined();
    const processSpan = processAtEntry(message);
    expect(processSpan.parentSpanContext).toBeUndefined();
    expect(processSpan.spanContext().traceId).not.toBe(VALID_TRACEPARENT.split('-')[1]);
    expect(({} as Record<string, unknown>).traceparent).toBeUndefined(); // no prototype pollution
  });

  it('garbage next to a valid traceparent does not prevent continuing it (keys are case-insensitive)', () => {
    const message = { [MESSAGE_CARRIER_FIELD]: { TraceParent: VALID_TRACEPARENT, junk: { deep: [1] }, '': 'x', ['k'.repeat(500)]: 'y', n: 5 } };
    expect(remoteSpanContext(extractContext(message))?.spanId).toBe('b7ad6b7169203331');
  });

  it('sender metadata is validated: bad source or timestamp are ignored', () => {
    const message = { [MESSAGE_CARRIER_FIELD]: { traceparent: VALID_TRACEPARENT, 'agent-source': 'evil\nname', 'agent-sent-at': 'yesterday' } };
    const processSpan = processAtEntry(message);
    expect(processSpan.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(processSpan.attributes[ATTR_AGENT_COMMUNICATION_SOURCE]).toBeUndefined();
    expect(processSpan.attributes[ATTR_MESSAGING_MESSAGE_RECEIVE_LATENCY]).toBeUndefined();
  });

  it('property: any value as a message, or as its carrier, never throws and never continues a trace', () => {
    const carrierValue = fc.oneof(fc.anything(), fc.dictionary(fc.string(), fc.anything()), fc.dictionary(fc.constantFrom('traceparent', 'tracestate', 'baggage', 'sentry-trace', '__proto__'), fc.string()));
    const message = fc.oneof(fc.anything(), fc.jsonValue(), carrierValue.map((carrier) => ({ [MESSAGE_CARRIER_FIELD]: carrier })));
    fc.assert(
      fc.property(message, (value) => {
        const ctx = extractContext(value);
        expect(remoteSpanContext(ctx)).toBeUndefined();
        const viaJson = (() => {
          try {
            return JSON.parse(JSON.stringify(value) ?? 'null') as unknown;
          } catch {
            return undefined;
          }
        })();
        expect(remoteSpanContext(extractContext(viaJson))).toBeUndefined();
        expect(processAtEntry(value).parentSpanContext).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('property: a tampered traceparent either is rejected or yields a valid span context — never throws', () => {
    fc.assert(
      fc.property(fc.nat({ max: VALID_TRACEPARENT.length }), fc.string({ maxLength: 8 }), (position, insert) => {
        const tampered = VALID_TRACEPARENT.slice(0, position) + insert + VALID_TRACEPARENT.slice(position + insert.length);
        const spanContext = trace.getSpanContext(extractContext({ [MESSAGE_CARRIER_FIELD]: { traceparent: tampered } }));
        if (spanContext !== undefined) expect(trace.isSpanContextValid(spanContext)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('property: any valid span context survives inject → JSON → extract', () => {
    const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`));
    fc.assert(
      fc.property(hex(32), hex(16), fc.boolean(), (traceId, spanId, sampled) => {
        const spanContext = { traceId, spanId, traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE };
        fc.pre(trace.isSpanContextValid(spanContext));
        const message = injectContext({ body: 'x' }, trace.setSpanContext(ROOT_CONTEXT, spanContext));
        const restored = remoteSpanContext(extractContext(JSON.parse(JSON.stringify(message))));
        expect(restored).toMatchObject({ traceId, spanId, traceFlags: spanContext.traceFlags, isRemote: true });
      }),
      { numRuns: 200 },
    );
  });
});
