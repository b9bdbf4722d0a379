/**
 * Prints a trace's waterfall once it has been quiet (no new spans or events) for `quietMs`: spans of one trace
 * arrive from several services over a moment, so printing on every batch would repeat half-finished pictures.
 * An error event usually arrives before its trace's spans (the Sentry transport sends at once, span exporters
 * batch for seconds), so a trace with events but no spans yet waits up to `spanWaitMs` for them instead of being
 * printed empty and then again. A trace that receives more data after printing is printed again after the next
 * quiet period.
 */
import { warnOnce } from '../log.js';
import { buildTraceDetail, traceDetailOf } from './query.js';
import type { IngestStore } from './store.js';
import { renderWaterfall } from './waterfall.js';

export interface QuietPrinterOptions {
  quietMs: number;
  /** How long a trace that so far has only events waits for its spans. Default `min(10 s, 10 × quietMs)`. */
  spanWaitMs?: number;
  print: (line: string) => void;
  width?: number;
  color?: boolean;
}

export class QuietTracePrinter {
  private readonly lastActivity = new Map<string, number>();
  /** When each pending trace was first seen, for the span wait. */
  private readonly firstSeen = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: IngestStore,
    private readonly options: QuietPrinterOptions,
  ) {}

  touch(traceId: string): void {
    const now = Date.now();
    this.lastActivity.set(traceId, now);
    if (!this.firstSeen.has(traceId)) this.firstSeen.set(traceId, now);
    if (this.timer === undefined) {
      const period = Math.max(20, Math.min(250, Math.floor(this.options.quietMs / 3)));
      this.timer = setInterval(() => this.tick(), period);
      this.timer.unref();
    }
  }

  /** Prints every trace that went quiet; `force` prints all pending ones now (used on shutdown). */
  tick(force = false): void {
    const now = Date.now();
    const spanWaitMs = this.options.spanWaitMs ?? Math.min(10_000, this.options.quietMs * 10);
    for (const [traceId, last] of this.lastActivity) {
      if (!force && now - last < this.options.quietMs) continue;
      if (!force && this.store.trace(traceId) === undefined && now - (this.firstSeen.get(traceId) ?? now) < spanWaitMs) continue;
      this.lastActivity.delete(traceId);
      this.firstSeen.delete(traceId);
      this.printTrace(traceId);
    }
    if (this.lastActivity.size === 0) this.stop();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private printTrace(traceId: string): void {
    try {
      const entry = this.store.trace(traceId);
      const events = this.store.eventsOfTrace(traceId);
      if (entry === undefined && events.length === 0) return;
      const detail = entry ? traceDetailOf(this.store, entry) : buildTraceDetail(traceId, [], events);
      const text = renderWaterfall(detail, detail.events, { width: this.options.width ?? 100, color: this.options.color === true });
      for (const line of text.split('\n')) this.options.print(line);
      this.options.print('');
    } catch (err) {
      // a printing failure must never take the ingest down
      warnOnce('ingest-waterfall', `ingest: could not print the waterfall of trace ${traceId}: ${(err as Error).message}`);
    }
  }
}
