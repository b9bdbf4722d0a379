/**
 * The recent calls of each local trace, kept so an error event can carry them as breadcrumbs
 * (docs/sentry.md, Breadcrumbs from the trace). Bounded three ways, every drop counted in
 * `agent_bridge_context_dropped_total{reason}`:
 *   - per trace: the newest `perTrace` breadcrumbs; older ones leave first (`breadcrumbs_per_trace`);
 *   - traces: at most `maxTraces`; the trace least recently added to is forgotten first (`breadcrumbs_evicted`);
 *   - bytes: at most `maxBytes` (SizedBreadcrumb estimates); least recently active traces go first
 *     (`breadcrumbs_evicted`).
 * Each record is O(1) amortised (a Map re-insertion keeps the order of activity); each read copies one
 * trace's breadcrumbs (≤ perTrace).
 */
import type { Breadcrumb } from '@sentry/core';
import { ChurnMap } from '../churn-map.js';
import { recordContextDrop } from '../self-metrics.js';
import type { SizedBreadcrumb } from './span-breadcrumb.js';

export interface TraceBreadcrumbsLimits {
  perTrace: number;
  maxTraces: number;
  maxBytes: number;
}

export const DEFAULT_TRACE_BREADCRUMBS_LIMITS: TraceBreadcrumbsLimits = { perTrace: 30, maxTraces: 256, maxBytes: 512 * 1024 };

interface TraceCrumbs {
  crumbs: SizedBreadcrumb[];
  bytes: number;
}

export class TraceBreadcrumbs {
  private readonly traces = new ChurnMap<string, TraceCrumbs>(); // an entry per trace: see churn-map.ts
  private bytes = 0;
  /** The trace written to last (it is last in `traces` while it is held). */
  private lastActive: string | undefined;
  readonly limits: TraceBreadcrumbsLimits;

  constructor(limits: Partial<TraceBreadcrumbsLimits> = {}) {
    this.limits = { ...DEFAULT_TRACE_BREADCRUMBS_LIMITS, ...limits };
  }

  record(traceId: string, crumb: SizedBreadcrumb): void {
    let trace = this.traces.get(traceId);
    if (trace === undefined) {
      trace = { crumbs: [], bytes: 0 };
      this.traces.set(traceId, trace);
    } else if (traceId !== this.lastActive) {
      // Re-inserted: the Map's order is the order of activity. Not when this trace was the last one written — it
      // is last already, and the spans of one trace mostly end one after another: a delete leaves a hole in V8's
      // table that every later eviction scan walks past until the next rehash.
      this.traces.delete(traceId);
      this.traces.set(traceId, trace);
    }
    this.lastActive = traceId;
    trace.crumbs.push(crumb);
    trace.bytes += crumb.bytes;
    this.bytes += crumb.bytes;
    if (trace.crumbs.length > this.limits.perTrace) {
      const oldest = trace.crumbs.shift()!;
      trace.bytes -= oldest.bytes;
      this.bytes -= oldest.bytes;
      recordContextDrop('breadcrumbs_per_trace');
    }
    this.evict(traceId);
  }

  /** The trace's breadcrumbs, oldest first, without the span `exceptSpanId` (the failing one itself). */
  recent(traceId: string, exceptSpanId?: string): Breadcrumb[] {
    const trace = this.traces.get(traceId);
    if (trace === undefined) return [];
    const out: Breadcrumb[] = [];
    for (const crumb of trace.crumbs) if (crumb.spanId !== exceptSpanId) out.push(crumb.breadcrumb);
    return out;
  }

  /** Whether any breadcrumb of the trace is held. */
  has(traceId: string): boolean {
    return this.traces.has(traceId);
  }

  /** The trace is over in this process (its local root ended): its breadcrumbs are of no further use. */
  forget(traceId: string): void {
    const trace = this.traces.get(traceId);
    if (trace === undefined) return;
    this.traces.delete(traceId);
    this.bytes -= trace.bytes;
  }

  /** Breadcrumbs and traces held now (tests, docs). */
  size(): { traces: number; breadcrumbs: number; bytes: number } {
    let breadcrumbs = 0;
    for (const trace of this.traces.values()) breadcrumbs += trace.crumbs.length;
    return { traces: this.traces.size, breadcrumbs, bytes: this.bytes };
  }

  /** Forget the least recently active traces until both bounds hold; the trace just written goes last. */
  private evict(current: string): void {
    while (this.traces.size > this.limits.maxTraces || this.bytes > this.limits.maxBytes) {
      const oldest = this.traces.keys().next().value;
      if (oldest === undefined) return;
      if (oldest === current && this.traces.size === 1) {
        // one trace alone over the byte bound: shed its oldest breadcrumbs instead
        const trace = this.traces.get(current)!;
        const dropped = trace.crumbs.shift();
        if (dropped === undefined) return;
        trace.bytes -= dropped.bytes;
        this.bytes -= dropped.bytes;
        recordContextDrop('breadcrumbs_evicted');
        continue;
      }
      const trace = this.traces.get(oldest)!;
      this.traces.delete(oldest);
      this.bytes -= trace.bytes;
      recordContextDrop('breadcrumbs_evicted', trace.crumbs.length);
    }
  }
}
