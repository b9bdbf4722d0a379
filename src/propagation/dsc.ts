/**
 * The Sentry dynamic sampling context (DSC): the `sentry-*` members of baggage.
 *
 * Incoming: kept in the OTel context, bound to the trace it arrived with, and passed on unchanged while that trace
 * continues (frozen: getsentry/sentry-docs `develop-docs/sdk/telemetry/traces/dynamic-sampling-context.mdx`,
 * "Freezing Dynamic Sampling Context"). A DSC whose `trace_id` is not the trace actually continued (no trace
 * continued, or a traceparent for another trace won) describes someone else's trace and is dropped. The one
 * addition: an incoming DSC without a usable `sample_rand` gets one, as `develop-docs/sdk/telemetry/traces/index.mdx`
 * ("Propagated Random Value") asks — inside the interval that agrees with the propagated `sample_rate` and
 * decision, else from the trace id. A trace continued from `sentry-trace` without `sentry-*` baggage has a frozen
 * empty DSC (only `trace_id` and that `sample_rand`): the head was a Sentry SDK, so this process must not invent
 * the head's fields.
 * Outgoing without one: this process is the head of the Sentry trace and creates the DSC from the options and
 * the span's decision and decided rate (`sentry.client_sample_rate`, the same number Relay reads on the spans).
 */
import { TraceFlags, createContextKey, trace, type Context, type SpanContext } from '@opentelemetry/api';
import type { DynamicSamplingContext } from '@sentry/core';
import { parseRate, spanSampleRate } from './client-sample-rate.js';
import { isSamplingDeferred } from './deferred-sampling.js';
import { BAGGAGE_MAX_BYTES, DSC_MAX_MEMBERS } from './limits.js';
import { sampleRandForDecision, sampleRandFromTraceId } from './sample-rand.js';

/** The baggage key prefix of DSC members (@sentry/core `SENTRY_BAGGAGE_KEY_PREFIX`). */
export const SENTRY_BAGGAGE_KEY_PREFIX = 'sentry-';

export type { DynamicSamplingContext };

/** What a trace head puts into its DSC (besides trace id, decision and sample_rand). */
export interface DscOptions {
  /** The DSN's public key. */
  publicKey?: string;
  /** The Sentry organization id (see `orgIdFromDsn`). */
  orgId?: string;
  environment?: string;
  release?: string;
  /** The root sample rate in [0, 1]. */
  sampleRate?: number;
  /** The DSC `transaction` of a trace this process heads, for a DSC sent from the given context (local-roots.ts). */
  transactionOf?: (ctx: Context) => string | undefined;
}

const INCOMING_DSC = createContextKey('agent-otel-bridge.propagation.incoming-dsc');

/** An incoming DSC bound to its trace. A missing `sample_rand` is derived on first use: most extracted contexts never inject. */
class StoredDsc {
  private frozen: Readonly<Partial<DynamicSamplingContext>> | undefined;

  constructor(
    readonly traceId: string,
    private readonly incoming: Partial<DynamicSamplingContext>,
    /** The parent's sentry-trace had no sampled flag: this process makes the decision (see resolve…). */
    readonly deferred: boolean,
    private readonly parentSampled: boolean,
  ) {}

  get dsc(): Readonly<Partial<DynamicSamplingContext>> {
    if (this.frozen === undefined) {
      const dsc = { ...this.incoming, trace_id: this.traceId };
      if (parseSampleRand(dsc.sample_rand) === undefined) dsc.sample_rand = String(this.deriveSampleRand(dsc));
      this.frozen = Object.freeze(dsc);
    }
    return this.frozen;
  }

  /**
   * `sample_rand` for an incoming trace without one: agreeing with the propagated `sample_rate` and decision (the
   * DSC's `sampled`, else the parent's flag unless the decision was deferred), else the trace-id value.
   */
  private deriveSampleRand(dsc: Partial<DynamicSamplingContext>): number {
    const rate = parseRate(dsc.sample_rate);
    const sampled = dsc.sampled === 'true' ? true : dsc.sampled === 'false' ? false : this.deferred ? undefined : this.parentSampled;
    return rate === undefined || sampled === undefined ? sampleRandFromTraceId(this.traceId) : sampleRandForDecision(this.traceId, sampled, rate);
  }
}

