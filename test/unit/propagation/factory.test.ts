/** createPropagator: names → composite, fields, precedence, defensive behaviour. */
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, TraceFlags, propagation, trace } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import {
  DEFAULT_PROPAGATOR_NAMES,
  SUPPORTED_PROPAGATOR_NAMES,
  createPropagator,
  isSamplingDeferred,
  isSupportedPropagatorName,
} from '../../../src/propagation/index.js';
import { DSC_OPTIONS, extract, inject } from './helpers.js';

const A = '0af7651916cd43dd8448eb211c80319c';
const B = '4bf92f3577b34da6a3ce929d0e0e4736';
const opts = { dsc: DSC_OPTIONS };
const spanCtx = trace.setSpanContext(ROOT_CONTEXT, { traceId: A, spanId: '1111222233334444', traceFlags: TraceFlags.SAMPLED });
const withBaggage = propagation.setBaggage(spanCtx, propagation.createBaggage({ tenant: { value: 'acme' } }));

describe('createPropagator', () => {
  it('exports the supported and default names', () => {
    expect(SUPPORTED_PROPAGATOR_NAMES).toEqual(['tracecontext', 'baggage', 'sentry', 'none']);
    expect(DEFAULT_PROPAGATOR_NAMES).toEqual(['tracecontext', 'baggage', 'sentry']);
    expect(isSupportedPropagatorName('sentry')).toBe(true);
    expect(isSupportedPropagatorName('b3')).toBe(false);
  });

  it.each([
    [['tracecontext', 'baggage', 'sentry'], ['traceparent', 'tracestate', 'sentry-trace', 'baggage']],
    [[], ['traceparent', 'tracestate', 'sentry-trace', 'baggage']],
    [[' TraceContext ', 'BAGGAGE', '', 'sentry'], ['traceparent', 'tracestate', 'sentry-trace', 'baggage']],
    [['tracecontext'], ['traceparent', 'tracestate']],
    [['baggage'], ['baggage']],
    [['sentry'], ['sentry-trace', 'baggage']],
    [['tracecontext', 'none', 'sentry'], []],
    [['b3', 'tracecontext', 'tracecontext'], ['traceparent', 'tracestate']],
  ])('%j → fields %j', (names, fields) => {
    expect(createPropagator(names, opts).fields()).toEqual(fields);
  });

  it('injects only the enabled fields', () => {
    expect(Object.keys(inject(createPropagator(['tracecontext'], opts), withBaggage).headers)).toEqual(['traceparent']);
    expect(Object.keys(inject(createPropagator(['sentry'], opts), withBaggage).headers).sort()).toEqual(['baggage', 'sentry-trace']);
    expect(inject(createPropagator(['none'], opts), withBaggage).headers).toEqual({});
    expect(Object.keys(inject(createPropagator(['unknown-thing'], opts), withBaggage).headers)).toEqual([]);
  });

  it('sentry without tracecontext continues from sentry-trace even when a traceparent is present', () => {
    const carrier = { traceparent: `00-${A}-aaaaaaaaaaaaaaaa-01`, 'sentry-trace': `${B}-bbbbbbbbbbbbbbbb` };
    const ctx = extract(createPropagator(['sentry'], opts), carrier);
    expect(trace.getSpanContext(ctx)?.traceId).toBe(B);
    expect(isSamplingDeferred(ctx)).toBe(true);
    const tcOnly = extract(createPropagator(['tracecontext'], opts), carrier);
    expect(trace.getSpanContext(tcOnly)?.traceId).toBe(A);
  });

  it('injects nothing under suppressed tracing and nothing trace-related for an invalid span context', () => {
    expect(inject(createPropagator([], opts), suppressTracing(withBaggage)).headers).toEqual({});
    const invalid = trace.setSpanContext(ROOT_CONTEXT, { traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: TraceFlags.SAMPLED });
    expect(inject(createPropagator([], opts), invalid).headers).toEqual({});
  });

  it('forwarding an extracted context as-is yields valid headers (two-digit flags, only the defined bits, lower-case ids)', () => {
    const propagator = createPropagator([], opts);
    const ctx = extract(propagator, { traceparent: `00-${A}-aaaaaaaaaaaaaaaa-ff` });
    // W3C Trace Context Level 2: sampled (0x01) and random (0x02) are defined; other flags MUST be sent as zero.
    expect(inject(propagator, ctx).headers.traceparent).toBe(`00-${A}-aaaaaaaaaaaaaaaa-03`);
    const upper = trace.setSpanContext(ROOT_CONTEXT, { traceId: A.toUpperCase(), spanId: 'AAAAAAAAAAAAAAAA', traceFlags: 0x11 });
    const { headers } = inject(propagator, upper);
    expect(headers.traceparent).toBe(`00-${A}-aaaaaaaaaaaaaaaa-01`);
    expect(headers['sentry-trace']).toBe(`${A}-aaaaaaaaaaaaaaaa-1`);
  });

  it('is registrable as the global propagator and serves plain records (message carriers)', () => {
    propagation.setGlobalPropagator(createPropagator([], opts));
    try {
      const carrier: Record<string, string> = {};
      propagation.inject(withBaggage, carrier);
      const back = propagation.extract(ROOT_CONTEXT, carrier);
      expect(trace.getSpanContext(back)).toMatchObject({ traceId: A, spanId: '1111222233334444', isRemote: true });
      expect(propagation.getBaggage(back)?.getEntry('tenant')?.value).toBe('acme');
    } finally {
      propagation.disable();
    }
  });
});

