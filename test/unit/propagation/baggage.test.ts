/** The single merged baggage header: user members + DSC, limits, and the Sentry front-end hand-off. */
import { describe, expect, it } from 'vitest';
import { ROOT_CONTEXT, TraceFlags, baggageEntryMetadataFromString, propagation, trace, type Context } from '@opentelemetry/api';
import { CompositePropagator, W3CBaggagePropagator } from '@opentelemetry/core';
import {
  BAGGAGE_MAX_BYTES,
  BAGGAGE_MAX_MEMBERS,
  SentryPropagator,
  createPropagator,
  getDynamicSamplingContext,
} from '../../../src/propagation/index.js';
import { BAGGAGE_MEMBER_OUT, DSC_OPTIONS, baggageMembers, childOf, defaultPropagator, dscOf, extract, inject, traceIdFrom } from './helpers.js';

const DSC_KEYS = ['trace_id', 'public_key', 'org_id', 'sample_rate', 'sampled', 'environment', 'release', 'sample_rand'];

function agentContext(entries: Record<string, string>, sampled = true): Context {
  const withSpan = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: traceIdFrom(7),
    spanId: '1111222233334444',
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
  });
  return propagation.setBaggage(
    withSpan,
    propagation.createBaggage(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { value: v }]))),
  );
}

function expectValidBaggage(header: string | undefined): void {
  expect(header).toBeDefined();
  expect(Buffer.byteLength(header ?? '', 'utf8')).toBeLessThanOrEqual(BAGGAGE_MAX_BYTES);
  const members = (header ?? '').split(',');
  expect(members.length).toBeLessThanOrEqual(BAGGAGE_MAX_MEMBERS);
  for (const member of members) expect(member).toMatch(BAGGAGE_MEMBER_OUT);
}

describe('one baggage header', () => {
  it('an agent request carries exactly one baggage header with user entries and the full DSC', () => {
    const { headers, writes } = inject(defaultPropagator(), agentContext({ 'agent.name': 'planner', tenant: 'acme corp' }));
    expect(writes.filter(([key]) => key === 'baggage')).toHaveLength(1);
    expectValidBaggage(headers.baggage);
    const members = baggageMembers(headers.baggage);
    expect(members.get('agent.name')).toBe('planner');
    expect(members.get('tenant')).toBe('acme corp');
    const dsc = dscOf(headers.baggage);
    expect(Object.keys(dsc).sort()).toEqual([...DSC_KEYS].sort());
    expect(dsc).toMatchObject({
      trace_id: traceIdFrom(7),
      public_key: DSC_OPTIONS.publicKey,
      sample_rate: '0.5',
      sampled: 'true',
      environment: DSC_OPTIONS.environment,
      release: DSC_OPTIONS.release,
    });
  });

  it('documents the bug it avoids: a naive composite loses one side', () => {
    const naive = new CompositePropagator({ propagators: [new W3CBaggagePropagator(), new SentryPropagator({ dsc: DSC_OPTIONS })] });
    const { headers, writes } = inject(naive, agentContext({ tenant: 'acme' }));
    expect(writes.filter(([key]) => key === 'baggage')).toHaveLength(2);
    expect(baggageMembers(headers.baggage).has('tenant')).toBe(false); // overwritten by the DSC-only header
  });

  it('order of OTEL_PROPAGATORS names does not change the result', () => {
    const ctx = agentContext({ tenant: 'acme' });
    const a = inject(createPropagator(['sentry', 'baggage', 'tracecontext'], { dsc: DSC_OPTIONS }), ctx).headers;
    const b = inject(defaultPropagator(), ctx).headers;
    expect(a).toEqual(b);
  });

  it('a user baggage entry named sentry-* never overrides the DSC', () => {
    const { headers } = inject(defaultPropagator(), agentContext({ 'sentry-trace_id': 'f'.repeat(32), 'sentry-release': 'spoofed', tenant: 'acme' }));
    expect(dscOf(headers.baggage).trace_id).toBe(traceIdFrom(7));
    expect(dscOf(headers.baggage).release).toBe(DSC_OPTIONS.release);
    expect(headers.baggage?.match(/sentry-release=/g)).toHaveLength(1);
  });

  it('keeps valid entry metadata (properties) and drops metadata that would break the header', () => {
    const withSpan = agentContext({});
    const ctx = propagation.setBaggage(
      withSpan,
      propagation.createBaggage({
        good: { value: 'v1', metadata: baggageEntryMetadataFromString('prop1;prop2=x') },
        bad: { value: 'v2', metadata: baggageEntryMetadataFromString('p=1,evil=2') },
      }),
    );
    const { headers } = inject(defaultPropagator(), ctx);
    expectValidBaggage(headers.baggage);
    expect(headers.baggage).toContain('good=v1;prop1;prop2=x');
    expect(headers.baggage).toContain('bad=v2');
    expect(headers.baggage).not.toContain('evil');
  });

  it('checks metadata in time linear in its length (a blank run from an incoming header), trimming only blanks', () => {
    const ctxWith = (metadata: string) =>
      propagation.setBaggage(agentContext({}), propagation.createBaggage({ m: { value: 'v', metadata: baggageEntryMetadataFromString(metadata) } }));
    const propagator = defaultPropagator();
    // p, a blank run, then a character that is not a blank: the trailing-blank regex failed from every blank
    const hostile = (length: number) => ctxWith(`p${' '.repeat(length)}x`);
    const perCall = (ctx: Context): number => {
      let calls = 0;
      const start = performance.now();
      do {
        inject(propagator, ctx);
        calls++;
      } while (performance.now() - start < 5);
      return (performance.now() - start) / calls;
    };
    const [small, large] = [hostile(250), hostile(4000)];
    perCall(small);
    perCall(large);
    const smalls: number[] = [];
    const larges: number[] = [];
    for (let trial = 0; trial < 15; trial++) {
      smalls.push(perCall(small));
      larges.push(perCall(large));
    }
    // at most 16 if linear (measured ~1-2: an injection's fixed cost dominates); the quadratic trim measured 65-136
    expect(Math.min(...larges) / Math.min(...smalls)).toBeLessThanOrEqual(16);
    expect(inject(propagator, ctxWith(' \tprop1 ;  prop2=x\t')).headers.baggage).toContain('m=v; \tprop1 ;  prop2=x\t');
    expect(inject(propagator, ctxWith('prop1;\nprop2')).headers.baggage).not.toContain('prop1');
  });

  it('percent-encodes keys and values so each member is key=value', () => {
    const { headers } = inject(defaultPropagator(), agentContext({ 'a key (1)': 'a,b;c=d é', 'ü': '"quoted"' }));
    expectValidBaggage(headers.baggage);
    const members = baggageMembers(headers.baggage);
    expect(members.get('a key (1)')).toBe('a,b;c=d é');
    expect(members.get('ü')).toBe('"quoted"');
  });

  it('without a valid span context: user members only, no DSC', () => {
    const ctx = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ tenant: { value: 'acme' } }));
    const { headers } = inject(defaultPropagator(), ctx);
    expect(headers).toEqual({ baggage: 'tenant=acme' });
  });

  it('sentry alone sends the DSC only; baggage alone sends user members (sentry-* included) only', () => {
    const ctx = agentContext({ tenant: 'acme', 'sentry-x': 'y' });
    const sentryOnly = inject(createPropagator(['sentry'], { dsc: DSC_OPTIONS }), ctx).headers;
    expect(baggageMembers(sentryOnly.baggage).has('tenant')).toBe(false);
    expect(dscOf(sentryOnly.baggage).trace_id).toBe(traceIdFrom(7));
    const baggageOnly = inject(createPropagator(['baggage'], { dsc: DSC_OPTIONS }), ctx).headers;
    expect(baggageOnly).toEqual({ baggage: 'tenant=acme,sentry-x=y' });
  });
});

