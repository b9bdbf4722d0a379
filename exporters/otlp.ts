/**
 * The collector path: an extra OTLP/protobuf export configured entirely by the standard OTEL_EXPORTER_OTLP_*
 * variables (endpoint, headers, compression, timeout), which the exporter reads itself.
 */
import { createOtlpProtoTraceExporter } from './otlp-proto-encoder-exporter.js';
import type { SpanExporter } from '@opentelemetry/sdk-trace';

export function createCollectorTraceExporter(): SpanExporter {
  return createOtlpProtoTraceExporter();
}
