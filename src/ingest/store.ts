/**
 * What the ingest received, bounded: spans grouped by trace (least recently active trace evicted first), error
 * events, parsed envelopes, raw bodies and a request log, each capped. With a data dir every accepted record is
 * also appended to the journal, which is never trimmed.
 */
import type { Journal, RawIndexRecord } from './journal.js';
import type { IngestEvent, IngestSpan, IngestStats, RawBody, RequestRecord, StoredEnvelope } from './types.js';

export interface StoreLimits {
  maxSpans: number;
  maxEvents: number;
  maxEnvelopes: number;
  maxRequests: number;
  /** Raw bodies kept in memory: at most this many bytes in total. */
  maxRawBytes: number;
}

export const DEFAULT_LIMITS: StoreLimits = {
  maxSpans: 20_000,
  maxEvents: 2_000,
  maxEnvelopes: 1_000,
  maxRequests: 10_000,
  maxRawBytes: 32 * 1024 * 1024,
};

export interface TraceEntry {
  traceId: string;
  spans: Map<string, IngestSpan>;
  lastReceivedAt: number;
}

export class IngestStore {
  private readonly traceMap = new Map<string, TraceEntry>();
  private spanCount = 0;
  private eventList: IngestEvent[] = [];
  private envelopeList: StoredEnvelope[] = [];
  private rawList: RawBody[] = [];
  private rawBytes = 0;
  private requestList: RequestRecord[] = [];
  private counters = { requests: 0, envelopes: 0, otlpRequests: 0, evictedSpans: 0, evictedEvents: 0 };
  private statuses: Record<string, number> = {};
  /** Called with every trace id that received spans or events (the quiet-trace printer listens). */
  onActivity: (traceId: string) => void = () => {};

  constructor(
    private readonly limits: StoreLimits = DEFAULT_LIMITS,
    private readonly journal?: Journal,
  ) {}

  addSpans(spans: IngestSpan[]): void {
    for (const span of spans) {
      let entry = this.traceMap.get(span.traceId);
      if (entry === undefined) entry = { traceId: span.traceId, spans: new Map(), lastReceivedAt: span.receivedAt };
      else this.traceMap.delete(span.traceId); // re-insert below: Map order = least recently active first
      if (!entry.spans.has(span.spanId)) this.spanCount += 1;
      entry.spans.set(span.spanId, span);
      entry.lastReceivedAt = span.receivedAt;
      this.traceMap.set(span.traceId, entry);
      this.journal?.append('spans', span);
    }
    this.evictSpans();
    for (const traceId of new Set(spans.map((span) => span.traceId))) if (this.traceMap.has(traceId)) this.onActivity(traceId);
  }

  addEvents(events: IngestEvent[]): void {
    for (const event of events) {
      this.eventList.push(event);
      this.journal?.append('events', event);
    }
    const excess = this.eventList.length - this.limits.maxEvents;
    if (excess > 0) {
      this.eventList.splice(0, excess);
      this.counters.evictedEvents += excess;
    }
    for (const event of events) if (event.trace_id !== undefined) this.onActivity(event.trace_id);
  }

  addEnvelope(envelope: StoredEnvelope): void {
    this.counters.envelopes += 1;
    this.envelopeList.push(envelope);
    if (this.envelopeList.length > this.limits.maxEnvelopes) this.envelopeList.shift();
    this.journal?.append('envelopes', envelope);
  }

  addOtlpRequest(record: { receivedAt: number; format: string; request: unknown }): void {
    this.counters.otlpRequests += 1;
    this.journal?.append('otlp', record);
  }

  addRaw(raw: RawBody, status: number): void {
    const meta: RawIndexRecord = { at: raw.at, route: raw.route, status };
    if (raw.contentType !== undefined) meta.contentType = raw.contentType;
    if (raw.contentEncoding !== undefined) meta.contentEncoding = raw.contentEncoding;
    this.journal?.appendRaw(meta, raw.body);
    if (raw.body.length > this.limits.maxRawBytes) return;
    this.rawList.push(raw);
    this.rawBytes += raw.body.length;
    while (this.rawBytes > this.limits.maxRawBytes && this.rawList.length > 0) this.rawBytes -= this.rawList.shift()!.body.length;
  }

  addRequest(record: RequestRecord): void {
    this.counters.requests += 1;
    this.requestList.push(record);
    if (this.requestList.length > this.limits.maxRequests) this.requestList.shift();
  }

  /** Call once the request's status is known (records are shared with `requests()`). */
  recordStatus(record: RequestRecord, status: number): void {
    record.status = status;
    this.statuses[status] = (this.statuses[status] ?? 0) + 1;
  }

  traces(): TraceEntry[] {
    return [...this.traceMap.values()];
  }

  trace(traceId: string): TraceEntry | undefined {
    return this.traceMap.get(traceId.toLowerCase());
  }

  spans(): IngestSpan[] {
    return [...this.traceMap.values()].flatMap((entry) => [...entry.spans.values()]);
  }

  events(): IngestEvent[] {
    return [...this.eventList];
  }

  eventsOfTrace(traceId: string): IngestEvent[] {
    const id = traceId.toLowerCase();
    return this.eventList.filter((event) => event.trace_id?.toLowerCase() === id);
  }

  envelopes(): StoredEnvelope[] {
    return [...this.envelopeList];
  }

  raw(): RawBody[] {
    return [...this.rawList];
  }

  requests(): RequestRecord[] {
    return [...this.requestList];
  }

  stats(): IngestStats {
    return {
      requests: this.counters.requests,
      envelopes: this.counters.envelopes,
      otlpRequests: this.counters.otlpRequests,
      spans: this.spanCount,
      events: this.eventList.length,
      traces: this.traceMap.size,
      statuses: { ...this.statuses },
      evicted: { spans: this.counters.evictedSpans, events: this.counters.evictedEvents },
    };
  }

  /** Forgets everything in memory (the journal files are an append-only record and stay). */
  clear(): void {
    this.traceMap.clear();
    this.spanCount = 0;
    this.eventList = [];
    this.envelopeList = [];
    this.rawList = [];
    this.rawBytes = 0;
    this.requestList = [];
    this.statuses = {};
    this.counters = { requests: 0, envelopes: 0, otlpRequests: 0, evictedSpans: 0, evictedEvents: 0 };
  }

  private evictSpans(): void {
    while (this.spanCount > this.limits.maxSpans) {
      const oldest = this.traceMap.values().next().value;
      if (oldest === undefined) return;
      if (this.traceMap.size > 1) {
        this.traceMap.delete(oldest.traceId);
        this.spanCount -= oldest.spans.size;
        this.counters.evictedSpans += oldest.spans.size;
      } else {
        const first = oldest.spans.keys().next().value!;
        oldest.spans.delete(first);
        this.spanCount -= 1;
        this.counters.evictedSpans += 1;
        if (oldest.spans.size === 0) this.traceMap.delete(oldest.traceId);
      }
    }
  }
}