describe('W3C limits: user members dropped first, DSC kept', () => {
  it('many small user members: ≤ 180 members, DSC complete', () => {
    const entries: Record<string, string> = {};
    for (let i = 0; i < 500; i++) entries[`k${i}`] = `v${i}`;
    const { headers } = inject(defaultPropagator(), agentContext(entries));
    expectValidBaggage(headers.baggage);
    expect(headers.baggage?.split(',')).toHaveLength(BAGGAGE_MAX_MEMBERS);
    expect(Object.keys(dscOf(headers.baggage)).sort()).toEqual([...DSC_KEYS].sort());
  });

  it('huge user members: header ≤ 8192 bytes, DSC complete, smaller members still fit', () => {
    const entries: Record<string, string> = { big1: 'x'.repeat(3000), big2: 'y'.repeat(3000), big3: 'z'.repeat(3000), huge: 'h'.repeat(5000), small: 's' };
    const { headers } = inject(defaultPropagator(), agentContext(entries));
    expectValidBaggage(headers.baggage);
    const members = baggageMembers(headers.baggage);
    expect(Object.keys(dscOf(headers.baggage)).sort()).toEqual([...DSC_KEYS].sort());
    expect(members.has('huge')).toBe(false); // > 4096 bytes on its own
    expect(members.get('small')).toBe('s');
    expect(members.has('big1') && members.has('big2')).toBe(true);
    expect(members.has('big3')).toBe(false);
  });

  it('multi-byte user values are counted in encoded bytes', () => {
    const { headers } = inject(defaultPropagator(), agentContext({ a: '€'.repeat(1300), b: '€'.repeat(1300), c: '€'.repeat(1300) }));
    expectValidBaggage(headers.baggage);
  });

  it('a large incoming DSC is passed on whole while user members make room', () => {
    const traceId = traceIdFrom(8);
    const bigTransaction = 't'.repeat(3000);
    const incoming = {
      'sentry-trace': `${traceId}-aaaabbbbccccdddd-1`,
      baggage: [`sentry-trace_id=${traceId}`, 'sentry-public_key=fe', `sentry-transaction=${bigTransaction}`, `u1=${'u'.repeat(3000)}`, `u2=${'v'.repeat(3000)}`].join(','),
    };
    const propagator = defaultPropagator();
    const { headers } = inject(propagator, childOf(extract(propagator, incoming), true));
    expectValidBaggage(headers.baggage);
    // sample_rand is the one member added to an incoming DSC (derived when missing); see dsc.test.ts
    expect(dscOf(headers.baggage)).toEqual({ trace_id: traceId, public_key: 'fe', transaction: bigTransaction, sample_rand: expect.any(String) });
    expect(baggageMembers(headers.baggage).has('u1')).toBe(true);
    expect(baggageMembers(headers.baggage).has('u2')).toBe(false);
  });

  it('incoming: more than 180 user members are cut at 180, the DSC is still read', () => {
    const traceId = traceIdFrom(9);
    const user = Array.from({ length: 300 }, (_, i) => `k${i}=v`);
    const propagator = defaultPropagator();
    const ctx = extract(propagator, {
      'sentry-trace': `${traceId}-aaaabbbbccccdddd-1`,
      baggage: [...user, `sentry-trace_id=${traceId}`, 'sentry-public_key=fe'].join(','),
    });
    expect(propagation.getBaggage(ctx)?.getAllEntries()).toHaveLength(BAGGAGE_MAX_MEMBERS);
    expect(getDynamicSamplingContext(ctx)).toEqual({ trace_id: traceId, public_key: 'fe', sample_rand: expect.any(String) });
  });

  it('incoming: a DSC trace_id in another case is the same trace, passed on in lowercase (fast-check counterexample)', () => {
    const traceId = 'fb1bad75cf5ecbabdb29089baaced5cc';
    const ctx = extract(defaultPropagator(), {
      'sentry-trace': `${traceId}-0e37832610edad68-0`,
      baggage: 'sentry-sampled=false,sentry-trace_id=fb1bad75cf5ecbabdb29089baacEd5cc',
    });
    expect(getDynamicSamplingContext(ctx)).toEqual({ trace_id: traceId, sampled: 'false', sample_rand: expect.any(String) });
    const { headers } = inject(defaultPropagator(), childOf(ctx, false));
    expect(dscOf(headers.baggage).trace_id).toBe(traceId);
  });

  it('incoming: a baggage header over 16 KB is ignored whole', () => {
    const ctx = extract(defaultPropagator(), { baggage: `a=b,${'x=y,'.repeat(5000)}` });
    expect(propagation.getBaggage(ctx)).toBeUndefined();
  });
});

