/**
 * Issue 17 item 9, table-driven: the DSC a child sends on after each kind of incoming trace
 * (getsentry/sentry-docs `develop-docs/sdk/telemetry/traces/dynamic-sampling-context.mdx` and
 * `develop-docs/sdk/telemetry/traces/index.mdx`, "Propagated Random Value").
 */
import { describe, expect, it } from 'vitest';
import { orgIdFromDsn, sampleRandFromTraceId } from '../../../src/propagation/index.js';
import { DSC_OPTIONS, childOf, defaultPropagator, dscOf, extract, inject } from './helpers.js';

const T = '0af7651916cd43dd8448eb211c80319c';
const S = 'b7ad6b7169203331';
const RAND = String(sampleRandFromTraceId(T));

interface Row {
  name: string;
  headers: Record<string, string>;
  /** The child's sampled flag (what the SDK decided under that parent). */
  sampled: boolean;
  dsc: Record<string, unknown>;
}

const ROWS: Row[] = [
  {
    name: 'new trace: a head DSC with org_id from the options',
    headers: {},
    sampled: true,
    dsc: { public_key: DSC_OPTIONS.publicKey, org_id: DSC_OPTIONS.orgId, sample_rate: '0.5', sampled: 'true' },
  },
  {
    name: 'sentry-trace without sentry-* baggage: frozen empty DSC (trace_id + derived sample_rand), no head fields',
    headers: { 'sentry-trace': `${T}-${S}-1`, baggage: 'tenant=acme' },
    sampled: true,
    dsc: { trace_id: T, sample_rand: RAND },
  },
  {
    name: 'traceparent + same-trace sentry-trace without DSC: frozen empty DSC too',
    headers: { traceparent: `00-${T}-${S}-01`, 'sentry-trace': `${T}-${S}-1` },
    sampled: true,
    dsc: { trace_id: T, sample_rand: RAND },
  },
  {
    name: 'traceparent only (not a Sentry SDK upstream): this process heads the DSC',
    headers: { traceparent: `00-${T}-${S}-01` },
    sampled: true,
    dsc: { trace_id: T, public_key: DSC_OPTIONS.publicKey, org_id: DSC_OPTIONS.orgId, sampled: 'true' },
  },
  {
    name: 'incoming DSC without sample_rand, sampled at 0.25: one in [0, 0.25) is derived and passed on',
    headers: { 'sentry-trace': `${T}-${S}-1`, baggage: `sentry-trace_id=${T},sentry-public_key=up,sentry-sample_rate=0.25,sentry-sampled=true` },
    sampled: true,
    dsc: { trace_id: T, public_key: 'up', sample_rate: '0.25', sampled: 'true', sample_rand: expect.toSatisfy((r: string) => Number(r) >= 0 && Number(r) < 0.25) },
  },
  {
    name: 'incoming DSC without sample_rand, not sampled at 0.25 (flag from sentry-trace): one in [0.25, 1)',
    headers: { 'sentry-trace': `${T}-${S}-0`, baggage: `sentry-trace_id=${T},sentry-sample_rate=0.25` },
    sampled: false,
    dsc: { trace_id: T, sample_rate: '0.25', sample_rand: expect.toSatisfy((r: string) => Number(r) >= 0.25 && Number(r) < 1) },
  },
  {
    name: 'incoming DSC with an invalid sample_rand: replaced by a derived one',
    headers: { 'sentry-trace': `${T}-${S}-1`, baggage: `sentry-trace_id=${T},sentry-sample_rand=1.5` },
    sampled: true,
    dsc: { trace_id: T, sample_rand: RAND },
  },
  {
    name: 'incoming DSC with sample_rand: passed on unchanged (frozen), org_id and transaction included',
    headers: {
      'sentry-trace': `${T}-${S}-1`,
      baggage: `sentry-trace_id=${T},sentry-org_id=9,sentry-transaction=%2Fcheckout,sentry-sample_rate=0.1,sentry-sampled=true,sentry-sample_rand=0.05`,
    },
    sampled: true,
    dsc: { trace_id: T, org_id: '9', transaction: '/checkout', sample_rate: '0.1', sampled: 'true', sample_rand: '0.05' },
  },
];

describe('DSC after each kind of incoming trace', () => {
  const propagator = defaultPropagator();
  it.each(ROWS)('$name', (row) => {
    const ctx = extract(propagator, row.headers);
    const { headers } = inject(propagator, childOf(ctx, row.sampled));
    const dsc = dscOf(headers.baggage);
    if (Object.keys(row.headers).length === 0 || !('sentry-trace' in row.headers)) expect(dsc).toMatchObject(row.dsc);
    else expect(dsc).toEqual(row.dsc);
    if (dsc.sample_rate !== undefined && dsc.sampled !== undefined) expect(Number(dsc.sample_rand) < Number(dsc.sample_rate)).toBe(dsc.sampled === 'true');
  });
});

describe('org_id from the DSN', () => {
  it.each([
    ['https://key@o123.ingest.us.sentry.io/456', '123'],
    ['https://key@o1.ingest.sentry.io/2', '1'],
    ['https://key@sentry.example.com/2', undefined],
    ['http://key@127.0.0.1:9000/1', undefined],
    ['not a url', undefined],
  ])('%s → %s', (dsn, orgId) => {
    expect(orgIdFromDsn(dsn)).toBe(orgId);
  });
});
