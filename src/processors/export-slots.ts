/**
 * At most `limit` exports in flight; a batch that finds every slot taken waits its turn in a bounded line instead
 * of being failed by the exporter's own concurrency limit.
 *
 * Why: BatchSpanProcessor's forceFlush and shutdown start every queued batch at once (sdk-trace 3.1
 * BatchSpanProcessorBase `_flushAll`), while the OTLP exporters run with a small concurrency limit so an outage
 * costs bounded memory (exporters/concurrency.ts). Without this line a flush of a full default queue (4 batches of
 * 512) failed every batch past the second — spans lost at exactly the moment the app asked for them to be sent.
 * The line holds at most `maxWaiting` batches (the queue's worth); beyond it a batch fails at once and is counted.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

export class ExportSlots implements SpanExporter {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly inner: SpanExporter,
    private readonly limit: number,
    private readonly maxWaiting: number,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    if (this.inFlight < this.limit) return this.run(spans, resultCallback);
    if (this.waiting.length >= this.maxWaiting) {
      return resultCallback({ code: ExportResultCode.FAILED, error: new Error(`export line full (${this.maxWaiting} batches waiting)`) });
    }
    this.waiting.push(() => this.run(spans, resultCallback));
  }

  /** Resolves once every batch handed over so far has been exported or failed. */
  async forceFlush(): Promise<void> {
    await this.idle();
    await this.inner.forceFlush?.();
  }

  async shutdown(): Promise<void> {
    await this.idle();
    await this.inner.shutdown();
  }

  private run(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.inFlight++;
    let settled = false;
    const done = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      this.inFlight--;
      try {
        resultCallback(result);
      } finally {
        // The OTLP exporter frees its own slot in a promise handler that may run after this callback: start the
        // next batch once the microtasks of this one have run, or the exporter would still count it.
        setImmediate(() => this.next());
      }
    };
    try {
      this.inner.export(spans, done);
    } catch (err) {
      done({ code: ExportResultCode.FAILED, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }

  private next(): void {
    const start = this.waiting.shift();
    if (start !== undefined) return start();
    if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private idle(): Promise<void> {
    if (this.inFlight === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