/** DSC keys (without the prefix) we pass on: Sentry's are snake_case ASCII; anything else is not a DSC member. */
const DSC_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

/** The DSC in a list of baggage members, or `undefined` when there are no (usable) `sentry-*` members. */
export function dscFromMembers(members: Iterable<{ key: string; value: string }>): Partial<DynamicSamplingContext> | undefined {
  const dsc = new Map<string, string>(); // a Map: member names like `__proto__` or `constructor` are just names
  for (const { key, value } of members) {
    if (!key.startsWith(SENTRY_BAGGAGE_KEY_PREFIX)) continue;
    const name = key.slice(SENTRY_BAGGAGE_KEY_PREFIX.length);
    if (!DSC_KEY.test(name) || !encodable(value)) continue;
    if (!dsc.has(name) && dsc.size >= DSC_MAX_MEMBERS) continue;
    dsc.set(name, value); // a later duplicate wins, as in @sentry/core's parseBaggageHeader
  }
  return dsc.size > 0 ? (Object.fromEntries(dsc) as Partial<DynamicSamplingContext>) : undefined;
}

/** Binds an incoming DSC to the remote parent in `ctx`; dropped unless its trace_id is that parent's trace. */
export function setIncomingDsc(ctx: Context, dsc: Partial<DynamicSamplingContext>): Context {
  const parent = trace.getSpanContext(ctx);
  if (parent === undefined || typeof dsc.trace_id !== 'string' || dsc.trace_id.toLowerCase() !== parent.traceId.toLowerCase()) {
    return ctx;
  }
  // Matched case-insensitively, passed on in the canonical lowercase form: the trace_id then always equals the
  // trace id in the traceparent / sentry-trace sent with it (fast-check found `…acEd5cc` passed on verbatim).
  const traceId = parent.traceId.toLowerCase();
  return ctx.setValue(INCOMING_DSC, new StoredDsc(traceId, { ...dsc }, isSamplingDeferred(ctx), isSampled(parent)));
}

/** A `sample_rand` in [0, 1), else `undefined`. */
function parseSampleRand(value: unknown): number | undefined {
  const rand = typeof value === 'string' && value.trim() !== '' ? Number(value) : undefined;
  return rand !== undefined && Number.isFinite(rand) && rand >= 0 && rand < 1 ? rand : undefined;
}

/** The incoming (or derived) `sample_rand` of the trace `ctx` continues; `undefined` when this process is its head. */
export function incomingSampleRand(ctx: Context): number | undefined {
  return parseSampleRand(getDynamicSamplingContext(ctx)?.sample_rand);
}

/** The org id in a DSN host like `o123.ingest.sentry.io`, as @sentry/core's `extractOrgIdFromDsnHost` reads it. */
export function orgIdFromDsn(dsn: string | undefined): string | undefined {
  if (dsn === undefined || !URL.canParse(dsn)) return undefined;
  return /^o(\d{1,20})\./.exec(new URL(dsn).hostname)?.[1];
}

/**
 * The incoming DSC of the trace `ctx` belongs to (its remote parent's or any descendant's), or `undefined` when this
 * trace did not arrive with one — then this process is the DSC's head (see `resolveDynamicSamplingContext`).
 */
export function getDynamicSamplingContext(ctx: Context): Readonly<Partial<DynamicSamplingContext>> | undefined {
  return storedDsc(ctx)?.dsc;
}

function storedDsc(ctx: Context): StoredDsc | undefined {
  try {
    const stored = ctx.getValue(INCOMING_DSC) as StoredDsc | undefined;
    const current = trace.getSpanContext(ctx);
    if (stored === undefined || current === undefined) return undefined;
    return current.traceId.toLowerCase() === stored.traceId ? stored : undefined;
  } catch {
    return undefined;
  }
}

