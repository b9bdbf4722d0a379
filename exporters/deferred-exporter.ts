/**
 * A span exporter that is still being built: the Sentry exporter needs @sentry/node (for the DSN's OTLP endpoint),
 * which loads in the background. Batches that are ready before it are exported once it is there; if it never
 * comes, each is reported failed (the batch processor counts it), never lost silently. `exporter` is asked for it
 * on each use (export, flush, shutdown) — the loader starts a load still waiting for the app's start-up then.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';

export class DeferredSpanExporter implements SpanExporter {
  constructor(private readonly exporter: () => Promise<SpanExporter | undefined>) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.exporter().then(
      (exporter) => {
        if (exporter === undefined) resultCallback({ code: ExportResultCode.FAILED, error: new Error('the span exporter could not be created') });
        else exporter.export(spans, resultCallback);
      },
      (error: unknown) => resultCallback({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) }),
    );
  }

  async shutdown(): Promise<void> {
    await (await this.exporter().catch(() => undefined))?.shutdown();
  }

  async forceFlush(): Promise<void> {
    await (await this.exporter().catch(() => undefined))?.forceFlush?.();
  }
}
