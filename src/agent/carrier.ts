/**
 * Trace context inside agent messages. `injectContext(message)` writes the GLOBAL propagator's fields
 * (traceparent/tracestate/baggage, plus sentry-trace when the bridge's propagator is registered) into a plain
 * string record at `message._otel`, which survives JSON and any other structured serialisation.
 * `extractContext(message)` reads it back.
 *
 * Messages come from other processes and are untrusted: the record is copied into a bounded, null-prototype
 * record of string values before any propagator sees it, and any failure yields ROOT_CONTEXT — a fresh trace.
 */
import { context, propagation, ROOT_CONTEXT, trace, type Context, type TextMapGetter } from '@opentelemetry/api';
import { getCurrentAgent } from './agent-context.js';
import { identifier, isRecord, reportInternal } from './internal.js';

/** Property of a message that holds its trace-context headers. */
export const MESSAGE_CARRIER_FIELD = '_otel';
/** Carrier entry naming the sending agent (lets the receiver fill agent.communication.source). */
export const CARRIER_SOURCE_AGENT = 'agent-source';
/** Carrier entry with the send time in epoch milliseconds (lets the receiver compute time in queue). */
export const CARRIER_SENT_AT = 'agent-sent-at';

/** Largest carrier we read: W3C baggage allows 8192 bytes; nothing legitimate needs more entries. */
const MAX_ENTRIES = 32;
const MAX_KEY_LENGTH = 64;
const MAX_VALUE_LENGTH = 8192;

type Headers = Record<string, string>;

const getter: TextMapGetter<Headers> = {
  get: (carrier, key) => carrier[key.toLowerCase()],
  keys: (carrier) => Object.keys(carrier),
};

/**
 * Store the trace context of `ctx` (default: the active context) in `message._otel`. Mutates and returns
 * `message`. Non-object messages (strings, arrays, null) are returned unchanged — wrap them in an object.
 * A stale `_otel` from an earlier hop is replaced. Never throws.
 */
export function injectContext<T>(message: T, ctx: Context = context.active()): T {
  return injectWithSource(message, ctx, getCurrentAgent(ctx)?.name);
}

/** `injectContext` naming `source` as the sending agent (sendToAgent passes its `from`). */
export function injectWithSource<T>(message: T, ctx: Context, source: string | undefined): T {
  if (!isRecord(message)) return message;
  try {
    const headers: Headers = {};
    propagation.inject(ctx, headers);
    if (Object.keys(headers).length > 0) {
      if (source !== undefined) headers[CARRIER_SOURCE_AGENT] = source;
      headers[CARRIER_SENT_AT] = String(Date.now());
      (message as Record<string, unknown>)[MESSAGE_CARRIER_FIELD] = headers;
    } else if (Object.hasOwn(message, MESSAGE_CARRIER_FIELD)) {
      delete (message as Record<string, unknown>)[MESSAGE_CARRIER_FIELD]; // no trace now: do not resend an old one
    }
  } catch (err) {
    reportInternal('injectContext', err); // frozen message, hostile propagator…
  }
  return message;
}

/**
 * The context carried by `message` (a remote parent span context, baggage) on top of ROOT_CONTEXT, so a span
 * started in it continues the sender's trace — or starts a new trace when the message carries nothing valid.
 * Never throws.
 */
export function extractContext(message: unknown): Context {
  try {
    const headers = readCarrier(message);
    if (headers === undefined) return ROOT_CONTEXT;
    return propagation.extract(ROOT_CONTEXT, headers, getter);
  } catch (err) {
    reportInternal('extractContext', err);
    return ROOT_CONTEXT;
  }
}

/** Whether `ctx` holds a valid (remote) span context, i.e. extraction found a trace to continue. */
export function hasValidSpanContext(ctx: Context): boolean {
  const spanContext = trace.getSpanContext(ctx);
  return spanContext !== undefined && trace.isSpanContextValid(spanContext);
}

/** Sender metadata written by `injectContext`, validated. */
export function readSenderInfo(message: unknown): { source?: string; sentAt?: number } {
  try {
    const headers = readCarrier(message);
    if (headers === undefined) return {};
    const info: { source?: string; sentAt?: number } = {};
    const source = identifier(headers[CARRIER_SOURCE_AGENT]);
    if (source !== undefined && isPrintable(source)) info.source = source;
    const sentAt = headers[CARRIER_SENT_AT];
    if (sentAt !== undefined && /^\d{1,15}$/.test(sentAt)) info.sentAt = Number(sentAt);
    return info;
  } catch {
    return {};
  }
}

/**
 * A defensive copy of `message._otel`: own enumerable string-keyed entries with string values only, keys
 * lowercased, bounded in count and size, in a null-prototype record (so `__proto__`, `constructor`… are just
 * unknown keys). Undefined when there is no usable record.
 */
function readCarrier(message: unknown): Headers | undefined {
  if (!isRecord(message) || !Object.hasOwn(message, MESSAGE_CARRIER_FIELD)) return undefined;
  const raw: unknown = Object.getOwnPropertyDescriptor(message, MESSAGE_CARRIER_FIELD)?.value; // no getters run
  if (!isRecord(raw)) return undefined;
  const headers = Object.create(null) as Headers;
  let entries = 0;
  for (const key of Object.keys(raw)) {
    if (entries >= MAX_ENTRIES) break;
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) continue;
    const value = Object.getOwnPropertyDescriptor(raw, key)?.value; // no getters run
    if (typeof value !== 'string' || value.length > MAX_VALUE_LENGTH) continue;
    const lower = key.toLowerCase();
    if (lower in headers) continue;
    headers[lower] = value;
    entries += 1;
  }
  return entries > 0 ? headers : undefined;
}

function isPrintable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f) return false;
  }
  return true;
}
