/**
 * The stock OTLP/HTTP protobuf span exporter with our encoder as its serializer. Everything else is the
 * `@opentelemetry/exporter-trace-otlp-proto` 0.301 exporter as it builds itself (its node OTLPTraceExporter
 * constructor): the same export delegate (retries with backoff, concurrency limit, timeout), the same
 * configuration (constructor options and OTEL_EXPORTER_OTLP_* variables: endpoint, headers, compression,
 * timeout), the same response handling and exporter self-metrics.
 */
import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import { convertLegacyHttpOptions, createOtlpHttpExportDelegate, type OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base/node-http';
import { ProtobufTraceSerializer, TraceExporterMetricsHelper, type ISerializer, type IExportTraceServiceResponse } from '@opentelemetry/otlp-transformer';
import { OTEL_COMPONENT_TYPE_VALUE_OTLP_HTTP_SPAN_EXPORTER } from '../src/agent/semconv-incubating.js';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace';
import { encodeTraceRequest, type ExporterSpanAttributes } from './otlp-proto-encoder.js';
import { warnOnce } from '../src/log.js';

/** The serializer: our encoder, with the attributes this exporter adds to every span (`ExporterSpanAttributes`). */
function serializerWith(spanAttributes: ExporterSpanAttributes | undefined): ISerializer<ReadableSpan[], IExportTraceServiceResponse> {
  return {
    serializeRequest: (spans) => {
      try {
        return encodeTraceRequest(spans, spanAttributes);
      } catch (error) {
        // Undefined fails this export ("Nothing to send"): the batch is counted as failed, the host never sees a throw.
        warnOnce('otlp-proto-encoder', `could not encode spans for OTLP export: ${String(error)}`);
        return undefined;
      }
    },
    deserializeResponse: (data) => ProtobufTraceSerializer.deserializeResponse(data),
  };
}

/**
 * An OTLP/HTTP protobuf span exporter; `config` as for `OTLPTraceExporter` of exporter-trace-otlp-proto.
 * `spanAttributes`: attributes written on every span this exporter sends, where the span has no value of its own.
 */
export function createOtlpProtoTraceExporter(config: OTLPExporterNodeConfigBase = {}, spanAttributes?: ExporterSpanAttributes): SpanExporter {
  const options = convertLegacyHttpOptions(config, 'TRACES', 'v1/traces', { 'Content-Type': 'application/x-protobuf' });
  const delegate = createOtlpHttpExportDelegate(
    options,
    serializerWith(spanAttributes),
    OTEL_COMPONENT_TYPE_VALUE_OTLP_HTTP_SPAN_EXPORTER,
    TraceExporterMetricsHelper,
    config.selfObsMeterProvider,
  );
  return new OTLPExporterBase<ReadableSpan[]>(delegate);
}
