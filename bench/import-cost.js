// The start-up bench's import cost of each part the preload loads: in a fresh process, each group of modules is
// imported after the ones before it (the order the preload needs them), and the time each group adds is printed as
// one JSON line. A module shared with an earlier group is already loaded, so each figure is what that part adds.
// The last part is the Sentry SDK, which the preload loads only with a DSN, after the app's start-up has settled.
import { ROOT } from './lib.js';

const PARTS = [
  ['OpenTelemetry API', ['@opentelemetry/api']],
  ['tracing SDK (core, resources, sdk-trace, context)', ['@opentelemetry/core', '@opentelemetry/resources', '@opentelemetry/sdk-trace', '@opentelemetry/context-async-hooks']],
  ['node:http (its first load, which the metrics server and the http instrumentation need)', ['node:http']],
  ['metrics SDK + Prometheus exporter', ['@opentelemetry/sdk-metrics', '@opentelemetry/exporter-prometheus']],
  ['instrumentation base + ESM hook', ['@opentelemetry/instrumentation', 'import-in-the-middle', 'import-in-the-middle/register-hooks.mjs']],
  ['http, undici, runtime instrumentations', ['@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-undici', '@opentelemetry/instrumentation-runtime-node']],
  ["the bridge's own modules (the rest of the preload)", [`${ROOT}dist/instrumentation/bridge.js`]],
  ['Sentry SDK (with a DSN; after start-up)', ['@sentry/node']],
];

const out = {};
for (const [label, modules] of PARTS) {
  const started = performance.now();
  for (const module of modules) await import(module);
  out[label] = performance.now() - started;
}
console.log(JSON.stringify(out));
