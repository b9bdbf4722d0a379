/**
 * Sentry envelope items → the ingest's shapes: `event` items become `IngestEvent`s (exception, frames and trace
 * context pulled up), `transaction` items (root from `contexts.trace` + child `spans`) and `span` items (v2 span
 * containers and v1 standalone spans) become `IngestSpan`s beside the OTLP ones. Other items (session,
 * client_report, …) are only kept as part of the stored envelope.
 */
import { randomUUID } from 'node:crypto';
import { idToHex, secondsToNanos, sentryAttributesToJson, timestampSeconds, toJsonObject } from './attributes.js';
import type { ParsedEnvelope } from './envelope.js';
import type {
  DropRecord,
  IngestEvent,
  IngestException,
  IngestSpan,
  IngestStackFrame,
  JsonObject,
  SpanKindName,
  StatusCodeName,
} from './types.js';
import { isRecord } from './is-record.js';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { SEMANTIC_ATTRIBUTE_SENTRY_OP } from '@sentry/core';

export interface SentryItems {
  spans: IngestSpan[];
  events: IngestEvent[];
  /** Items Relay would accept and then drop (payload not a JSON object). */
  dropped: DropRecord[];
}

const CATEGORY: Record<string, DropRecord['category']> = { event: 'error', transaction: 'transaction', span: 'span' };

type Obj = Record<string, unknown>;

export function normaliseEnvelope(envelope: ParsedEnvelope, receivedAt: number): SentryItems {
  const spans: IngestSpan[] = [];
  const events: IngestEvent[] = [];
  const dropped: DropRecord[] = [];
  envelope.items.forEach((item, index) => {
    const type = item.header.type;
    const category = CATEGORY[type] ?? 'item';
    if (item.invalid !== undefined) {
      dropped.push({ category, reason: 'invalid_json', quantity: 1, detail: item.invalid });
      return;
    }
    if (category === 'item') return;
    const payload = item.payload;
    if (!isRecord(payload)) {
      dropped.push({ category, reason: 'invalid_json', quantity: 1, detail: `item ${index + 1} (${type}) payload is not a JSON object` });
      return;
    }
    if (type === 'event') events.push(toEvent(payload, envelope.header, receivedAt));
    else if (type === 'transaction') spans.push(...transactionSpans(payload, receivedAt, envelope.header));
    else spans.push(...spanItemSpans(payload, receivedAt));
  });
  return { spans, events, dropped };
}

function toEvent(event: Obj, envelopeHeader: JsonObject, receivedAt: number): IngestEvent {
  const trace = isRecord(event.contexts) && isRecord(event.contexts.trace) ? event.contexts.trace : {};
  const exceptions = exceptionsOf(event.exception);
  const primary = exceptions.at(-1);
  const sdk = isRecord(event.sdk) ? event.sdk : undefined;
  const eventId = str(event.event_id) ?? str(envelopeHeader.event_id) ?? randomUUID().replaceAll('-', '');
  const result: IngestEvent = {
    event_id: eventId,
    receivedAt,
    frames: primary?.frames ?? [],
    exceptions,
    tags: tagsOf(event.tags),
    payload: toJsonObject(event),
  };
  assign(result, 'timestamp', timestampSeconds(event.timestamp));
  assign(result, 'level', str(event.level));
  assign(result, 'platform', str(event.platform));
  assign(result, 'message', messageOf(event));
  assign(result, 'trace_id', str(trace.trace_id));
  assign(result, 'span_id', str(trace.span_id));
  assign(result, 'parent_span_id', str(trace.parent_span_id));
  assign(result, 'type', primary?.type);
  assign(result, 'value', primary?.value);
  assign(result, 'release', str(event.release));
  assign(result, 'environment', str(event.environment));
  assign(result, 'server_name', str(event.server_name));
  if (isRecord(envelopeHeader.trace)) result.dsc = toJsonObject(envelopeHeader.trace);
  if (sdk) result.sdk = { ...(str(sdk.name) ? { name: str(sdk.name) } : {}), ...(str(sdk.version) ? { version: str(sdk.version) } : {}) };
  return result;
}

