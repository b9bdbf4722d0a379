/**
 * The read side: trace summaries and resolved traces (parents linked, depth-first order) built from the store, and
 * the JSON query API over them — `GET /api/traces`, `GET /api/traces/{id}`, `GET /api/events`, `GET /api/envelopes`,
 * `GET /api/requests`, `GET /api/outcomes`, `GET /api/problems[?trace_id=]`, `GET /api/stats`, `DELETE /api/data`. The waterfall renders the same resolved trace.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ATTR_GEN_AI_AGENT_NAME, ATTR_GEN_AI_REQUEST_MODEL } from '../agent/semconv-incubating.js';
import { sendJson } from './http.js';
import { findProblems, type Problem } from './problems.js';
import type { IngestStore, TraceEntry } from './store.js';
import type { IngestEvent, IngestSpan, ResolvedSpan, TraceDetail, TraceSummary } from './types.js';

/** Orders spans depth-first (roots and siblings by start time) and links each to its parent. Cycle-safe. */
export function resolveSpans(spans: IngestSpan[]): ResolvedSpan[] {
  const byId = new Map(spans.map((span) => [span.spanId, span]));
  const children = new Map<string, IngestSpan[]>();
  const roots: IngestSpan[] = [];
  for (const span of spans) {
    const parentId = span.parentSpanId;
    if (parentId !== undefined && parentId !== span.spanId && byId.has(parentId)) {
      const list = children.get(parentId);
      if (list) list.push(span);
      else children.set(parentId, [span]);
    } else roots.push(span);
  }
  // siblings by start at full (nanosecond) precision, then in arrival order: two spans in the same millisecond keep
  // the order they were started and sent in, whatever their names
  const arrival = new Map(spans.map((span, index) => [span.spanId, index]));
  const byStart = (a: IngestSpan, b: IngestSpan): number =>
    compareNanos(a.startTimeUnixNano, b.startTimeUnixNano) || a.startMs - b.startMs || (arrival.get(a.spanId) ?? 0) - (arrival.get(b.spanId) ?? 0);
  const traceStart = spans.reduce((min, span) => Math.min(min, span.startMs), Number.POSITIVE_INFINITY);
  const out: ResolvedSpan[] = [];
  const visited = new Set<string>();
  const segmentOf = new Map<string, IngestSpan>();

  const walk = (top: IngestSpan[]): void => {
    const stack: Array<{ span: IngestSpan; depth: number }> = [...top].sort(byStart).reverse().map((span) => ({ span, depth: 0 }));
    while (stack.length > 0) {
      const { span, depth } = stack.pop()!;
      if (visited.has(span.spanId)) continue;
      visited.add(span.spanId);
      const parent = depth > 0 && span.parentSpanId !== undefined ? byId.get(span.parentSpanId) : undefined;
      const segment = isSegment(span) || parent === undefined ? span : (segmentOf.get(parent.spanId) ?? span);
      segmentOf.set(span.spanId, segment);
      out.push({
        ...span,
        parent: parent ? { spanId: parent.spanId, name: parent.name, service: parent.service } : null,
        parentMissing: span.parentSpanId !== undefined && !byId.has(span.parentSpanId),
        depth,
        offsetMs: Number.isFinite(traceStart) ? Math.max(0, span.startMs - traceStart) : 0,
        isSegment: isSegment(span),
        segmentId: segment.spanId,
        segmentName: segment.name,
      });
      const kids = children.get(span.spanId);
      if (kids) for (const kid of [...kids].sort(byStart).reverse()) stack.push({ span: kid, depth: depth + 1 });
    }
  };
  walk(roots);
  // spans caught in a parent cycle have no root: show them rather than lose them
  const left = spans.filter((span) => !visited.has(span.spanId));
  if (left.length > 0) walk(left);
  return out;
}

/** Decimal nanosecond strings compared without BigInt (no leading zeros: longer is later). */
function compareNanos(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Relay's segment rule: a span is a segment (a transaction, in Sentry's UI) when it has no parent or its parent is
 * remote — OTLP `Span.flags` CONTEXT_IS_REMOTE (getsentry/relay `relay-spans/src/otel_to_sentry_v2.rs`
 * `otel_flags_is_remote`, `relay-spans/src/segment.rs` `set_segment_attributes`). Other spans belong to the segment
 * of their nearest segment ancestor, and that segment's name is the transaction name Sentry groups them under.
 * A span whose parent never arrived heads its own segment here, as Sentry's span buffer does when it flushes.
 */
function isSegment(span: IngestSpan): boolean {
  return span.parentSpanId === undefined || span.parentIsRemote === true;
}

export function buildTraceDetail(traceId: string, spans: IngestSpan[], events: IngestEvent[], lastReceivedAt?: number): TraceDetail {
  const resolved = resolveSpans(spans);
  return { ...summarise(traceId, resolved, events, lastReceivedAt), spans: resolved, events, problems: findProblems(spans, events) };
}

