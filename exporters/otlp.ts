/**
 * The collector path: an extra OTLP/protobuf export configured entirely by the standard OTEL_EXPORTER_OTLP_*
 * variables (endpoint, headers, compression, timeout), which the exporter reads itself.
 */
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { SpanExporter } from '@opentelemetry/sdk-trace';

export function createCollectorTraceExporter(): SpanExporter {
  return new OTLPTraceExporter();
}
