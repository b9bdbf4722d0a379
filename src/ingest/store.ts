/**
 * What the ingest received, bounded: spans grouped by trace (least recently active trace evicted first), error
 * events, parsed envelopes, raw bodies, outcomes and a request log, each capped by count, and spans plus events
 * together by bytes (each item is charged its share of the decompressed request body that carried it; the least
 * recently active traces go first, then the oldest events). Every eviction is counted. With a data dir every
 * accepted record is also appended to the journal, which is never trimmed.
 */
import type { Journal, RawIndexRecord } from './journal.js';
import type { IngestEvent, IngestSpan, IngestStats, Outcome, RawBody, RequestRecord, StoredEnvelope } from './types.js';

export interface StoreLimits {
  maxSpans: number;
  maxEvents: number;
  maxEnvelopes: number;
  maxRequests: number;
  /** Raw bodies kept in memory: at most this many bytes in total. */
  maxRawBytes: number;
  /** Spans and events kept in memory: at most this many received (decompressed) bytes. */
  maxBytes: number;
  maxOutcomes: number;
}

export const DEFAULT_LIMITS: StoreLimits = {
  maxSpans: 20_000,
  maxEvents: 2_000,
  maxEnvelopes: 1_000,
  maxRequests: 10_000,
  maxRawBytes: 32 * 1024 * 1024,
  maxBytes: 256 * 1024 * 1024,
  maxOutcomes: 1_000,
};

export interface TraceEntry {
  traceId: string;
  spans: Map<string, IngestSpan>;
  lastReceivedAt: number;
  /** Received bytes charged to this trace's spans. */
  bytes: number;
}

const ZERO_COUNTERS = { requests: 0, envelopes: 0, otlpRequests: 0, receivedSpans: 0, evictedSpans: 0, evictedEvents: 0, evictedTraces: 0, evictedBytes: 0, heldDropped: 0, outcomes: 0 };

export class IngestStore {
  private readonly traceMap = new Map<string, TraceEntry>();
  private spanCount = 0;
  private eventList: Array<{ event: IngestEvent; bytes: number }> = [];
  private bytes = 0;
  private outcomeList: Outcome[] = [];
  private envelopeList: StoredEnvelope[] = [];
  private rawList: RawBody[] = [];
  private rawBytes = 0;
  private requestList: RequestRecord[] = [];
  private counters = { ...ZERO_COUNTERS };
  private statuses: Record<string, number> = {};
  /** Called with every trace id that received spans or events (the quiet-trace printer listens). */
  onActivity: (traceId: string) => void = () => {};

  constructor(
    private readonly limits: StoreLimits = DEFAULT_LIMITS,
    private readonly journal?: Journal,
  ) {}

  /** `bodyBytes`: the decompressed request that carried them, shared out over its spans for the byte bound. */
  addSpans(spans: IngestSpan[], bodyBytes = 0): void {
    const each = spans.length > 0 ? Math.ceil(bodyBytes / spans.length) : 0;
    for (const span of spans) {
      let entry = this.traceMap.get(span.traceId);
      if (entry === undefined) entry = { traceId: span.traceId, spans: new Map(), lastReceivedAt: span.receivedAt, bytes: 0 };
      else this.traceMap.delete(span.traceId); // re-insert below: Map order = least recently active first
      if (!entry.spans.has(span.spanId)) this.spanCount += 1;
      entry.spans.set(span.spanId, span);
      entry.lastReceivedAt = span.receivedAt;
      entry.bytes += each;
      this.bytes += each;
      this.counters.receivedSpans += 1;
      this.traceMap.set(span.traceId, entry);
      this.journal?.append('spans', span);
    }
    this.evictSpans();
    this.evictBytes();
    for (const traceId of new Set(spans.map((span) => span.traceId))) if (this.traceMap.has(traceId)) this.onActivity(traceId);
  }

  addEvents(events: IngestEvent[], bodyBytes = 0): void {
    const each = events.length > 0 ? Math.ceil(bodyBytes / events.length) : 0;
    for (const event of events) {
      this.eventList.push({ event, bytes: each });
      this.bytes += each;
      this.journal?.append('events', event);
    }
    const excess = this.eventList.length - this.limits.maxEvents;
    if (excess > 0) {
      for (const removed of this.eventList.splice(0, excess)) this.bytes -= removed.bytes;
      this.counters.evictedEvents += excess;
    }
    this.evictBytes();
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

  addOutcome(outcome: Outcome): void {
    this.counters.outcomes += outcome.quantity;
    this.outcomeList.push(outcome);
    if (this.outcomeList.length > this.limits.maxOutcomes) this.outcomeList.shift();
    this.journal?.append('outcomes', outcome);
  }

  /** A black-holed connection reset because the hold limit was reached. */
  countHeldDropped(): void {
    this.counters.heldDropped += 1;
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
    return this.eventList.map((entry) => entry.event);
  }

  eventsOfTrace(traceId: string): IngestEvent[] {
    const id = traceId.toLowerCase();
    return this.events().filter((event) => event.trace_id?.toLowerCase() === id);
  }

  /** What Relay would have dropped after accepting it, oldest first (bounded). */
  outcomes(): Outcome[] {
    return [...this.outcomeList];
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
      bytes: this.bytes,
      receivedSpans: this.counters.receivedSpans,
      outcomes: this.counters.outcomes,
      heldDropped: this.counters.heldDropped,
      evicted: { spans: this.counters.evictedSpans, events: this.counters.evictedEvents, traces: this.counters.evictedTraces, bytes: this.counters.evictedBytes },
    };
  }

  /** Forgets everything in memory (the journal files are an append-only record and stay). */
  clear(): void {
    this.traceMap.clear();
    this.spanCount = 0;
    this.eventList = [];
    this.bytes = 0;
    this.outcomeList = [];
    this.envelopeList = [];
    this.rawList = [];
    this.rawBytes = 0;
    this.requestList = [];
    this.statuses = {};
    this.counters = { ...ZERO_COUNTERS };
  }

  private evictSpans(): void {
    while (this.spanCount > this.limits.maxSpans) {
      const oldest = this.traceMap.values().next().value;
      if (oldest === undefined) return;
      if (this.traceMap.size > 1) this.evictTrace(oldest);
      else {
        const first = oldest.spans.keys().next().value!;
        oldest.spans.delete(first);
        this.spanCount -= 1;
        this.counters.evictedSpans += 1;
        if (oldest.spans.size === 0) this.evictTrace(oldest);
      }
    }
  }

  private evictTrace(entry: TraceEntry): void {
    this.traceMap.delete(entry.traceId);
    this.spanCount -= entry.spans.size;
    this.bytes -= entry.bytes;
    this.counters.evictedSpans += entry.spans.size;
    this.counters.evictedTraces += 1;
    this.counters.evictedBytes += entry.bytes;
  }

  /** Over the byte budget: least recently active traces first, then the oldest events. */
  private evictBytes(): void {
    while (this.bytes > this.limits.maxBytes) {
      const oldest = this.traceMap.values().next().value;
      if (oldest !== undefined) {
        this.evictTrace(oldest);
        continue;
      }
      const event = this.eventList.shift();
      if (event === undefined) return;
      this.bytes -= event.bytes;
      this.counters.evictedEvents += 1;
      this.counters.evictedBytes += event.bytes;
    }
  }
}
