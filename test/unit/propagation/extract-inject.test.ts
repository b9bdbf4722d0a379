/**
 * Table-driven: incoming headers × sampled flag → continued trace, parent span, sampling decision, and the headers a
 * child span sends on (extract, then inject with a child span context, as the SDK would).
 */
import { describe, expect, it } from 'vitest';
import { TraceFlags, propagation, trace, type Context } from '@opentelemetry/api';
import { getDynamicSamplingContext, isSamplingDeferred, sampleRandFromTraceId } from '../../../src/propagation/index.js';
import {
  DSC_OPTIONS,
  SENTRY_TRACE_OUT,
  TRACEPARENT_OUT,
  baggageMembers,
  childOf,
  defaultPropagator,
  dscOf,
  extract,
  inject,
  ratioSamples,
  traceIdFrom,
} from './helpers.js';

const A = '0af7651916cd43dd8448eb211c80319c';
const A_SPAN = 'b7ad6b7169203331';
const B = '4bf92f3577b34da6a3ce929d0e0e4736';
const B_SPAN = '00f067aa0ba902b7';
const TRACESTATE = 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7';

type Flag = '1' | '0' | 'absent';
type Decision = 'sampled' | 'not-sampled' | 'deferred' | 'new-root';

const tp = (traceId: string, spanId: string, flag: Flag): string =>
  flag === 'absent' ? `00-${traceId}-${spanId}` : `00-${traceId}-${spanId}-0${flag}`;
const st = (traceId: string, spanId: string, flag: Flag): string =>
  flag === 'absent' ? `${traceId}-${spanId}` : `${traceId}-${spanId}-${flag}`;

/** A Sentry front end's DSC for `traceId`, as it would arrive in baggage. */
const frontEndDsc = (traceId: string) => ({
  trace_id: traceId,
  public_key: 'frontendpublickey',
  environment: 'prod',
  release: 'web@9.0.0',
  sample_rate: '0.25',
  sampled: 'true',
  sample_rand: '0.0421',
  transaction: '/checkout',
});
const dscBaggage = (traceId: string) =>
  Object.entries(frontEndDsc(traceId))
    .map(([k, v]) => `sentry-${k}=${encodeURIComponent(v)}`)
    .join(',');

const MALFORMED_TRACEPARENT: Record<string, (flag: '1' | '0') => unknown> = {
  'upper-case hex': (f) => tp(A.toUpperCase(), A_SPAN, f),
  'all-zero trace id': (f) => tp('0'.repeat(32), A_SPAN, f),
  'all-zero span id': (f) => tp(A, '0'.repeat(16), f),
  'version ff': (f) => `ff-${A}-${A_SPAN}-0${f}`,
  'version 00 with a trailing field': (f) => `${tp(A, A_SPAN, f)}-extra`,
  'short trace id': (f) => tp(A.slice(1), A_SPAN, f),
  'non-hex character': (f) => tp(`${A.slice(0, 31)}g`, A_SPAN, f),
  'one-digit flags': (f) => `00-${A}-${A_SPAN}-${f}`,
  'two different headers (string[])': (f) => [tp(A, A_SPAN, f), tp(B, B_SPAN, f)],
  'two headers joined by Node': (f) => `${tp(A, A_SPAN, f)}, ${tp(B, B_SPAN, f)}`,
  'oversized future version': (f) => `01-${A}-${A_SPAN}-0${f}-${'x'.repeat(600)}`,
  'a number': () => 42,
  'an object': () => ({ traceparent: tp(A, A_SPAN, '1') }),
  empty: () => '',
};

const MALFORMED_SENTRY_TRACE: Record<string, (flag: Flag) => unknown> = {
  'upper-case hex': (f) => st(B.toUpperCase(), B_SPAN, f),
  'all-zero trace id': (f) => st('0'.repeat(32), B_SPAN, f),
  'all-zero span id': (f) => st(B, '0'.repeat(16), f),
  'short span id': (f) => st(B, B_SPAN.slice(1), f),
  'flag 2': () => `${B}-${B_SPAN}-2`,
  'extra part': (f) => `${st(B, B_SPAN, f)}-x`,
  'no dashes (Sentry regex accepts it)': (f) => `${B}${B_SPAN}${f === 'absent' ? '' : f}`,
  'trace id only (Sentry regex accepts it)': () => B,
  'span id only': (f) => `-${B_SPAN}${f === 'absent' ? '' : `-${f}`}`,
  'two different headers (string[])': (f) => [st(B, B_SPAN, f), st(A, A_SPAN, f)],
  'oversized by whitespace': (f) => `${st(B, B_SPAN, f)}${' '.repeat(600)}`,
  'a boolean': () => true,
};

