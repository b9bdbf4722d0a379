/**
 * The collector path: an extra OTLP/protobuf export configured entirely by the standard OTEL_EXPORTER_OTLP_*
 * variables (endpoint, headers, compression, timeout), which the exporter reads itself; only its concurrency is
 * bounded like the Sentry path's, so a collector outage costs the same bounded memory.
 */
import { createOtlpProtoTraceExporter } from './otlp-proto-encoder-exporter.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { EXPORT_CONCURRENCY_LIMIT } from './concurrency.js';

export function createCollectorTraceExporter(): SpanExporter {
  return createOtlpProtoTraceExporter({ concurrencyLimit: EXPORT_CONCURRENCY_LIMIT });
}
