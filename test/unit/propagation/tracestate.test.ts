/**
 * Issue 17 item 13: tracestate is valid whole or discarded whole (W3C Trace Context, w3c/trace-context
 * `spec/20-http_request_header_format.md` "tracestate Header Field Values", `spec/30-processing-model.md`), with the
 * current key grammar (`@` keys); the Level 2 random flag reaches the children; only defined flags are sent.
 */
import { describe, expect, it } from 'vitest';
import { TraceState as OtelTraceState } from '@opentelemetry/core';
import { trace } from '@opentelemetry/api';
import { parseTraceState } from '../../../src/propagation/tracestate.js';
import { childOf, defaultPropagator, extract, inject } from './helpers.js';

const T = '0af7651916cd43dd8448eb211c80319c';
const S = 'b7ad6b7169203331';
const tp = (flags: string) => `00-${T}-${S}-${flags}`;

const INVALID: Record<string, string> = {
  'empty value': 'foo=,bar=3',
  'no equals sign': 'foo,bar=3',
  'upper-case key': 'Foo=1,bar=3',
  'key over 256 characters': `${'k'.repeat(257)}=1,bar=3`,
  'value over 256 characters': `foo=${'v'.repeat(257)},bar=3`,
  'value with =': 'foo=a=b,bar=3',
  'value with a control character': 'foo=a\u0001,bar=3',
  'key starting with _': '_foo=1,bar=3',
  'duplicate key': 'foo=1,bar=3,foo=2',
  '33 members': Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(','),
};

const VALID: Record<string, [string, string]> = {
  'two vendors': ['congo=t61rcWkgMzE,rojo=00f067aa0ba902b7', 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7'],
  'multi-tenant key with @': ['tenant1@vendor=x,rojo=1', 'tenant1@vendor=x,rojo=1'],
  'key starting with a digit (current grammar)': ['1vendor=x', '1vendor=x'],
  'key of exactly 256 characters': [`${'k'.repeat(256)}=1`, `${'k'.repeat(256)}=1`],
  'empty and whitespace-only members, OWS around members': [' congo=1 ,, \t,rojo=2\t', 'congo=1,rojo=2'],
  'value with inner spaces': ['congo=a b', 'congo=a b'],
  '32 members': [Array.from({ length: 32 }, (_, i) => `k${i}=v`).join(','), Array.from({ length: 32 }, (_, i) => `k${i}=v`).join(',')],
};

describe('tracestate is valid whole or discarded whole', () => {
  const propagator = defaultPropagator();

  it.each(Object.entries(INVALID))('%s: discarded (the traceparent is still continued)', (_name, header) => {
    const ctx = extract(propagator, { traceparent: tp('01'), tracestate: header });
    expect(trace.getSpanContext(ctx)).toMatchObject({ traceId: T, spanId: S });
    expect(trace.getSpanContext(ctx)?.traceState).toBeUndefined();
    expect(inject(propagator, childOf(ctx, true)).headers.tracestate).toBeUndefined();
  });

  it('OpenTelemetry JS itself repairs `foo=,bar=3` to `bar=3` (the behaviour replaced here)', () => {
    expect(new OtelTraceState('foo=,bar=3').serialize()).toBe('bar=3');
  });

  it.each(Object.entries(VALID))('%s: kept', (_name, [header, expected]) => {
    const ctx = extract(propagator, { traceparent: tp('01'), tracestate: header });
    expect(trace.getSpanContext(ctx)?.traceState?.serialize()).toBe(expected);
    expect(inject(propagator, childOf(ctx, true)).headers.tracestate).toBe(expected.length <= 512 ? expected : undefined);
  });

  it('repeated tracestate headers are one list (and validated as one)', () => {
    const ctx = extract(propagator, { traceparent: tp('01'), tracestate: ['congo=1', 'rojo=2'] });
    expect(trace.getSpanContext(ctx)?.traceState?.serialize()).toBe('congo=1,rojo=2');
    const dup = extract(propagator, { traceparent: tp('01'), tracestate: ['congo=1', 'congo=2'] });
    expect(trace.getSpanContext(dup)?.traceState).toBeUndefined();
  });

  it('serializing keeps 512 characters by dropping whole entries, long ones first', () => {
    const long = `big=${'x'.repeat(200)}`;
    const small = Array.from({ length: 20 }, (_, i) => `k${i}=${'v'.repeat(20)}`);
    const state = parseTraceState([small[0], long, ...small.slice(1)].join(','));
    const out = state?.serialize() ?? '';
    expect(out.length).toBeLessThanOrEqual(512);
    expect(out).not.toContain('big=');
    expect(out.startsWith('k0=')).toBe(true);
    expect(out.split(',').every((m) => small.includes(m))).toBe(true);
  });

  it('set moves the key to the front and rejects invalid pairs', () => {
    const state = parseTraceState('a=1,b=2')!;
    expect(state.set('b', '3').serialize()).toBe('b=3,a=1');
    expect(state.set('t@v', 'x').serialize()).toBe('t@v=x,a=1,b=2');
    expect(state.set('B', 'x')).toBe(state);
    expect(state.unset('a').serialize()).toBe('b=2');
    expect(state.get('b')).toBe('2');
  });

  it('stays linear on a worst-case header (bounded input, no backtracking blow-up)', () => {
    const header = `${'a'.repeat(256)}=${' '.repeat(7000)}x`;
    expect(parseTraceState(header)).toBeUndefined();
  });
});

describe('W3C Trace Context Level 2 random flag', () => {
  const propagator = defaultPropagator();

  it.each([
    ['03', true, '03'],
    ['02', false, '02'],
    ['01', true, '01'],
    ['00', false, '00'],
  ])('incoming flags %s → a child (sampled=%s) sends %s', (flags, sampled, expected) => {
    const ctx = extract(propagator, { traceparent: tp(flags) });
    const child = childOf(ctx, sampled);
    expect(inject(propagator, child).headers.traceparent).toBe(`00-${T}-${trace.getSpanContext(child)?.spanId}-${expected}`);
  });

  it('is not carried into another trace started in the same context', () => {
    const ctx = extract(propagator, { traceparent: tp('03') });
    const other = childOf(ctx, true, '4bf92f3577b34da6a3ce929d0e0e4736');
    expect(inject(propagator, other).headers.traceparent).toMatch(/-01$/);
  });
});
