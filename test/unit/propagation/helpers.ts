/** Shared fixtures for the propagation tests (and for the reliability suite's fuzzing). */
import {
  ROOT_CONTEXT,
  TraceFlags,
  defaultTextMapGetter,
  trace,
  type Context,
  type SpanContext,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import { createPropagator, type DscOptions } from '../../../src/propagation/index.js';

export const DSC_OPTIONS: Required<DscOptions> = {
  publicKey: 'abc123publickey',
  orgId: '4711',
  environment: 'staging',
  release: 'agents@1.2.3',
  sampleRate: 0.5,
  transactionOf: () => undefined,
};

export function defaultPropagator(dsc: DscOptions = DSC_OPTIONS): TextMapPropagator {
  return createPropagator(['tracecontext', 'baggage', 'sentry'], { dsc });
}

/** Independent oracles for valid outgoing headers (W3C trace-context / Sentry / W3C baggage grammar). */
export const TRACEPARENT_OUT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;
export const SENTRY_TRACE_OUT = /^(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[01]$/;
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const OCTETS = '[\\x21\\x23-\\x2B\\x2D-\\x3A\\x3C-\\x5B\\x5D-\\x7E]*';
export const BAGGAGE_MEMBER_OUT = new RegExp(`^${TOKEN}=${OCTETS}(?:;[ \\t]*${TOKEN}(?:[ \\t]*=[ \\t]*${OCTETS})?[ \\t]*)*$`);

/** A setter that records every write, so a test can see a field written twice (the overwrite bug). */
export function recordingSetter(): { setter: TextMapSetter<Record<string, string>>; writes: Array<[string, string]> } {
  const writes: Array<[string, string]> = [];
  return {
    writes,
    setter: {
      set(carrier, key, value) {
        writes.push([key, value]);
        carrier[key] = value;
      },
    },
  };
}

export function inject(propagator: TextMapPropagator, ctx: Context): { headers: Record<string, string>; writes: Array<[string, string]> } {
  const headers: Record<string, string> = {};
  const { setter, writes } = recordingSetter();
  propagator.inject(ctx, headers, setter);
  return { headers, writes };
}

export function extract(propagator: TextMapPropagator, carrier: unknown, ctx: Context = ROOT_CONTEXT): Context {
  return propagator.extract(ctx, carrier, defaultTextMapGetter);
}

let spanCounter = 1;
export function newSpanId(): string {
  return (spanCounter++).toString(16).padStart(16, '0').replace(/^0/, 'c');
}

/** A random-looking but reproducible trace id. */
export function traceIdFrom(i: number): string {
  return (BigInt(i + 1) * 0x9e3779b97f4a7c15n).toString(16).padStart(32, '0').slice(-32).replace(/^0/, 'd');
}

export function ratioSamples(traceId: string, rate: number): boolean {
  return new TraceIdRatioBasedSampler(rate).shouldSample(ROOT_CONTEXT, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
}

/** What the SDK does when it starts a span under `parent`: same trace, new span id, local, the given decision. */
export function childOf(ctx: Context, sampled: boolean, traceId?: string): Context {
  const parent = trace.getSpanContext(ctx);
  const child: SpanContext = {
    traceId: traceId ?? parent?.traceId ?? traceIdFrom(999),
    spanId: newSpanId(),
    traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    isRemote: false,
  };
  if (parent?.traceState !== undefined && traceId === undefined) child.traceState = parent.traceState;
  return trace.setSpanContext(ctx, child);
}

export function baggageMembers(header: string | undefined): Map<string, string> {
  const map = new Map<string, string>();
  for (const member of (header ?? '').split(',').filter((m) => m !== '')) {
    const [pair = ''] = member.split(';');
    const eq = pair.indexOf('=');
    map.set(decodeURIComponent(pair.slice(0, eq).trim()), decodeURIComponent(pair.slice(eq + 1).trim()));
  }
  return map;
}

export function dscOf(header: string | undefined): Record<string, string> {
  const entries = Array.from(baggageMembers(header)).filter(([key]) => key.startsWith('sentry-'));
  return Object.fromEntries(entries.map(([key, value]) => [key.slice('sentry-'.length), value]));
}