/** The DSC a trace head sends from `ctx`, from the options and the span's own decision. */
export function createHeadDsc(ctx: Context, spanContext: SpanContext, options: DscOptions): Partial<DynamicSamplingContext> {
  const traceId = spanContext.traceId.toLowerCase();
  const sampled = isSampled(spanContext);
  const rate = validRate(options.sampleRate);
  const dsc: Partial<DynamicSamplingContext> = { trace_id: traceId };
  if (usable(options.publicKey)) dsc.public_key = options.publicKey;
  if (usable(options.orgId)) dsc.org_id = options.orgId;
  if (usable(options.environment)) dsc.environment = options.environment;
  if (usable(options.release)) dsc.release = options.release;
  const transaction = options.transactionOf?.(ctx);
  if (usable(transaction)) dsc.transaction = transaction;
  if (rate !== undefined) dsc.sample_rate = String(rate);
  dsc.sampled = String(sampled);
  dsc.sample_rand = String(sampleRandForDecision(traceId, sampled, rate));
  return dsc;
}

/**
 * The DSC to send with `spanContext`: the incoming one while its trace continues, else a fresh head DSC whose
 * `sample_rate` is the rate recorded on the span in `ctx` (the rate that decided), `options.sampleRate` without one.
 * When this process made a deferred decision, the incoming DSC carries that decision and its rate: as
 * @sentry/core does for a locally sampled root (`tracing/dynamicSamplingContext.js`, `applyLocalSampleRateToDsc`),
 * so the spans' `sentry.client_sample_rate` and the DSC agree downstream. The decision used the DSC's
 * `sample_rand`, so `sampled == sample_rand < sample_rate` holds.
 */
export function resolveDynamicSamplingContext(
  ctx: Context,
  spanContext: SpanContext,
  options: DscOptions,
): Readonly<Partial<DynamicSamplingContext>> {
  const decided = spanSampleRate(ctx);
  const incoming = storedDsc(ctx);
  if (incoming === undefined) return createHeadDsc(ctx, spanContext, decided === undefined ? options : { ...options, sampleRate: decided });
  if (!incoming.deferred || decided === undefined) return incoming.dsc;
  return { ...incoming.dsc, sample_rate: String(decided), sampled: String(isSampled(spanContext)) };
}

function isSampled(spanContext: SpanContext): boolean {
  return (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED;
}

/**
 * `sentry-*` baggage members for a DSC, as @sentry/core `dynamicSamplingContextToSentryBaggageHeader` writes them
 * (utils/baggage.js): members in the DSC's order, key and value percent-encoded, a member that would take the header
 * past 8192 characters left out. Written here, not imported, for the reason in ./sentry-trace.ts;
 * test/unit/propagation/sentry-core-parity.test.ts holds the two equal.
 */
export function serializeDsc(dsc: Readonly<Partial<DynamicSamplingContext>>): string | undefined {
  let header = '';
  for (const [key, value] of Object.entries(dsc)) {
    if (!DSC_KEY.test(key) || typeof value !== 'string' || value === '' || !encodable(value)) continue;
    const member = `${encodeURIComponent(SENTRY_BAGGAGE_KEY_PREFIX + key)}=${encodeURIComponent(value)}`;
    const next = header === '' ? member : `${header},${member}`;
    if (next.length <= BAGGAGE_MAX_BYTES) header = next;
  }
  return header === '' ? undefined : header;
}

function validRate(rate: number | undefined): number | undefined {
  return typeof rate === 'number' && Number.isFinite(rate) && rate >= 0 && rate <= 1 ? rate : undefined;
}

function usable(value: string | undefined): value is string {
  return typeof value === 'string' && value !== '' && encodable(value);
}

/** encodeURIComponent throws on lone surrogates; such a value cannot go into a header. */
function encodable(value: string): boolean {
  try {
    encodeURIComponent(value);
    return true;
  } catch {
    return false;
  }
}
