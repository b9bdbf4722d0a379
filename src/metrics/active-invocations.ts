/**
 * `agent_active_invocations{gen_ai_agent_name}`: agent invocations that started and have not ended, derived from
 * span starts and ends like every span metric — so it is exact under trace sampling (the sampler records every
 * span, architecture §4.4).
 *
 * A span that never ends (a hung agent, a handle dropped without `end()`) must not stay in the gauge forever:
 * an invocation older than `maxAgeMs` leaves the gauge and is counted in
 * `agent_invocations_abandoned_total{gen_ai_agent_name}`; if it ends later, nothing more changes.
 *
 * Bounds: at most `maxInFlight` invocations are tracked; a start beyond that is not counted in the gauge and is
 * counted in `agent_bridge_untracked_invocations_total` instead. Series per agent are bounded by the store's
 * cardinality limit (overflow series). The table is a Map in start order, so retiring old entries walks from the
 * oldest and stops at the first young one: O(retired) per sweep. Sweeps run on every tracked start and before
 * every scrape (the store's collect hook), so a scrape always sees the current gauge.
 */
import { ChurnMap } from '../churn-map.js';
import type { GaugeCell, LabelValues, PreAggregatedCounter, PreAggregatedGauge } from './span-metrics-store.js';

export const DEFAULT_INVOCATION_MAX_AGE_MS = 60 * 60 * 1000;
export const DEFAULT_MAX_IN_FLIGHT = 10_000;

export interface ActiveInvocationsOptions {
  gauge: PreAggregatedGauge;
  abandoned: PreAggregatedCounter;
  untracked: PreAggregatedCounter;
  /** After this long an invocation leaves the gauge as abandoned. Default 1 h. */
  maxAgeMs?: number;
  /** Invocations tracked at once. Default 10,000. */
  maxInFlight?: number;
  /** Milliseconds on a monotonic clock; injectable so tests drive expiry without waiting. */
  now?: () => number;
}

interface InFlight {
  readonly traceId: string;
  readonly cell: GaugeCell;
  readonly labels: LabelValues;
  readonly startedAt: number;
}

export class ActiveInvocations {
  /**
   * Keyed by span id, the trace id kept beside it; insertion order = start order (the clock is monotonic).
   * Not by `traceId + spanId`: that key was a new string at each start and end, flattened and hashed each time,
   * where the span id is the span's own string, hashed once (bench/processor-cost.js, span metrics onStart
   * and onEnd). Two in-flight invocations sharing a span id (random 64 bits) are told apart by trace id: the
   * later one is left untracked, and an end matches its own start only.
   */
  private readonly inFlight = new ChurnMap<string, InFlight>(); // an entry per invocation: see churn-map.ts
  private readonly gauge: PreAggregatedGauge;
  private readonly abandoned: PreAggregatedCounter;
  private readonly untracked: PreAggregatedCounter;
  private readonly maxAgeMs: number;
  private readonly maxInFlight: number;
  private readonly now: () => number;

  constructor(options: ActiveInvocationsOptions) {
    this.gauge = options.gauge;
    this.abandoned = options.abandoned;
    this.untracked = options.untracked;
    this.maxAgeMs = Math.max(0, options.maxAgeMs ?? DEFAULT_INVOCATION_MAX_AGE_MS);
    this.maxInFlight = Math.max(1, options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
    this.now = options.now ?? (() => performance.now());
    this.untracked.add(0, []); // present at 0 from the start, so increase() sees the first overflow
  }

  /** Number of invocations currently tracked (≤ maxInFlight). */
  get size(): number {
    return this.inFlight.size;
  }

  /** The span `spanId` of trace `traceId`, an invocation, started. */
  started(traceId: string, spanId: string, labels: LabelValues): void {
    const now = this.now();
    this.sweep(now);
    const held = this.inFlight.get(spanId);
    if (held !== undefined && held.traceId === traceId) return; // the same span reported twice: count it once
    if (held !== undefined || this.inFlight.size >= this.maxInFlight) {
      this.untracked.add(1, []);
      return;
    }
    const cell = this.gauge.cell(labels);
    cell.value += 1;
    this.inFlight.set(spanId, { traceId, cell, labels, startedAt: now });
  }

  ended(traceId: string, spanId: string): void {
    const entry = this.inFlight.get(spanId);
    if (entry === undefined || entry.traceId !== traceId) return; // untracked, or already retired as abandoned
    this.inFlight.delete(spanId);
    entry.cell.value -= 1;
  }

  /** Retire every invocation older than the maximum age (called before each scrape and on each start). */
  sweep(now: number = this.now()): void {
    for (const [key, entry] of this.inFlight) {
      if (now - entry.startedAt < this.maxAgeMs) break;
      this.inFlight.delete(key);
      entry.cell.value -= 1;
      this.abandoned.add(1, entry.labels);
    }
  }
}
