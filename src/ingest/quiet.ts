/**
 * Prints a trace's waterfall once it has been quiet (no new spans or events) for `quietMs`: spans of one trace
 * arrive from several services over a moment, so printing on every batch would repeat half-finished pictures.
 * A trace that receives more data after printing is printed again after the next quiet period.
 */
import { warnOnce } from '../log.js';
import { buildTraceDetail, traceDetailOf } from './query.js';
import type { IngestStore } from './store.js';
import { renderWaterfall } from './waterfall.js';

export interface QuietPrinterOptions {
  quietMs: number;
  print: (line: string) => void;
  width?: number;
  color?: boolean;
}

export class QuietTracePrinter {
  private readonly lastActivity = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: IngestStore,
    private readonly options: QuietPrinterOptions,
  ) {}

  touch(traceId: string): void {
    this.lastActivity.set(traceId, Date.now());
    if (this.timer === undefined) {
      const period = Math.max(20, Math.min(250, Math.floor(this.options.quietMs / 3)));
      this.timer = setInterval(() => this.tick(), period);
      this.timer.unref();
    }
  }

  /** Prints every trace that went quiet; `force` prints all pending ones now (used on shutdown). */
  tick(force = false): void {
    const now = Date.now();
    for (const [traceId, last] of this.lastActivity) {
      if (!force && now - last < this.options.quietMs) continue;
      this.lastActivity.delete(traceId);
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