function exceptionsOf(value: unknown): IngestException[] {
  const values = isRecord(value) && Array.isArray(value.values) ? value.values : Array.isArray(value) ? value : [];
  return values.filter(isRecord).map((exc) => {
    const stack = isRecord(exc.stacktrace) ? exc.stacktrace : {};
    const frames = Array.isArray(stack.frames) ? stack.frames.filter(isRecord).map(frameOf) : [];
    const out: IngestException = { type: str(exc.type) ?? 'Error', value: str(exc.value) ?? '', frames };
    if (isRecord(exc.mechanism)) out.mechanism = toJsonObject(exc.mechanism);
    return out;
  });
}

function frameOf(frame: Obj): IngestStackFrame {
  const out: IngestStackFrame = {};
  assign(out, 'filename', str(frame.filename) ?? str(frame.abs_path));
  assign(out, 'function', str(frame.function));
  assign(out, 'module', str(frame.module));
  assign(out, 'lineno', typeof frame.lineno === 'number' ? frame.lineno : undefined);
  assign(out, 'colno', typeof frame.colno === 'number' ? frame.colno : undefined);
  assign(out, 'in_app', typeof frame.in_app === 'boolean' ? frame.in_app : undefined);
  return out;
}

function messageOf(event: Obj): string | undefined {
  if (typeof event.message === 'string') return event.message;
  for (const holder of [event.message, event.logentry]) {
    if (isRecord(holder)) return str(holder.formatted) ?? str(holder.message);
  }
  return undefined;
}

/** Sentry tags come as `{ k: v }` or `[[k, v], …]`; values are stringified. */
function tagsOf(value: unknown): Record<string, string> {
  const tags: Record<string, string> = {};
  const put = (key: unknown, tag: unknown): void => {
    if (typeof key !== 'string' || tag === undefined || tag === null) return;
    Object.defineProperty(tags, key, { value: typeof tag === 'string' ? tag : JSON.stringify(tag) ?? String(tag), enumerable: true, writable: true, configurable: true });
  };
  if (Array.isArray(value)) for (const pair of value) if (Array.isArray(pair)) put(pair[0], pair[1]);
  if (isRecord(value)) for (const [key, tag] of Object.entries(value)) put(key, tag);
  return tags;
}

function transactionSpans(tx: Obj, receivedAt: number, envelopeHeader: JsonObject): IngestSpan[] {
  const contexts = isRecord(tx.contexts) ? tx.contexts : {};
  const trace = isRecord(contexts.trace) ? contexts.trace : {};
  const traceId = idToHex(trace.trace_id, 16);
  if (traceId === undefined) return [];
  const resource = isRecord(contexts.otel) && isRecord(contexts.otel.resource) ? toJsonObject(contexts.otel.resource) : {};
  const txData = toJsonObject(trace.data);
  const service = serviceOf(resource, txData, tx);
  const spans: IngestSpan[] = [];
  const root = sentrySpan(
    {
      span_id: trace.span_id,
      parent_span_id: trace.parent_span_id,
      description: tx.transaction,
      op: trace.op,
      status: trace.status,
      data: trace.data,
      start_timestamp: tx.start_timestamp,
      timestamp: tx.timestamp,
    },
    traceId,
    service,
    resource,
    receivedAt,
  );
  if (root) {
    // a transaction is a segment by definition: a parent it names ran in another process
    if (root.parentSpanId !== undefined) root.parentIsRemote = true;
    if (isRecord(envelopeHeader.trace)) root.dsc = toJsonObject(envelopeHeader.trace);
    spans.push(root);
  }
  if (Array.isArray(tx.spans)) {
    for (const child of tx.spans) {
      if (!isRecord(child)) continue;
      const span = sentrySpan(child, idToHex(child.trace_id, 16) ?? traceId, service, resource, receivedAt);
      if (span) spans.push(span);
    }
  }
  return spans;
}

