/**
 * Starts and stops the whole bridge (DESIGN §1): one OpenTelemetry SDK whose span processors feed
 * scrub → span-metrics → sentry-errors → batch/OTLP, a Prometheus endpoint, and the Sentry client.
 *
 * `startBridge` never throws into the host application: a part that cannot start logs one line and stays off.
 */
import { randomUUID } from 'node:crypto';
import { metrics } from '@opentelemetry/api';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import {
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
} from '@opentelemetry/semantic-conventions';
import {
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_SERVICE_INSTANCE_ID,
} from '@opentelemetry/semantic-conventions/incubating';
import { loadConfig, type BridgeConfig, type ConfigProblem } from './config.js';
import { createBridgeSampler } from './sampling/index.js';
import { createPropagator, orgIdFromDsn } from './propagation/index.js';
import { ScrubSpanProcessor } from './processors/scrub.js';
import { SpanMetricsProcessor } from './processors/span-metrics.js';
import { SentryErrorsProcessor } from './processors/sentry-errors.js';
import { SentrySpanAttributesProcessor } from './processors/sentry-span-attributes.js';
import { createExportPipeline } from './export-pipeline.js';
import { isTelemetryRequest } from './telemetry-requests.js';
import { nameHttpServerSpan } from './naming/http-server-span-name.js';
import { setCaptureMessageContent } from './agent/index.js';
import { startPrometheusExporter, type PrometheusHandle } from '../exporters/prometheus.js';
import { initSentry, resolveRelease, createSentryTraceExporter, type SentryClientHandle } from '../exporters/sentry.js';
import { createCollectorTraceExporter } from '../exporters/otlp.js';
import { error as logError, info, warn } from './log.js';
import { installShutdownHooks } from './shutdown.js';

export interface StartBridgeOptions {
  /** Environment to read instead of `process.env` (tests, embedding). */
  env?: Record<string, string | undefined>;
  /** Install SIGTERM/SIGINT/beforeExit flushing (the preload does; programmatic users may opt out). Default true. */
  handleSignals?: boolean;
  /** Extra span processors, run after the bridge's own (e.g. an in-memory exporter in tests). */
  spanProcessors?: SpanProcessor[];
}

