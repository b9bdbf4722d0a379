// The start-up bench's import cost of each part the preload loads: in a fresh process, each group of modules is
// imported after the ones before it (the order the preload needs them), and the time each group adds is printed as
// one JSON line. A module shared with an earlier group is already loaded, so each figure is what that part adds.
// The last parts load only after the app's start-up has settled (or at the first scrape), not before its first line:
// the metrics SDK, the runtime instrumentation, exporter-prometheus (its serializer; its module imports `http` as an
// ES module, whose facade loads Node's bundled undici) and, with a DSN, the Sentry SDK.
import { ROOT } from './lib.js';

const PARTS = [
  ['OpenTelemetry API', ['@opentelemetry/api']],
  ['tracing SDK (core, resources, sdk-trace, context)', ['@opentelemetry/core', '@opentelemetry/resources', '@opentelemetry/sdk-trace', '@opentelemetry/context-async-hooks']],
  // The metrics server's: the CommonJS module, no ES module facade (exporters/prometheus.ts).
  ['node:http (process.getBuiltinModule, as the metrics server loads it)', [() => process.getBuiltinModule('node:http')]],
  ['instrumentation base + ESM hook', ['@opentelemetry/instrumentation', 'import-in-the-middle', 'import-in-the-middle/register-hooks.mjs']],
  ['http, undici instrumentations', ['@opentelemetry/instrumentation-http', '@opentelemetry/instrumentation-undici']],
  ["the bridge's own modules (the rest of the preload)", [`${ROOT}dist/instrumentation/bridge.js`]],
  ['metrics SDK (after start-up or at the first scrape)', ['@opentelemetry/sdk-metrics']],
  ['runtime instrumentation (after start-up)', ['@opentelemetry/instrumentation-runtime-node']],
  ['Prometheus exporter (first scrape; node:http as an ES module)', ['@opentelemetry/exporter-prometheus']],
  // What the preload imports: the bridge's tree-shaken module of the SDK (exporters/sentry-sdk.ts), not the package.
  ['Sentry SDK (with a DSN; after start-up)', [`${ROOT}dist/exporters/sentry.js`]],
];

const out = {};
for (const [label, modules] of PARTS) {
  const started = performance.now();
  for (const module of modules) {
    if (typeof module === 'function') module();
    else await import(module);
  }
  out[label] = performance.now() - started;
}
console.log(JSON.stringify(out));