/** The same list as two header lines (string[]), split after the n-th member. */
function splitAtComma(header: string, n: number): string[] {
  const members = header.split(',');
  return [members.slice(0, n).join(','), members.slice(n).join(',')];
}

describe('Sentry front end → bridged agent', () => {
  // What @sentry/browser sends: sentry-trace (sampled) + baggage holding only its DSC.
  const traceId = '771a43a4192642f0b136d5159a501700';
  const frontEnd = {
    'sentry-trace': `${traceId}-a1b2c3d4e5f60718-1`,
    baggage:
      'sentry-environment=production,sentry-release=frontend%401.0.0,sentry-public_key=49d0f7386ad645858ae85020e393bef3,' +
      `sentry-trace_id=${traceId},sentry-sample_rate=0.2,sentry-transaction=GET%20%2Fcheckout,sentry-sampled=true,sentry-sample_rand=0.0123`,
  };

  it('continues the trace id and passes the incoming DSC on unchanged (also over Node-style duplicate headers)', () => {
    const propagator = defaultPropagator();
    for (const carrier of [frontEnd, { ...frontEnd, baggage: splitAtComma(frontEnd.baggage, 3) }]) {
      const ctx = extract(propagator, carrier);
      expect(trace.getSpanContext(ctx)?.traceId).toBe(traceId);
      const child = childOf(ctx, true);
      const userCtx = propagation.setBaggage(child, propagation.createBaggage({ 'agent.name': { value: 'planner' } }));
      const { headers, writes } = inject(propagator, userCtx);
      expect(headers['sentry-trace']).toMatch(new RegExp(`^${traceId}-[0-9a-f]{16}-1$`));
      expect(writes.filter(([k]) => k === 'baggage')).toHaveLength(1);
      expect(dscOf(headers.baggage)).toEqual(dscOf(frontEnd.baggage));
      expect(baggageMembers(headers.baggage).get('agent.name')).toBe('planner');
    }
  });

  it('a new root span inside that request (another trace) gets a fresh DSC, not the front end\'s', () => {
    const propagator = defaultPropagator();
    const ctx = extract(propagator, frontEnd);
    const otherTrace = childOf(ctx, true, traceIdFrom(77));
    const dsc = dscOf(inject(propagator, otherTrace).headers.baggage);
    expect(dsc.trace_id).toBe(traceIdFrom(77));
    expect(dsc.public_key).toBe(DSC_OPTIONS.publicKey);
  });
});