describe('defensive carriers', () => {
  const propagator = createPropagator([], opts);
  const valid = { traceparent: `00-${A}-aaaaaaaaaaaaaaaa-01`, baggage: 'k=v' };

  it.each([null, undefined, 42, 'a string', Symbol('s'), [], new Map(), Object.create(null)])('extract from %s does not throw', (carrier) => {
    expect(() => extract(propagator, carrier)).not.toThrow();
    expect(trace.getSpanContext(extract(propagator, carrier))).toBeUndefined();
  });

  it('a throwing getter or setter costs the headers, never the caller', () => {
    const ctx = propagator.extract(ROOT_CONTEXT, valid, {
      get: () => {
        throw new Error('boom');
      },
      keys: () => [],
    });
    expect(ctx).toBe(ROOT_CONTEXT);
    expect(() =>
      propagator.inject(withBaggage, {}, {
        set: () => {
          throw new Error('frozen');
        },
      }),
    ).not.toThrow();
    expect(() => propagator.inject(withBaggage, Object.freeze({}), { set: (c: Record<string, string>, k, v) => void (c[k] = v) })).not.toThrow();
  });

  it('identical repeated traceparent headers count once; repeated tracestate/baggage headers are joined', () => {
    const ctx = extract(propagator, {
      traceparent: [valid.traceparent, valid.traceparent],
      tracestate: ['a=1', 'b=2'],
      baggage: ['k1=v1', 'k2=v2'],
    });
    expect(trace.getSpanContext(ctx)?.traceId).toBe(A);
    expect(trace.getSpanContext(ctx)?.traceState?.serialize()).toBe('a=1,b=2');
    expect(propagation.getBaggage(ctx)?.getAllEntries().map(([k]) => k)).toEqual(['k1', 'k2']);
  });

  it('non-string entries in header arrays are ignored or invalidate single-valued fields', () => {
    const ctx = extract(propagator, { traceparent: [valid.traceparent, 7], baggage: ['k1=v1', 7, null, { a: 1 }] });
    expect(trace.getSpanContext(ctx)).toBeUndefined();
    expect(propagation.getBaggage(ctx)?.getAllEntries().map(([k]) => k)).toEqual(['k1']);
  });

  it('garbled baggage members are skipped, good ones kept', () => {
    const ctx = extract(propagator, { baggage: '=novalue,nokey=,%E0%A4%A=bad,good=1;prop=x, spaced = 2 ,,;,a=%ZZ' });
    const entries = propagation.getBaggage(ctx)?.getAllEntries() ?? [];
    expect(entries.map(([k, e]) => [k, e.value, e.metadata?.toString()])).toEqual([
      ['good', '1', 'prop=x'],
      ['spaced', '2', undefined],
    ]);
  });
});