export interface BridgeHandle {
  readonly config: BridgeConfig;
  readonly problems: readonly ConfigProblem[];
  /** URL of the Prometheus endpoint when it is being served. */
  readonly metricsUrl: string | undefined;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

let current: Promise<BridgeHandle> | undefined;

/** Start the bridge once per process; later calls return the same handle. */
export function startBridge(options: StartBridgeOptions = {}): Promise<BridgeHandle> {
  current ??= start(options);
  return current;
}

/** Flush everything and stop; the bridge can be started again afterwards. */
export async function shutdownBridge(): Promise<void> {
  const handle = current;
  current = undefined;
  if (handle !== undefined) await (await handle).shutdown();
}

async function start(options: StartBridgeOptions): Promise<BridgeHandle> {
  const { config, problems } = loadConfig(options.env ?? process.env);
  for (const problem of problems) warn(problem.message);
  if (config.disabled) return disabledHandle(config, problems);

  try {
    return await startEnabled(config, problems, options);
  } catch (err) {
    logError(`could not start, telemetry is off for this process: ${(err as Error).message}`);
    return disabledHandle(config, problems);
  }
}

async function startEnabled(config: BridgeConfig, problems: ConfigProblem[], options: StartBridgeOptions): Promise<BridgeHandle> {
  const dsn = config.sentry.dsn;
  const release = dsn === undefined ? config.release : resolveRelease(config);
  const resource = resourceFromAttributes({
    ...config.resourceAttributes,
    [ATTR_SERVICE_NAME]: config.serviceName,
    ...(release === undefined ? {} : { [ATTR_SERVICE_VERSION]: release }),
    [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: config.environment,
    [ATTR_SERVICE_INSTANCE_ID]: randomUUID(),
  });
  setCaptureMessageContent(config.captureMessageContent);

  // Metrics first: span-metrics and the self metrics need the meter provider.
  let prometheus: PrometheusHandle | undefined;
  if (config.prometheus.enabled) {
    prometheus = await startPrometheusExporter({
      host: config.prometheus.host,
      port: config.prometheus.port,
      token: config.prometheus.token,
      cardinalityLimit: config.prometheus.cardinalityLimit,
      resource,
    });
    metrics.setGlobalMeterProvider(prometheus.meterProvider);
  }

  let sentry: SentryClientHandle | undefined;
  if (dsn !== undefined) sentry = initSentry(config, dsn, () => shutdown());
  else if (!problems.some((problem) => problem.variable === 'SENTRY_DSN')) info('SENTRY_DSN is not set: Sentry export is off; metrics stay on');

  // One DSC for a trace this process heads: what the propagator sends downstream and what its error events carry.
  const dscOptions = {
    publicKey: config.sentry.publicKey,
    orgId: orgIdFromDsn(dsn),
    environment: config.environment,
    release,
    sampleRate: config.sampling.explicit?.arg ?? config.sampling.rootRate,
  };
  const spanProcessors: SpanProcessor[] = [new ScrubSpanProcessor({ extraKeys: config.scrub.extraKeys })];
  if (prometheus !== undefined) {
    spanProcessors.push(
      new SpanMetricsProcessor({ store: prometheus.spanMetrics, operationalErrors: config.operationalErrors }),
    );
  }
  if (sentry !== undefined) {
    spanProcessors.push(new SentrySpanAttributesProcessor({ release, environment: config.environment }));
    spanProcessors.push(new SentryErrorsProcessor({ operationalErrors: config.operationalErrors, serviceName: config.serviceName, dsc: dscOptions }));
    const exporter = config.sentry.traces ? createSentryTraceExporter(dsn!, config.batch.exportTimeoutMillis) : undefined;
    if (exporter !== undefined) spanProcessors.push(createExportPipeline('sentry', exporter, config.batch));
  }
  if (config.otlp.enabled) {
    spanProcessors.push(createExportPipeline('otlp', createCollectorTraceExporter(), config.batch));
  }
  spanProcessors.push(...(options.spanProcessors ?? []));

  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    sampler: createBridgeSampler(config.sampling),
    textMapPropagator: createPropagator(config.propagators, {
      dsc: dscOptions,
    }),
    spanProcessors,
    // Metrics are served by our own Prometheus reader; no OTLP logs/metrics exporters from the environment.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreOutgoingRequestHook: (request) => isTelemetryRequest(request.path ?? ''),
        requestHook: nameHttpServerSpan,
      }),
      new UndiciInstrumentation({ ignoreRequestHook: (request) => isTelemetryRequest(request.path) }) as never,
    ],
  });
  sdk.start();

  const shutdown = once(async () => {
    const deadline = withTimeout(config.shutdownTimeoutMs);
    await deadline.race(
      (async () => {
        await settle(sdk.shutdown());
        if (sentry !== undefined) await settle(sentry.close(Math.max(1, deadline.remaining())));
        if (prometheus !== undefined) await settle(prometheus.close());
      })(),
    );
  });
  const handle: BridgeHandle = {
    config,
    problems,
    metricsUrl: prometheus?.url,
    forceFlush: async () => {
      await Promise.all(spanProcessors.map((processor) => settle(processor.forceFlush())));
      if (sentry !== undefined) await settle(sentry.flush(config.shutdownTimeoutMs));
    },
    shutdown,
  };
  if (options.handleSignals !== false) installShutdownHooks(shutdown);
  return handle;
}

function disabledHandle(config: BridgeConfig, problems: ConfigProblem[]): BridgeHandle {
  return { config, problems, metricsUrl: undefined, forceFlush: async () => {}, shutdown: async () => {} };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let run: Promise<void> | undefined;
  return () => (run ??= fn());
}

/** Await without ever rejecting: a failing exporter must not stop the others from flushing. */
async function settle(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch (err) {
    warn(`flush failed: ${(err as Error).message}`);
  }
}

function withTimeout(ms: number) {
  const end = Date.now() + ms;
  return {
    remaining: () => end - Date.now(),
    race: (work: Promise<void>): Promise<void> =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          warn(`shutdown did not finish within ${ms} ms (AGENT_BRIDGE_SHUTDOWN_TIMEOUT_MS); giving up on the rest`);
          resolve();
        }, ms);
        timer.unref();
        void work.finally(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