/** `span` items: a v2 container `{ version: 2, items: [...] }` or one v1 standalone span. */
function spanItemSpans(payload: Obj, receivedAt: number): IngestSpan[] {
  const list = Array.isArray(payload.items) ? payload.items.filter(isRecord) : [payload];
  const spans: IngestSpan[] = [];
  for (const raw of list) {
    const traceId = idToHex(raw.trace_id, 16);
    if (traceId === undefined) continue;
    const v2 = 'end_timestamp' in raw || 'attributes' in raw;
    const attributes = v2 ? sentryAttributesToJson(raw.attributes) : toJsonObject(raw.data);
    const span = sentrySpan(
      v2 ? { ...raw, description: raw.name, timestamp: raw.end_timestamp, data: attributes, op: attributes[SEMANTIC_ATTRIBUTE_SENTRY_OP] } : raw,
      traceId,
      serviceOf({}, attributes, raw),
      {},
      receivedAt,
    );
    // v2 spans say it themselves (`is_remote`; `is_segment` from the SDK's own segment rule)
    if (span && (raw.is_remote === true || raw.is_segment === true) && span.parentSpanId !== undefined) span.parentIsRemote = true;
    if (span) spans.push(span);
  }
  return spans;
}

function sentrySpan(raw: Obj, traceId: string, service: string, resource: JsonObject, receivedAt: number): IngestSpan | undefined {
  const spanId = idToHex(raw.span_id, 8);
  if (spanId === undefined) return undefined;
  const parentSpanId = idToHex(raw.parent_span_id, 8);
  const attributes = toJsonObject(raw.data);
  const op = str(raw.op);
  if (op !== undefined && !(SEMANTIC_ATTRIBUTE_SENTRY_OP in attributes)) attributes[SEMANTIC_ATTRIBUTE_SENTRY_OP] = op;
  const startTimeUnixNano = secondsToNanos(raw.start_timestamp);
  const endTimeUnixNano = secondsToNanos(raw.timestamp);
  const start = timestampSeconds(raw.start_timestamp) ?? Number.NaN;
  const end = timestampSeconds(raw.timestamp) ?? Number.NaN;
  return {
    traceId,
    spanId,
    ...(parentSpanId !== undefined ? { parentSpanId } : {}),
    name: str(raw.description) ?? op ?? '',
    kind: kindOf(attributes, op),
    service,
    startTimeUnixNano,
    endTimeUnixNano,
    startMs: Number.isFinite(start) ? start * 1000 : 0,
    durationMs: Number.isFinite(start) && Number.isFinite(end) && end > start ? Math.round((end - start) * 1e6) / 1e3 : 0,
    attributes,
    resource,
    events: [],
    links: [],
    status: statusOf(raw.status),
    source: 'sentry',
    receivedAt,
  };
}

function serviceOf(resource: JsonObject, attributes: JsonObject, holder: Obj): string {
  const tags = tagsOf(holder.tags);
  const candidate = resource[ATTR_SERVICE_NAME] ?? attributes[ATTR_SERVICE_NAME] ?? tags[ATTR_SERVICE_NAME] ?? tags.service;
  return typeof candidate === 'string' && candidate !== '' ? candidate : 'sentry';
}

const KIND_NAMES: SpanKindName[] = ['internal', 'server', 'client', 'producer', 'consumer'];

function kindOf(attributes: JsonObject, op: string | undefined): SpanKindName {
  const otelKind = attributes['otel.kind'];
  if (typeof otelKind === 'string' && (KIND_NAMES as string[]).includes(otelKind.toLowerCase())) return otelKind.toLowerCase() as SpanKindName;
  if (op === 'http.server') return 'server';
  if (op === 'http.client') return 'client';
  return 'internal';
}

/** v1 spans carry Sentry status strings (`ok`, `internal_error`, …), v2 spans `ok` / `error`. */
function statusOf(value: unknown): { code: StatusCodeName; message?: string } {
  if (value === undefined || value === null || value === '' || value === 'unknown' || value === 'unset') return { code: 'unset' };
  if (value === 'ok') return { code: 'ok' };
  return value === 'error' ? { code: 'error' } : { code: 'error', message: String(value) };
}


function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