function summarise(traceId: string, resolved: ResolvedSpan[], events: IngestEvent[], lastReceivedAt?: number): TraceSummary {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  const services: string[] = [];
  let errorCount = 0;
  const agents = new Set<string>();
  const models = new Set<string>();
  for (const span of resolved) {
    start = Math.min(start, span.startMs);
    end = Math.max(end, span.startMs + span.durationMs);
    if (!services.includes(span.service)) services.push(span.service);
    if (span.status.code === 'error') errorCount += 1;
    const agent = span.attributes[ATTR_GEN_AI_AGENT_NAME];
    if (typeof agent === 'string') agents.add(agent);
    const model = span.attributes[ATTR_GEN_AI_REQUEST_MODEL];
    if (typeof model === 'string') models.add(model);
  }
  const root = resolved.find((span) => span.depth === 0 && span.parentSpanId === undefined) ?? resolved[0];
  const summary: TraceSummary = {
    traceId,
    services,
    spanCount: resolved.length,
    errorCount,
    eventCount: events.length,
    durationMs: resolved.length > 0 ? Math.round((end - start) * 1000) / 1000 : 0,
    lastReceivedAt: lastReceivedAt ?? [...resolved, ...events].reduce((max, item) => Math.max(max, item.receivedAt), 0),
    agents: [...agents],
    models: [...models],
    missingParents: resolved.filter((span) => span.parentMissing).length,
  };
  if (root) {
    summary.rootName = root.name;
    summary.rootService = root.service;
  }
  summary.segments = resolved.filter((span) => span.isSegment).map((span) => span.name);
  if (Number.isFinite(start) && start > 0) {
    summary.startMs = start;
    summary.start = new Date(start).toISOString();
  }
  return summary;
}

export function traceDetailOf(store: IngestStore, entry: TraceEntry): TraceDetail {
  return buildTraceDetail(entry.traceId, [...entry.spans.values()], store.eventsOfTrace(entry.traceId), entry.lastReceivedAt);
}

/** Problems of one trace (its spans and error events). */
export function problemsOf(store: IngestStore, traceId: string): Problem[] {
  const entry = store.trace(traceId);
  return findProblems(entry ? [...entry.spans.values()] : [], store.eventsOfTrace(traceId));
}

/** `{ traceId: problems }` for every trace (spans or events) that has any. */
export function allProblems(store: IngestStore): Record<string, Problem[]> {
  const out: Record<string, Problem[]> = {};
  const ids = new Set([...store.traces().map((entry) => entry.traceId), ...store.events().flatMap((event) => (event.trace_id ? [event.trace_id.toLowerCase()] : []))]);
  for (const traceId of ids) {
    const problems = problemsOf(store, traceId);
    if (problems.length > 0) out[traceId] = problems;
  }
  return out;
}

/** Summaries, newest trace first. */
export function traceSummaries(store: IngestStore): TraceSummary[] {
  return store
    .traces()
    .map((entry) => summarise(entry.traceId, resolveSpans([...entry.spans.values()]), store.eventsOfTrace(entry.traceId), entry.lastReceivedAt))
    .sort((a, b) => (b.startMs ?? 0) - (a.startMs ?? 0) || b.lastReceivedAt - a.lastReceivedAt);
}

/** Handles `/api/…` query routes; returns false when the path is not one of them. */
export function handleQuery(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, store: IngestStore): boolean {
  const method = req.method ?? 'GET';
  const only = (allowed: string, run: () => void): true => {
    if (method === allowed || (allowed === 'GET' && method === 'HEAD')) run();
    else sendJson(res, 405, { error: `use ${allowed} for ${path}` }, { allow: allowed });
    return true;
  };
  if (path === '/api/traces' || path === '/api/traces/') return only('GET', () => sendJson(res, 200, traceSummaries(store)));
  const traceMatch = /^\/api\/traces\/([^/]+)\/?$/.exec(path);
  if (traceMatch) {
    return only('GET', () => {
      const entry = store.trace(traceMatch[1]!); // trace ids are hex: no decoding needed (and no URIError)
      if (entry) sendJson(res, 200, traceDetailOf(store, entry));
      else sendJson(res, 404, { error: 'trace not found' });
    });
  }
  if (path === '/api/events' || path === '/api/events/') {
    return only('GET', () => {
      const traceId = query.get('trace_id');
      sendJson(res, 200, traceId ? store.eventsOfTrace(traceId) : store.events());
    });
  }
  if (path === '/api/envelopes' || path === '/api/envelopes/') return only('GET', () => sendJson(res, 200, store.envelopes()));
  if (path === '/api/requests' || path === '/api/requests/') return only('GET', () => sendJson(res, 200, store.requests()));
  if (path === '/api/outcomes' || path === '/api/outcomes/') return only('GET', () => sendJson(res, 200, store.outcomes()));
  if (path === '/api/problems' || path === '/api/problems/') {
    return only('GET', () => {
      const traceId = query.get('trace_id');
      sendJson(res, 200, traceId ? problemsOf(store, traceId) : allProblems(store));
    });
  }
  if (path === '/api/stats' || path === '/api/stats/') return only('GET', () => sendJson(res, 200, store.stats()));
  if (path === '/api/data' || path === '/api/data/') {
    return only('DELETE', () => {
      store.clear();
      sendJson(res, 200, { cleared: true });
    });
  }
  return false;
}
