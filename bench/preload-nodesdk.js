// The comparison preload for start-up and memory: a bare OpenTelemetry NodeSDK as its docs set it up for
// `node --import` — import-in-the-middle's ESM hook, http + undici instrumentation, the stock OTLP/protobuf span
// exporter (to BENCH_OTLP_URL, the orchestrator's ingest).
import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';

const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
const sdk = new NodeSDK({
  traceExporter: new OTLPTraceExporter({ url: process.env.BENCH_OTLP_URL, headers: JSON.parse(process.env.BENCH_OTLP_HEADERS ?? '{}') }),
  instrumentations: [new HttpInstrumentation(), new UndiciInstrumentation()],
});
sdk.start();
await waitForAllMessagesAcknowledged();
