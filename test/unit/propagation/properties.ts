/**
 * Property-based checks of the propagator, as reusable fast-check properties: the unit suite runs them FUZZ_RUNS
 * times, the reliability suite can import them and run 100k.
 *
 * The oracles here are written independently of the implementation: what a valid traceparent / sentry-trace is
 * (W3C trace-context and Sentry's header format, with the duplicate/size rules of docs/propagation.md) and what a
 * valid outgoing header looks like.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import {
  ROOT_CONTEXT,
  TraceFlags,
  baggageEntryMetadataFromString,
  defaultTextMapGetter,
  isSpanContextValid,
  propagation,
  trace,
  type BaggageEntry,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';
import { createPropagator, getDynamicSamplingContext, isSamplingDeferred, type DscOptions } from '../../../src/propagation/index.js';
import { BAGGAGE_MEMBER_OUT, SENTRY_TRACE_OUT, TRACEPARENT_OUT, baggageMembers, dscOf, recordingSetter } from './helpers.js';

// ---------------------------------------------------------------- generators

const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const traceId = fc.oneof({ weight: 9, arbitrary: hex(32) }, { weight: 1, arbitrary: fc.constant('0'.repeat(32)) });
const spanId = fc.oneof({ weight: 9, arbitrary: hex(16) }, { weight: 1, arbitrary: fc.constant('0'.repeat(16)) });
const anyText = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }), // lone surrogates too
  fc.string({ unit: 'binary-ascii' }),
);

/** Mutations that turn a well-formed header into a near-miss (or leave it valid). */
function mutate(value: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(value) },
    fc.nat(value.length).chain((i) => fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 1 }).map((c) => value.slice(0, i) + c + value.slice(i + 1))),
    fc.nat(value.length).map((i) => value.slice(0, i)),
    fc.nat(value.length).chain((i) => fc.constantFrom(' ', '\t', '-', ',', '0', '\n').map((c) => value.slice(0, i) + c + value.slice(i))),
    fc.constant(value.toUpperCase()),
    fc.constant(` ${value} `),
    fc.constant(`${value}${' '.repeat(600)}`),
  );
}

// Built once: constructing arbitraries (stringMatching parses its regex) inside `chain` would dominate the run time.
const hex2 = fc.oneof(hex(2), fc.constantFrom('00', '01'));
const version = fc.constantFrom('00', '01', 'ff', 'cc');
const tail = fc.constantFrom('', '-', '-abc', '-0');
const sentryFlag = fc.constantFrom('', '-0', '-1', '-2', '-');
const baggagePairs = fc.array(
  fc.oneof(
    fc.tuple(fc.constantFrom('sentry-trace_id', 'sentry-public_key', 'sentry-sampled', 'sentry-sample_rand', 'sentry-x(y)'), anyText),
    fc.tuple(anyText, anyText),
    fc.tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[a-z0-9%]{0,12}$/)),
  ),
  { maxLength: 40 },
);

const traceparentText = (t: string) =>
  fc
    .tuple(version, fc.oneof(fc.constant(t), traceId), spanId, hex2, tail)
    .map(([v, tid, sid, f, rest]) => `${v}-${tid}-${sid}-${f}${rest}`)
    .chain(mutate);
const sentryTraceText = (t: string) =>
  fc
    .tuple(fc.oneof(fc.constant(t), traceId), spanId, sentryFlag)
    .map(([tid, sid, f]) => `${tid}-${sid}${f}`)
    .chain(mutate);
/** Baggage with junk, user members and (often) a DSC for trace `t`, the one the trace headers usually carry. */
const baggageText = (t: string) =>
  fc
    .tuple(
      baggagePairs,
      fc.option(fc.constantFrom(`sentry-trace_id=${t}`, `sentry-trace_id=${t},sentry-public_key=fe,sentry-sampled=true`, `sentry-public_key=fe`), { nil: undefined }),
    )
    .map(([pairs, dsc]) => [...pairs.map(([k, v]) => `${k}=${v}`), ...(dsc === undefined ? [] : [dsc])].join(','))
    .chain(mutate);

function headerValue(text: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: text },
    fc.array(text, { minLength: 1, maxLength: 3 }),
    fc.array(fc.oneof(text, fc.anything()), { maxLength: 3 }),
    anyText,
    fc.constant('x'.repeat(20_000)),
    fc.jsonValue(),
    fc.anything(),
  );
}

/** HTTP-header-like records, message-carrier-like JSON records, and outright junk. */
export const carrierArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: traceId.chain((t) =>
      fc
        .tuple(
          fc.record(
            {
              traceparent: headerValue(traceparentText(t)),
              tracestate: headerValue(fc.constantFrom('congo=t61rcWkgMzE', 'a=1,b=2', 'bad key=1', '')),
              'sentry-trace': headerValue(sentryTraceText(t)),
              baggage: headerValue(baggageText(t)),
            },
            { requiredKeys: [] },
          ),
          fc.dictionary(anyText, fc.jsonValue(), { maxKeys: 3 }),
        )
        .map(([headers, extra]) => ({ ...extra, ...headers })),
    ),
  },
  fc.anything(),
);