interface Row {
  name: string;
  headers: Record<string, unknown>;
  trace: string | null;
  parent: string | null;
  decision: Decision;
  /**
   * The outgoing DSC: the incoming one passed on unchanged, a fresh head DSC, or the frozen empty DSC of a trace a
   * Sentry SDK sent without `sentry-*` baggage (trace_id and a derived sample_rand only).
   */
  dsc: 'incoming' | 'fresh' | 'frozen';
  tracestate: boolean;
}

const FLAGS: Flag[] = ['1', '0', 'absent'];
const byFlag = (flag: Flag): Decision => (flag === '1' ? 'sampled' : flag === '0' ? 'not-sampled' : 'deferred');

function rows(): Row[] {
  const out: Row[] = [];
  for (const flag of FLAGS) {
    const tpValid = flag !== 'absent'; // a traceparent without flags is malformed
    out.push({
      name: `traceparent only, flag ${flag}`,
      headers: { traceparent: tp(A, A_SPAN, flag), tracestate: TRACESTATE, baggage: 'tenant=acme' },
      trace: tpValid ? A : null,
      parent: tpValid ? A_SPAN : null,
      decision: tpValid ? byFlag(flag) : 'new-root',
      dsc: 'fresh',
      tracestate: tpValid,
    });
    out.push({
      name: `sentry-trace only, flag ${flag}`,
      headers: { 'sentry-trace': st(B, B_SPAN, flag), baggage: `tenant=acme,${dscBaggage(B)}` },
      trace: B,
      parent: B_SPAN,
      decision: byFlag(flag),
      dsc: 'incoming',
      tracestate: false,
    });
    out.push({
      name: `both agreeing, flag ${flag}`,
      headers: { traceparent: tp(A, A_SPAN, flag), tracestate: TRACESTATE, 'sentry-trace': st(A, A_SPAN, flag), baggage: `tenant=acme,${dscBaggage(A)}` },
      trace: A,
      parent: A_SPAN,
      decision: byFlag(flag),
      dsc: 'incoming',
      tracestate: tpValid,
    });
    out.push({
      name: `both disagreeing (traceparent wins), flag ${flag}`,
      headers: { traceparent: tp(A, A_SPAN, flag), tracestate: TRACESTATE, 'sentry-trace': st(B, B_SPAN, flag), baggage: `tenant=acme,${dscBaggage(B)}` },
      trace: tpValid ? A : B,
      parent: tpValid ? A_SPAN : B_SPAN,
      decision: byFlag(flag),
      // the DSC belongs to trace B: passed on only when B is the trace continued
      dsc: tpValid ? 'fresh' : 'incoming',
      tracestate: tpValid,
    });
    out.push({
      name: `neither (a stray DSC is not continued), flag ${flag}`,
      headers: { baggage: `tenant=acme,${dscBaggage(B)}` },
      trace: null,
      parent: null,
      decision: 'new-root',
      dsc: 'fresh',
      tracestate: false,
    });
    if (flag !== 'absent') {
      for (const [variant, make] of Object.entries(MALFORMED_TRACEPARENT)) {
        out.push({
          name: `malformed traceparent (${variant}) only, flag ${flag}`,
          headers: { traceparent: make(flag), tracestate: TRACESTATE, baggage: 'tenant=acme' },
          trace: null,
          parent: null,
          decision: 'new-root',
          dsc: 'fresh',
          tracestate: false,
        });
        out.push({
          name: `malformed traceparent (${variant}) + valid sentry-trace, flag ${flag}`,
          headers: { traceparent: make(flag), tracestate: TRACESTATE, 'sentry-trace': st(B, B_SPAN, flag), baggage: `tenant=acme,${dscBaggage(B)}` },
          trace: B,
          parent: B_SPAN,
          decision: byFlag(flag),
          dsc: 'incoming',
          tracestate: false,
        });
      }
    }
    for (const [variant, make] of Object.entries(MALFORMED_SENTRY_TRACE)) {
      out.push({
        name: `malformed sentry-trace (${variant}) only, flag ${flag}`,
        headers: { 'sentry-trace': make(flag), baggage: `tenant=acme,${dscBaggage(B)}` },
        trace: null,
        parent: null,
        decision: 'new-root',
        dsc: 'fresh',
        tracestate: false,
      });
      out.push({
        name: `valid traceparent + malformed sentry-trace (${variant}), flag ${flag}`,
        headers: { traceparent: tp(A, A_SPAN, flag), 'sentry-trace': make(flag), baggage: 'tenant=acme' },
        trace: tpValid ? A : null,
        parent: tpValid ? A_SPAN : null,
        decision: tpValid ? byFlag(flag) : 'new-root',
        dsc: 'fresh',
        tracestate: false,
      });
    }
    out.push({
      name: `both malformed, flag ${flag}`,
      headers: { traceparent: `00-${A}-${A_SPAN}`, 'sentry-trace': `${B}-${B_SPAN}-7`, baggage: `tenant=acme,${dscBaggage(B)}` },
      trace: null,
      parent: null,
      decision: 'new-root',
      dsc: 'fresh',
      tracestate: false,
    });
  }
  // Flags that disagree: the traceparent's decision is the one honoured.
  out.push({
    name: 'same ids, traceparent 00 vs sentry-trace -1',
    headers: { traceparent: tp(A, A_SPAN, '0'), 'sentry-trace': st(A, A_SPAN, '1'), baggage: 'tenant=acme' },
    trace: A,
    parent: A_SPAN,
    decision: 'not-sampled',
    dsc: 'frozen',
    tracestate: false,
  });
  out.push({
    name: 'same ids, traceparent 01 vs sentry-trace without flag',
    headers: { traceparent: tp(A, A_SPAN, '1'), 'sentry-trace': st(A, A_SPAN, 'absent'), baggage: 'tenant=acme' },
    trace: A,
    parent: A_SPAN,
    decision: 'sampled',
    dsc: 'frozen',
    tracestate: false,
  });
  return out;
}

