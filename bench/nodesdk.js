// A bare OpenTelemetry NodeSDK as its docs set it up for `node --import`: import-in-the-middle's ESM hook, http + undici
// instrumentation, the stock OTLP/protobuf span exporter to `url` — the comparison the issue names for start-up and
// memory. The start-up bench preloads it (preload-nodesdk.js); the sustained bench starts it in its own process, as
// it starts the bridge, with the exporter wrapped to count (`wrapExporter`).
import { register } from 'node:module';
import { createAddHookMessageChannel } from 'import-in-the-middle';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';

export async function startNodeSdk({ url, headers = {}, wrapExporter = (exporter) => exporter }) {
  const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
  register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
  const sdk = new NodeSDK({
    traceExporter: wrapExporter(new OTLPTraceExporter({ url, headers })),
    instrumentations: [new HttpInstrumentation(), new UndiciInstrumentation()],
  });
  sdk.start();
  await waitForAllMessagesAcknowledged();
  return sdk;
}
