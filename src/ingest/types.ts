/**
 * The shapes the ingest keeps and serves. Spans from OTLP and from Sentry envelopes (transactions, span items) are
 * normalised to one `IngestSpan`, so the query API and the waterfall never care where a span came from.
 */

import type { Problem } from './problems.js';

/** A plain JSON value: what OTLP AnyValues and Sentry attribute values are flattened to. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type SpanKindName = 'unspecified' | 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export type StatusCodeName = 'unset' | 'ok' | 'error';

export interface IngestSpanEvent {
  name: string;
  timeUnixNano: string;
  attributes: JsonObject;
}

export interface IngestSpanLink {
  traceId: string;
  spanId: string;
  attributes: JsonObject;
}

export interface IngestSpan {
  /** 32 lowercase hex chars. */
  traceId: string;
  /** 16 lowercase hex chars. */
  spanId: string;
  parentSpanId?: string;
  /** OTLP `Span.flags` bits 8/9: whether the parent ran in another process (absent when the sender did not say). */
  parentIsRemote?: boolean;
  name: string;
  kind: SpanKindName;
  /** `service.name` of the resource (OTLP) or of the Sentry event's OTel resource context. */
  service: string;
  /** Decimal string: nanoseconds do not fit a JS number. */
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  /** Epoch milliseconds (fractional), for sorting and display. */
  startMs: number;
  durationMs: number;
  attributes: JsonObject;
  resource: JsonObject;
  scope?: { name: string; version?: string };
  events: IngestSpanEvent[];
  links: IngestSpanLink[];
  status: { code: StatusCodeName; message?: string };
  source: 'otlp' | 'sentry';
  /** The root span of a Sentry transaction: the DSC of its envelope (the `trace` envelope header), if any. */
  dsc?: JsonObject;
  /** Epoch ms at which the ingest received it. */
  receivedAt: number;
}

export interface IngestStackFrame {
  filename?: string;
  function?: string;
  module?: string;
  lineno?: number;
  colno?: number;
  in_app?: boolean;
}

export interface IngestException {
  type: string;
  value: string;
  frames: IngestStackFrame[];
  mechanism?: JsonObject;
}

/** A Sentry `event` item (errors and messages), with its trace context pulled up for tests. */
export interface IngestEvent {
  event_id: string;
  receivedAt: number;
  /** Event timestamp, epoch seconds (Sentry's unit). */
  timestamp?: number;
  level?: string;
  platform?: string;
  message?: string;
  trace_id?: string;
  span_id?: string;
  parent_span_id?: string;
  /** Type/value/frames of the primary (last) exception, `undefined` for message events. */
  type?: string;
  value?: string;
  frames: IngestStackFrame[];
  exceptions: IngestException[];
  tags: Record<string, string>;
  release?: string;
  environment?: string;
  server_name?: string;
  sdk?: { name?: string; version?: string };
  /** The dynamic sampling context of its envelope (the `trace` envelope header), when there was one. */
  dsc?: JsonObject;
  /** The event as received (JSON). */
  payload: JsonObject;
}

export interface EnvelopeItem {
  header: JsonObject & { type: string };
  /** Parsed JSON for JSON item types; for binary items (attachments) `{ size }`; `null` when `invalid`. */
  payload: JsonValue;
  /** Payload bytes as received. */
  size?: number;
  /** Why the payload could not be parsed (Relay accepts the envelope and drops the item later). */
  invalid?: string;
}

export interface StoredEnvelope {
  receivedAt: number;
  projectId: string;
  header: JsonObject;
  items: EnvelopeItem[];
}

/** An item Relay would accept and later drop: outcome category and reason (relay `services/outcome.rs` `DiscardReason`). */
export interface DropRecord {
  category: 'span' | 'error' | 'transaction' | 'item';
  reason: string;
  quantity: number;
  detail: string;
}

/** A `DropRecord` as kept by the ingest, with when and where it arrived. */
export interface Outcome extends DropRecord {
  at: number;
  route: IngestRouteName;
}

export type IngestRouteName = 'envelope' | 'otlp' | 'store';

/** One request to an ingest route (envelope / OTLP), whatever became of it: the faults tests count these. */
export interface RequestRecord {
  at: number;
  route: IngestRouteName;
  method: string;
  /** Status sent, or `undefined` while unanswered (black-hole) / when the socket died first. */
  status?: number;
  fault?: FaultMode;
  /** Body bytes after decompression, when read. */
  bytes?: number;
}

export interface RawBody {
  at: number;
  route: IngestRouteName;
  contentType?: string;
  contentEncoding?: string;
  /** Body as received, after decompression. */
  body: Buffer;
}

export interface TraceSummary {
  traceId: string;
  services: string[];
  spanCount: number;
  /** Spans with ERROR status. */
  errorCount: number;
  /** Sentry error events linked to the trace. */
  eventCount: number;
  rootName?: string;
  rootService?: string;
  durationMs: number;
  /** ISO time of the earliest span start. */
  start?: string;
  startMs?: number;
  lastReceivedAt: number;
  /** Names of the segments (Sentry transactions) in the trace, in trace order. */
  segments?: string[];
  /** `gen_ai.agent.name` values seen in the trace (the trace view's list and filters). */
  agents: string[];
  /** `gen_ai.request.model` values seen in the trace. */
  models: string[];
  /** Spans whose parent is not (yet) in the trace. */
  missingParents: number;
}

export interface ResolvedSpan extends IngestSpan {
  /** The parent span when it is in the trace; `null` for roots and for spans whose parent never arrived. */
  parent: { spanId: string; name: string; service: string } | null;
  /** `true` when `parentSpanId` is set but that span is not in the trace (yet). */
  parentMissing: boolean;
  depth: number;
  /** Start relative to the trace's earliest span. */
  offsetMs: number;
  /** Relay's rule: no parent, or a remote parent (see query.ts `isSegment`). */
  isSegment: boolean;
  /** The segment (Sentry transaction) this span belongs to, and its name. */
  segmentId: string;
  segmentName: string;
}

export interface TraceDetail extends TraceSummary {
  /** Depth-first in parent order, siblings by start time. */
  spans: ResolvedSpan[];
  events: IngestEvent[];
  /** Sentry-visible mismatches in what arrived (./problems.ts). */
  problems: Problem[];
}

export type FaultMode = 'down' | 'black-hole' | 'slow' | 'status';

export interface FaultLimits {
  /** Affect only the next `count` ingest requests (not meaningful for `down`). */
  count?: number;
  /** Lift the fault after this many ms. */
  durationMs?: number;
}

export type Fault =
  | ({ mode: 'down' } & FaultLimits)
  | ({ mode: 'black-hole' } & FaultLimits)
  | ({ mode: 'slow'; delayMs: number } & FaultLimits)
  | ({ mode: 'status'; status: number; /** seconds */ retryAfter?: number } & FaultLimits);

export interface IngestStats {
  requests: number;
  envelopes: number;
  otlpRequests: number;
  spans: number;
  events: number;
  traces: number;
  /** Responses by status code, ingest routes only. */
  statuses: Record<string, number>;
  /** Received bytes charged to the spans and events kept now (the byte bound applies to this). */
  bytes: number;
  /** Spans received since start or `clear()`, kept or not. */
  receivedSpans: number;
  /** Items Relay would have dropped after accepting them (see `outcomes()`). */
  outcomes: number;
  /** Black-holed connections reset because the hold limit was reached. */
  heldDropped: number;
  /** Items evicted to keep memory bounded. */
  evicted: { spans: number; events: number; traces: number; bytes: number };
}