/** The local sampler for a new root or a deferred parent: the ratio sampler at the configured rate. */
function localDecision(traceId: string): boolean {
  return ratioSamples(traceId, DSC_OPTIONS.sampleRate);
}

describe('extract → child → inject, table-driven', () => {
  const propagator = defaultPropagator();
  let rootCounter = 0;

  it.each(rows())('$name', (row) => {
    const ctx = extract(propagator, row.headers);
    const parent = trace.getSpanContext(ctx);

    // --- extraction
    if (row.trace === null) {
      expect(parent).toBeUndefined();
      expect(isSamplingDeferred(ctx)).toBe(false);
    } else {
      expect(parent).toMatchObject({ traceId: row.trace, spanId: row.parent, isRemote: true });
      expect(isSamplingDeferred(ctx)).toBe(row.decision === 'deferred');
      const sampledFlag = ((parent?.traceFlags ?? 0) & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
      expect(sampledFlag).toBe(row.decision === 'sampled');
      expect(parent?.traceState?.serialize()).toBe(row.tracestate ? TRACESTATE : undefined);
    }
    expect(propagation.getBaggage(ctx)?.getAllEntries().map(([k, e]) => [k, e.value])).toEqual([['tenant', 'acme']]);
    const incomingDsc = getDynamicSamplingContext(ctx);
    if (row.dsc === 'incoming') expect(incomingDsc).toEqual(frontEndDsc(row.trace ?? ''));
    else if (row.dsc === 'frozen') expect(incomingDsc).toEqual({ trace_id: row.trace, sample_rand: String(sampleRandFromTraceId(row.trace ?? '')) });
    else expect(incomingDsc).toBeUndefined();

    // --- the child span the SDK would start, and what it sends on
    let child: Context;
    let sampled: boolean;
    if (row.decision === 'new-root') {
      const traceId = traceIdFrom(1000 + rootCounter++);
      sampled = localDecision(traceId);
      child = childOf(ctx, sampled, traceId);
    } else {
      sampled = row.decision === 'deferred' ? localDecision(row.trace ?? '') : row.decision === 'sampled';
      child = childOf(ctx, sampled);
    }
    const sc = trace.getSpanContext(child);
    const traceId = sc?.traceId ?? '';
    expect(isSamplingDeferred(child)).toBe(false); // the marker applies to the remote parent only
    const { headers, writes } = inject(propagator, child);

    expect(headers.traceparent).toBe(`00-${traceId}-${sc?.spanId}-${sampled ? '01' : '00'}`);
    expect(headers.traceparent).toMatch(TRACEPARENT_OUT);
    expect(headers['sentry-trace']).toBe(`${traceId}-${sc?.spanId}-${sampled ? '1' : '0'}`);
    expect(headers['sentry-trace']).toMatch(SENTRY_TRACE_OUT);
    expect(headers.tracestate).toBe(row.tracestate ? TRACESTATE : undefined);
    expect(writes.filter(([k]) => k === 'baggage')).toHaveLength(1);
    expect(baggageMembers(headers.baggage).get('tenant')).toBe('acme');

    const dsc = dscOf(headers.baggage);
    if (row.dsc === 'incoming') {
      expect(dsc).toEqual(frontEndDsc(traceId));
    } else if (row.dsc === 'frozen') {
      expect(dsc).toEqual({ trace_id: traceId, sample_rand: String(sampleRandFromTraceId(traceId)) });
    } else {
      expect(dsc).toEqual({
        trace_id: traceId,
        public_key: DSC_OPTIONS.publicKey,
        org_id: DSC_OPTIONS.orgId,
        environment: DSC_OPTIONS.environment,
        release: DSC_OPTIONS.release,
        sample_rate: String(DSC_OPTIONS.sampleRate),
        sampled: String(sampled),
        sample_rand: expect.stringMatching(/^0(\.\d+)?(e-\d+)?$|^\d\.\d+e-\d+$/),
      });
      expect(Number(dsc.sample_rand) < DSC_OPTIONS.sampleRate).toBe(sampled);
    }
  });
});