const dscOptionsArb: fc.Arbitrary<DscOptions> = fc.record(
  {
    publicKey: anyText,
    environment: anyText,
    release: anyText,
    sampleRate: fc.oneof(fc.double(), fc.double({ min: 0, max: 1, noNaN: true })),
  },
  { requiredKeys: [] },
);

const baggageArb = fc.oneof(
  fc.dictionary(anyText, fc.record({ value: anyText, metadata: fc.option(anyText, { nil: undefined }) }, { requiredKeys: ['value'] }), {
    maxKeys: 250,
  }),
  // many tiny members: the 180-member limit bites before the byte limit
  fc.dictionary(fc.stringMatching(/^[a-z0-9]{1,4}$/), fc.record({ value: fc.stringMatching(/^[a-z]{1,3}$/) }), { minKeys: 150, maxKeys: 300 }),
);

const spanContextArb: fc.Arbitrary<SpanContext> = fc.record({
  traceId: fc.oneof({ weight: 8, arbitrary: traceId }, { weight: 1, arbitrary: anyText }),
  spanId: fc.oneof({ weight: 8, arbitrary: spanId }, { weight: 1, arbitrary: anyText }),
  traceFlags: fc.oneof(fc.constantFrom(0, 1), fc.integer({ min: 0, max: 255 }), fc.integer()),
  isRemote: fc.boolean(),
});

// ---------------------------------------------------------------- oracles

function single(value: unknown, maxLength: number): string | undefined {
  const values = Array.isArray(value) ? value : [value];
  if (values.length === 0 || values.length > 32 || values.some((v) => typeof v !== 'string' || v.length > maxLength)) return undefined;
  return new Set(values).size === 1 ? (values[0] as string) : undefined;
}

interface Parent {
  traceId: string;
  spanId: string;
  sampled: boolean;
  deferred: boolean;
}

