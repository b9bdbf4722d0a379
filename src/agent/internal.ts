/**
 * Small shared utilities of the agent helpers: the tracer, attribute building, defensive value coercion and
 * the "report an internal failure once" rule. Nothing here throws.
 */
import { diag, ProxyTracerProvider, trace, type AttributeValue, type Tracer, type TracerProvider } from '@opentelemetry/api';

export const TRACER_NAME = 'agent-otel-bridge/agent';

let cachedProvider: TracerProvider | undefined;
let cachedTracer: Tracer | undefined;

/**
 * The helpers' tracer, or `undefined` when no SDK is registered (then the helpers skip span work entirely).
 * Resolved again only when the registered provider changes (an SDK registered late, `trace.disable()` in tests).
 */
export function getTracer(): Tracer | undefined {
  const global = trace.getTracerProvider();
  const provider = global instanceof ProxyTracerProvider ? global.getDelegate() : global;
  if (provider !== cachedProvider) {
    cachedProvider = provider;
    cachedTracer = global instanceof ProxyTracerProvider ? global.getDelegateTracer(TRACER_NAME) : global.getTracer(TRACER_NAME);
  }
  return cachedTracer;
}

/** Longest identifier-like value (names, ids, models) we put on a span; longer ones are cut. */
export const MAX_IDENTIFIER_LENGTH = 256;

/** A usable identifier from caller input: non-empty string (or finite number), cut to a sane length. */
export function identifier(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length === 0 ? undefined : value.slice(0, MAX_IDENTIFIER_LENGTH);
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A token count or similar: finite, non-negative number. */
export function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** A finite number (request parameters such as temperature). */
export function finite(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Attributes (or tags) without the undefined entries: samplers, processors and Sentry see only values that are set.
 * Off the per-span path: its stores see every caller's keys, so they are megamorphic — building a helper's start
 * attributes this way cost ~100 ns against ~18 for a literal and a store per set key (micro-benchmark), hence the
 * helpers do the latter.
 */
export function compact<T extends AttributeValue = AttributeValue>(entries: Record<string, T | undefined>): Record<string, T> {
  const out: Record<string, T> = {};
  for (const key in entries) {
    const value = entries[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Own property of an object-like value, tolerating throwing getters and proxies. */
export function prop(value: unknown, key: string): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** A caller's object as the helpers read it: any field may be missing or hold anything (JS callers, parsed JSON). */
export type Untrusted<T> = { readonly [K in keyof T]?: unknown };

const NO_FIELDS: Untrusted<object> = Object.freeze({});

/**
 * `read(value)`, reading `value`'s fields directly — or, when `value` is no object or reading it throws (a throwing
 * getter, a proxy), `read` of a copy of its `keys` taken with `prop`, where what could not be read is undefined.
 * Throws only when `read` throws on that copy (a nested object that throws too).
 *
 * Why not `prop(value, key)` for each field: its one keyed load saw every helper's keys and objects and went
 * megamorphic — ~50 such reads per agent step were 0.47 of the helpers' 8.3 µs per step in a CPU profile
 * (bench/agent-step.js on a no-op exporter); each helper's own direct loads see one or a few object shapes.
 */
export function readFields<T, R>(value: unknown, keys: readonly (keyof T & string)[], read: (fields: Untrusted<T>) => R): R {
  const objectLike = (typeof value === 'object' && value !== null) || typeof value === 'function';
  try {
    return read(objectLike ? (value as Untrusted<T>) : (NO_FIELDS as Untrusted<T>));
  } catch {
    const copy: Record<string, unknown> = {};
    for (const key of keys) copy[key] = prop(value, key);
    return read(copy as Untrusted<T>);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const reported = new Set<string>();

/**
 * A bug or hostile input inside telemetry: one diag line per place, then silence. The helpers import only the
 * OTel API, so this goes through `diag` (the bridge routes diag to its log).
 */
export function reportInternal(where: string, err: unknown): void {
  try {
    if (reported.has(where)) return;
    reported.add(where);
    diag.warn(`agent-otel-bridge/agent: ${where} failed, telemetry skipped: ${err instanceof Error ? err.message : String(err)}`);
  } catch {
    // nothing left to do
  }
}

/** Run telemetry work; a failure is reported and swallowed. */
export function guard(where: string, work: () => void): void {
  try {
    work();
  } catch (err) {
    reportInternal(where, err);
  }
}
