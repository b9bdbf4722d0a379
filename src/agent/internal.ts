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

/** Attributes (or tags) without the undefined entries (the SDK warns about, and drops, undefined values). */
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