/** W3C trace-context §3.2 (and the OTel JS acceptance of future versions). */
function oracleTraceparent(value: unknown): Parent | undefined {
  const text = single(value, 512);
  const m = text === undefined ? null : /^\s?([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?\s?$/.exec(text);
  if (m === null) return undefined;
  const [, version, t = '', s = '', flags = '', rest] = m;
  if (version === 'ff' || (version === '00' && rest !== undefined) || /^0+$/.test(t) || /^0+$/.test(s)) return undefined;
  return { traceId: t, spanId: s, sampled: (parseInt(flags, 16) & 1) === 1, deferred: false };
}

/** Sentry's `{trace_id}-{span_id}[-{0|1}]`, with optional surrounding blanks. */
function oracleSentryTrace(value: unknown): Parent | undefined {
  const text = single(value, 512);
  const m = text === undefined ? null : /^[ \t]*([0-9a-f]{32})-([0-9a-f]{16})(?:-([01]))?[ \t]*$/.exec(text);
  if (m === null) return undefined;
  const [, t = '', s = '', flag] = m;
  if (/^0+$/.test(t) || /^0+$/.test(s)) return undefined;
  return { traceId: t, spanId: s, sampled: flag === '1', deferred: flag === undefined };
}

function field(carrier: unknown, key: string): unknown {
  return typeof carrier === 'object' && carrier !== null ? (carrier as Record<string, unknown>)[key] : undefined;
}

// ---------------------------------------------------------------- checks

function checkOutgoing(ctx: Context, dscOptions: DscOptions): Record<string, string> {
  const propagator = createPropagator([], { dsc: dscOptions });
  const headers: Record<string, string> = {};
  const { setter, writes } = recordingSetter();
  propagator.inject(ctx, headers, setter);

  const keys = writes.map(([k]) => k);
  expect(new Set(keys).size).toBe(keys.length); // every field written once: no overwritten baggage
  const sc = trace.getSpanContext(ctx);
  const valid = sc !== undefined && isSpanContextValid(sc);
  expect(headers.traceparent !== undefined).toBe(valid);
  expect(headers['sentry-trace'] !== undefined).toBe(valid);
  if (headers.traceparent !== undefined) expect(headers.traceparent).toMatch(TRACEPARENT_OUT);
  if (headers['sentry-trace'] !== undefined) expect(headers['sentry-trace']).toMatch(SENTRY_TRACE_OUT);
  if (headers.tracestate !== undefined) expect(headers.tracestate).toMatch(/^[\x20-\x7e]{1,512}$/);
  if (headers.baggage !== undefined) {
    expect(Buffer.byteLength(headers.baggage, 'utf8')).toBeLessThanOrEqual(8192);
    const members = headers.baggage.split(',');
    expect(members.length).toBeLessThanOrEqual(180);
    for (const member of members) expect(member).toMatch(BAGGAGE_MEMBER_OUT);
  }
  if (valid) {
    // the DSC is never dropped, and always describes the trace it travels with
    expect(dscOf(headers.baggage).trace_id).toBe(sc.traceId.toLowerCase());
  }
  return headers;
}

/** Arbitrary carriers: never throws; continues a trace exactly when the oracle says a header is valid. */
export const extractProperty = fc.property(carrierArb, (carrier) => {
  const propagator = createPropagator([], { dsc: { publicKey: 'k', sampleRate: 0.5 } });
  const ctx = propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
  const expected = oracleTraceparent(field(carrier, 'traceparent')) ?? oracleSentryTrace(field(carrier, 'sentry-trace'));
  const sc = trace.getSpanContext(ctx);
  if (expected === undefined) {
    expect(sc).toBeUndefined();
    expect(getDynamicSamplingContext(ctx)).toBeUndefined();
  } else {
    expect(sc).toMatchObject({ traceId: expected.traceId, spanId: expected.spanId, isRemote: true });
    expect(((sc?.traceFlags ?? 0) & TraceFlags.SAMPLED) === TraceFlags.SAMPLED).toBe(expected.sampled);
    expect(isSamplingDeferred(ctx)).toBe(expected.deferred);
    const dsc = getDynamicSamplingContext(ctx);
    if (dsc !== undefined) expect(dsc.trace_id).toBe(expected.traceId);
  }
  for (const [key] of propagation.getBaggage(ctx)?.getAllEntries() ?? []) expect(key.startsWith('sentry-')).toBe(false);
  // and whatever was extracted, a child sends valid headers on
  const child = sc === undefined ? ctx : trace.setSpanContext(ctx, { ...sc, spanId: 'c0ffee00c0ffee00', isRemote: false });
  const out = checkOutgoing(child, { publicKey: 'k', sampleRate: 0.5 });
  const incoming = getDynamicSamplingContext(child);
  if (incoming !== undefined) expect(dscOf(out.baggage)).toEqual(incoming); // passed on unchanged
});

/** Arbitrary span contexts, user baggage (any unicode, lone surrogates, metadata) and DSC options: valid headers out. */
export const injectProperty = fc.property(spanContextArb, baggageArb, dscOptionsArb, (sc, entries, dscOptions) => {
  const baggage: Record<string, BaggageEntry> = {};
  for (const [key, entry] of Object.entries(entries)) {
    const { value, metadata } = entry as { value: string; metadata?: string };
    baggage[key] = metadata === undefined ? { value } : { value, metadata: baggageEntryMetadataFromString(metadata) };
  }
  const ctx = propagation.setBaggage(trace.setSpanContext(ROOT_CONTEXT, sc), propagation.createBaggage(baggage));
  checkOutgoing(ctx, dscOptions);
});

/** inject → (JSON message hop) → extract gives back the same parent, decision, DSC and the user members sent. */
export const roundTripProperty = fc.property(
  traceId.filter((t) => !/^0+$/.test(t)),
  spanId.filter((s) => !/^0+$/.test(s)),
  fc.boolean(),
  fc.dictionary(fc.stringMatching(/^[a-zA-Z0-9 ._()é-]{1,12}$/), fc.string({ minLength: 1, maxLength: 40 }), { maxKeys: 20 }),
  dscOptionsArb,
  (t, s, sampled, entries, dscOptions) => {
    const propagator = createPropagator([], { dsc: dscOptions });
    const baggage = Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { value: v }]));
    const ctx = propagation.setBaggage(
      trace.setSpanContext(ROOT_CONTEXT, { traceId: t, spanId: s, traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE }),
      propagation.createBaggage(baggage),
    );
    const headers: Record<string, string> = {};
    propagator.inject(ctx, headers, { set: (c: Record<string, string>, k, v) => void (c[k] = v) });
    const message = JSON.parse(JSON.stringify({ headers })) as { headers: Record<string, unknown> };
    const back = propagator.extract(ROOT_CONTEXT, message.headers, defaultTextMapGetter);

    expect(trace.getSpanContext(back)).toMatchObject({ traceId: t, spanId: s, isRemote: true, traceFlags: sampled ? 1 : 0 });
    expect(isSamplingDeferred(back)).toBe(false);
    expect(getDynamicSamplingContext(back)).toEqual(dscOf(headers.baggage));
    const sent = baggageMembers(headers.baggage);
    const received = new Map((propagation.getBaggage(back)?.getAllEntries() ?? []).map(([k, e]) => [k, e.value]));
    for (const [k, v] of received) expect(sent.get(k)).toBe(v);
    for (const [k, v] of Object.entries(entries)) if (!k.startsWith('sentry-')) expect(received.get(k)).toBe(v);
  },
);
