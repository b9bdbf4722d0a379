/**
 * Starts and stops the whole bridge: one OpenTelemetry SDK whose span processors feed
 * scrub → span-metrics → sentry-errors → batch/OTLP, a Prometheus endpoint, and the Sentry client.
 *
 * `startBridge` never throws into the host application. Start is all or nothing: each part registers its stop
 * with the one `Lifecycle` as it starts, and a failure closes everything already started, then logs one line.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { context, diag, DiagConsoleLogger, metrics, propagation, trace } from '@opentelemetry/api';
import type { SpanLimits } from '@opentelemetry/sdk-trace';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { registerInstrumentations, type Instrumentation } from '@opentelemetry/instrumentation';
import { diagLogLevelFromString, getNumberFromEnv } from '@opentelemetry/core';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan, SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace';
import {
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_VERSION,
} from '@opentelemetry/semantic-conventions';
import {
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_SERVICE_INSTANCE_ID,
} from '../src/agent/semconv-incubating.js';
import { loadConfig, type BridgeConfig, type ConfigProblem } from '../src/config.js';
import { createBridgeSampler } from '../src/sampling/index.js';
import { BridgeTracerProvider } from '../src/tracing/bridge-tracer-provider.js';
import { createPropagator, localRootTransaction, orgIdFromDsn, type DscOptions } from '../src/propagation/index.js';
import { LocalRootsProcessor } from '../src/processors/local-roots.js';
import { ErrorTraceProcessor } from '../src/processors/error-traces.js';
import { AiSdkSpansProcessor } from '../src/processors/ai-sdk-spans.js';
import { ScrubSpanProcessor } from '../src/processors/scrub.js';
import { SpanMetricsProcessor } from '../src/processors/span-metrics.js';
import { SentryErrorsProcessor } from '../src/processors/sentry-errors.js';
import { FrameworkSpansProcessor } from '../src/processors/framework-spans.js';
import { CountingBatchSpanProcessor, type SpanEncoder } from '../src/processors/counting-batch.js';
import { createSpanEncoder } from '../exporters/otlp-proto-encoder.js';
import { settleSpanAllocationFeedback } from './allocation-feedback.js';
import { sentrySpanAttributes } from '../exporters/sentry-span-attributes.js';
import { setCaptureMessageContent } from '../src/agent/content.js';
import type { PrometheusReader } from '../exporters/prometheus.js';
import { startMetricsServer } from '../exporters/prometheus-endpoint.js';
import type { MeterProvider as SdkMeterProvider } from '@opentelemetry/sdk-metrics';
import { DeferredMeterProvider } from '../src/metrics/deferred-meter-provider.js';
import { SpanMetricsStore } from '../src/metrics/span-metrics-store.js';
import { bindSelfMetrics, recordInstrumentationDrop, unbindSelfMetrics } from '../src/self-metrics.js';
import { loadSentryInBackground, type BackgroundSentry } from './sentry-loader.js';
import { watchAppStartup, type StartupSettled } from './startup-settled.js';
import { ContextAttributesProcessor } from '../src/processors/context-attributes.js';
import { TraceBreadcrumbsProcessor } from '../src/processors/trace-breadcrumbs.js';
import { SpanPath } from '../src/processors/span-path.js';
import { ExportHealth, type ExportObserver } from '../src/processors/export-health.js';
import { TraceBreadcrumbs } from '../src/context/trace-breadcrumbs.js';
import { EventContextBuilder, decorationForContext } from '../src/context/event-context.js';
import { METER_NAME } from '../src/metrics/catalog.js';
import { observeProcessMetrics } from '../src/metrics/process-metrics.js';
import { EXPORT_CONCURRENCY_LIMIT } from '../exporters/concurrency.js';
import { error as logError, info, warn } from '../src/log.js';
import { maskDsn } from '../src/mask-url.js';
import { applySourceMaps, type SourceMapsDecision } from '../src/source-maps.js';
import { installShutdownHooks } from './shutdown.js';
import { Lifecycle, settle } from './lifecycle.js';
import { observeProcessErrors } from './process-errors.js';
import { createInstrumentations } from './instrumentations.js';

export interface StartBridgeOptions {
  /** Environment to read instead of `process.env` (tests, embedding). */
  env?: Record<string, string | undefined>;
  /**
   * Install SIGTERM/SIGINT/beforeExit flushing and the crash observer (./process-errors.ts) — the preload does;
   * programmatic users may opt out. Default true.
   */
  handleSignals?: boolean;
  /** Extra span processors, run after the bridge's own (e.g. an in-memory exporter in tests). */
  spanProcessors?: SpanProcessor[];
}

export interface BridgeHandle {
  readonly config: BridgeConfig;
  readonly problems: readonly ConfigProblem[];
  /** URL of the Prometheus endpoint when it is being served. */
  readonly metricsUrl: string | undefined;
  /**
   * Settles (never rejects) once what the bridge loads in the background is up — the Sentry SDK, which the preload
   * does not wait for (instrumentation/sentry-loader.ts; it loads once the app's start-up has settled, or at once
   * when this is called). Spans and errors before that are queued, not lost; a short script or a benchmark may
   * await this before its first burst of spans.
   */
  ready(): Promise<void>;
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

  const lifecycle = new Lifecycle();
  try {
    return await startEnabled(lifecycle, config, problems, options);
  } catch (err) {
    // All or nothing: close whatever started before the failure, so "telemetry is off" is true.
    await lifecycle.rollback();
    logError(`could not start, telemetry is off for this process: ${(err as Error).message}`);
    return disabledHandle(config, problems);
  }
}

async function startEnabled(
  lifecycle: Lifecycle,
  config: BridgeConfig,
  problems: ConfigProblem[],
  options: StartBridgeOptions,
): Promise<BridgeHandle> {
  // Before anything else: Node maps only the modules loaded after this (src/source-maps.ts). Not undone by
  // shutdown or a failed start: stacks formatted later (a crash printed after the flush) must read the same.
  const sourceMaps = applySourceMaps(config.sourceMaps);
  const dsn = config.sentry.dsn;
  // Resolving it may import @sentry/core: only worth it where Sentry will receive it.
  const release = dsn === undefined ? config.release : await (await import('../exporters/sentry-release.js')).resolveRelease(config.release);
  const resource = bridgeResource(config, release);
  setCaptureMessageContent(config.captureMessageContent);

  // What the preload defers until the app's start-up has settled (./startup-settled.ts): one watch for all of it.
  const startup = dsn !== undefined || config.prometheus.enabled ? watchAppStartup() : undefined;
  // What the export slots see, served as /readyz (src/processors/export-health.ts).
  const exportHealth = new ExportHealth(config.readiness);
  // Metrics first: span-metrics and the instrumentations need the store and the meter provider.
  const prometheus = config.prometheus.enabled ? await startMetrics(lifecycle, config, resource, exportHealth, startup!) : undefined;

  let sentry: BackgroundSentry | undefined;
  if (dsn !== undefined) {
    sentry = loadSentryInBackground(config, dsn, release, startup!);
    lifecycle.started('Sentry client', (remainingMs) => sentry!.close(remainingMs));
  }

  // One DSC for a trace this process heads: what the propagator sends downstream and what its error events carry.
  const dscOptions: DscOptions = {
    transactionOf: localRootTransaction,
    publicKey: config.sentry.publicKey,
    orgId: orgIdFromDsn(dsn),
    environment: config.environment,
    release,
    sampleRate: config.sampling.explicit?.arg ?? config.sampling.rootRate,
  };
  const breadcrumbs = sentry === undefined ? undefined : new TraceBreadcrumbs();
  // Imported only when a collector is configured: the OTLP exporter's packages (otlp-exporter-base,
  // otlp-transformer) are not on the preload's path otherwise (with a DSN the Sentry exporter loads them in the
  // background, exporters/sentry.ts).
  const collector = config.otlp.enabled ? (await import('../exporters/otlp.js')).createCollectorTraceExporter() : undefined;
  const { spanProcessors, sentryErrors } = spanPipeline(config, { prometheus, sentry, breadcrumbs, exportHealth, dscOptions, collector, release }, options.spanProcessors ?? []);
  // Scrapes and probes of the bridge's own /metrics and /healthz get no span: not entry points of the app.
  const isOwnEndpoint = (request: IncomingMessage): boolean => prometheus?.servesRequest(request) ?? false;
  const instrumentations = await createInstrumentations(config.instrumentations, { isOwnEndpoint });
  startSdk(lifecycle, config, resource, dscOptions, spanProcessors, instrumentations);
  const runtimeMetricsUp = config.runtimeMetrics && prometheus !== undefined ? startRuntimeMetricsLater(lifecycle, prometheus.sdkReady) : undefined;

  const shutdown = (): Promise<void> => lifecycle.shutdown(config.shutdownTimeoutMs);
  if (options.handleSignals !== false) {
    // Removed last: until the flush is over, a library that exits when its signal listener is alone must not be.
    lifecycle.started('shutdown hooks', installShutdownHooks(shutdown), { last: true });
    watchProcessErrors(lifecycle, config, shutdown, sentry, sentryErrors, breadcrumbs);
  }
  announce(config, dsn, prometheus?.url, sourceMaps);
  return {
    config,
    problems,
    metricsUrl: prometheus?.url,
    ready: async () => {
      startup?.now();
      await Promise.all([sentry?.loaded(), prometheus?.sdkReady, runtimeMetricsUp]);
    },
    forceFlush: async () => {
      await Promise.all(spanProcessors.map((processor) => settle('span processor', () => processor.forceFlush())));
      if (sentry !== undefined) await settle('Sentry client', () => sentry.flush(config.shutdownTimeoutMs));
    },
    shutdown,
  };
}

/** Crashes are captured and, when they end the process, flushed first — only if there is anything to send. */
function watchProcessErrors(
  lifecycle: Lifecycle,
  config: BridgeConfig,
  flush: () => Promise<void>,
  sentry: BackgroundSentry | undefined,
  sentryErrors: SentryErrorsProcessor | undefined,
  breadcrumbs: TraceBreadcrumbs | undefined,
): void {
  if (sentry === undefined && !config.otlp.enabled) return;
  // The escaping error's span and context are the ones active now (Node runs these observers in its async
  // context): read them now, the event is built once the Sentry SDK is up.
  const report = sentry?.captureProcessError;
  const processContext = new EventContextBuilder(config.context);
  const capture =
    sentryErrors === undefined || report === undefined
      ? () => {}
      : (error: unknown, origin: NodeJS.UncaughtExceptionOrigin, fatal: boolean) => {
          const active = context.active();
          const link = sentryErrors.traceLinkFor(active);
          report(error, origin, fatal, link, decorationForContext(processContext, active, breadcrumbs));
        };
  lifecycle.started('process error hooks', observeProcessErrors({ capture, flush }));
}

/** The parts started before the span processors, which feed them. */
interface PipelineParts {
  prometheus: MetricsHandle | undefined;
  sentry: BackgroundSentry | undefined;
  breadcrumbs: TraceBreadcrumbs | undefined;
  exportHealth: ExportHealth;
  dscOptions: DscOptions;
  /** The release spans sent to Sentry carry (exporters/sentry-span-attributes.ts). */
  release: string | undefined;
  /** The OTLP exporter to the collector, when one is configured. */
  collector: SpanExporter | undefined;
}

/**
 * The span processors in the order every span passes them, the export slots last, then `extra` (the programmatic
 * entry's own). Also returns the Sentry errors processor: crashes are linked to their trace through it.
 */
function spanPipeline(
  config: BridgeConfig,
  parts: PipelineParts,
  extra: SpanProcessor[],
): { spanProcessors: SpanProcessor[]; sentryErrors: SentryErrorsProcessor | undefined } {
  const { prometheus, sentry, breadcrumbs, exportHealth, dscOptions, collector, release } = parts;
  let sentryErrors: SentryErrorsProcessor | undefined;
  const exportPipelines: SpanProcessor[] = [];
  // GenAI spans of other instrumentations (the AI SDK's, …) get the helpers' hints first, so scrub, metrics and
  // Sentry see them like helper spans (src/processors/ai-sdk-spans.ts). Then the context, at start: every later
  // processor and exporter sees the allowlisted ids on the span. Web-framework spans hand their exception and route
  // to the request's server span as they end (src/processors/framework-spans.ts); the scrubber sees the server span
  // with it when that span ends.
  const frameworkSpans = new FrameworkSpansProcessor();
  const spanProcessors: SpanProcessor[] = [
    frameworkSpans,
    new AiSdkSpansProcessor(),
    new ContextAttributesProcessor(config.context),
    new LocalRootsProcessor(),
    new ScrubSpanProcessor({ extraKeys: config.scrub.extraKeys }),
  ];
  if (prometheus !== undefined) {
    spanProcessors.push(
      new SpanMetricsProcessor({
        store: prometheus.spanMetrics,
        operationalErrors: config.operationalErrors,
        prices: config.prices,
        invocationMaxAgeMs: config.prometheus.invocationMaxAgeMs,
      }),
    );
  }
  if (sentry !== undefined) {
    spanProcessors.push(new TraceBreadcrumbsProcessor(breadcrumbs!));
    sentryErrors = new SentryErrorsProcessor({
      operationalErrors: config.operationalErrors,
      serviceName: config.serviceName,
      dsc: dscOptions,
      reporter: sentry.reporter,
      context: config.context,
      ...(breadcrumbs === undefined ? {} : { breadcrumbs }),
      isHandedOver: (span) => frameworkSpans.isHandedOver(span),
    });
    spanProcessors.push(sentryErrors);
    if (config.sentry.traces) {
      const encode = createSpanEncoder(sentrySpanAttributes({ release, environment: config.environment }));
      exportPipelines.push(exportPipeline('sentry', sentry.createTraceExporter(config.batch.exportTimeoutMillis), config, exportHealth, encode));
    }
  }
  if (collector !== undefined) {
    exportPipelines.push(exportPipeline('otlp', collector, config, exportHealth, createSpanEncoder()));
  }
  // Unsampled traces that fail are exported whole after all (before the pipelines: it hands them kept spans).
  const { maxBytes, maxAgeMs } = config.errorTraceBuffer;
  if (exportPipelines.length > 0 && maxBytes > 0) {
    const isHandedOver = (span: ReadableSpan) => frameworkSpans.isHandedOver(span);
    spanProcessors.push(new ErrorTraceProcessor({ exportTo: exportPipelines, maxBytes, maxAgeMs, operationalErrors: config.operationalErrors, isHandedOver }));
  }
  spanProcessors.push(...exportPipelines);
  spanProcessors.push(...extra);
  return { spanProcessors, sentryErrors };
}

/** One line at start (unless AGENT_BRIDGE_QUIET): what this process sends where, the DSN's key masked. */
function announce(config: BridgeConfig, dsn: string | undefined, metricsUrl: string | undefined, sourceMaps: SourceMapsDecision): void {
  const sentry = dsn === undefined ? 'Sentry off (no DSN)' : `Sentry ${maskDsn(dsn)}${config.sentry.traces ? '' : ' (errors only)'}`;
  const collector = config.otlp.enabled ? ', OTLP collector on' : '';
  const maps = sourceMaps.reason === 'on' || sourceMaps.reason === 'entry-ships-map' ? ', source maps on' : '';
  info(`started for service "${config.serviceName}": ${sentry}${collector}, metrics ${metricsUrl ?? 'off'}${maps}`);
}

/**
 * Sampled spans → encoded as they end → batch → exporter, every outcome counted (`agent_bridge_spans_total`), within
 * the exporters' concurrency. Both exporters are the bridge's OTLP encoder, which takes the encoded spans.
 */
function exportPipeline(name: string, exporter: SpanExporter, config: BridgeConfig, observer: ExportObserver, encode: SpanEncoder): SpanProcessor {
  return new CountingBatchSpanProcessor({ exporter, name, ...config.batch, maxConcurrentExports: EXPORT_CONCURRENCY_LIMIT, observer, encode });
}

function bridgeResource(config: BridgeConfig, release: string | undefined): Resource {
  return resourceFromAttributes({
    ...config.resourceAttributes,
    [ATTR_SERVICE_NAME]: config.serviceName,
    ...(release === undefined ? {} : { [ATTR_SERVICE_VERSION]: release }),
    [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: config.environment,
    [ATTR_SERVICE_INSTANCE_ID]: randomUUID(),
  });
}

/** The metrics endpoint as the preload runs it (startMetrics). */
interface MetricsHandle {
  /** Give this to SpanMetricsProcessor: the span-derived series, collected with every scrape. */
  readonly spanMetrics: SpanMetricsStore;
  /** `http://host:port/metrics`, or undefined when the server could not listen. */
  readonly url: string | undefined;
  servesRequest(request: IncomingMessage): boolean;
  /** Settles (never rejects) once the metrics SDK is up and bound, could not load, or the bridge stopped first. */
  readonly sdkReady: Promise<void>;
}

/**
 * The endpoint, the span metrics store and the global meter provider at once; the metrics SDK
 * (@opentelemetry/sdk-metrics, ~50 modules, ~12 ms of every process's first line — issue 18) once the app's
 * start-up has settled, at the first scrape, or when 10,000 measurements wait for it. Nothing is lost meanwhile:
 * span-derived metrics go to the store, which bypasses the SDK; the self metrics keep their counts until bound
 * (src/self-metrics.ts); instruments made on the global meter provider — the HTTP instrumentation's, the app's —
 * keep every measurement and replay it (src/metrics/deferred-meter-provider.ts); CPU and RSS are read at collection.
 */
async function startMetrics(lifecycle: Lifecycle, config: BridgeConfig, resource: Resource, health: ExportHealth, startup: StartupSettled): Promise<MetricsHandle> {
  const cardinalityLimit = config.prometheus.cardinalityLimit;
  const spanMetrics = new SpanMetricsStore(cardinalityLimit);
  const meterProvider = new DeferredMeterProvider({ onBacklog: () => startup.now(), onDropped: () => recordInstrumentationDrop('metrics', 'overflow') });
  let stopped = false;
  let sdk: { meterProvider: SdkMeterProvider; stopProcessMetrics: (() => void) | undefined } | undefined;
  const sdkReady: Promise<PrometheusReader | undefined> = startup.settled
    .then(() => (stopped ? undefined : import('../exporters/prometheus.js')))
    .then((module) => {
      if (module === undefined || stopped) return undefined;
      const created = module.createPrometheusMeterProvider({ cardinalityLimit, resource, spanMetrics });
      bindSelfMetrics(created.meterProvider);
      meterProvider.bind(created.meterProvider);
      // CPU and RSS here; event loop, heap and GC come from the runtime instrumentation (startRuntimeMetricsLater).
      const stopProcessMetrics = config.runtimeMetrics ? observeProcessMetrics(created.meterProvider.getMeter(METER_NAME)) : undefined;
      sdk = { meterProvider: created.meterProvider, stopProcessMetrics };
      return created.reader;
    })
    .catch((err: unknown) => {
      warn(`metrics are not collected: the metrics SDK could not start: ${(err as Error).message}`);
      meterProvider.discard(); // what the instruments kept for it, and every later measurement, goes
      return undefined;
    });
  const server = await startMetricsServer({
    host: config.prometheus.host,
    port: config.prometheus.port,
    token: config.prometheus.token,
    readiness: () => health.status(),
    exposition: async () => {
      startup.now(); // a scrape does not wait for a quiet period
      const reader = await sdkReady;
      if (reader === undefined) throw new Error('the metrics SDK is not running');
      return reader.exposition();
    },
  });
  lifecycle.started('Prometheus endpoint', async () => {
    stopped = true;
    meterProvider.discard(); // stopped before the SDK was bound: instruments handed out keep nothing more
    metrics.disable();
    await server.close();
    if (sdk === undefined) return;
    sdk.stopProcessMetrics?.();
    unbindSelfMetrics(sdk.meterProvider);
    await sdk.meterProvider.shutdown().catch((err: unknown) => warn(`metrics shutdown: ${String(err)}`));
  });
  metrics.setGlobalMeterProvider(meterProvider);
  return {
    spanMetrics,
    url: server.url,
    servesRequest: (request) => server.servesRequest(request),
    sdkReady: sdkReady.then(() => undefined),
  };
}

/** Sampling resolution of the event-loop delay histogram (the instrumentation's default). */
const RUNTIME_MONITORING_PRECISION_MS = 10;

/**
 * Event-loop delay and utilization, heap and heap spaces, GC durations (@opentelemetry/instrumentation-runtime-node),
 * on the global (Prometheus) meter provider registerInstrumentations hands it — only where /metrics exists to show
 * them, and only once the metrics SDK is up (`metricsSdkReady`: after the app's start-up has settled, or at the
 * first scrape; startMetrics): importing and enabling it cost ~20 ms of every preloaded
 * process's first line (issue 18; ~25 modules, perf_hooks and v8), and nothing reads it before a scrape. What it
 * does not see: the GCs and event-loop delay of the app's start-up itself (its module loading, at most
 * STARTUP_MAX_MS) — those begin when it is enabled, and the first scrape's utilization covers the time since then;
 * the event-loop time counter (a process total) and the heap figures are read at collection and lose nothing. A
 * scrape before then has no runtime series yet. Never rejects; a failure is one warning, no runtime metrics.
 */
function startRuntimeMetricsLater(lifecycle: Lifecycle, metricsSdkReady: Promise<void>): Promise<void> {
  let stopped = false;
  let unload: (() => void) | undefined;
  lifecycle.started('runtime metrics', () => {
    stopped = true;
    unload?.();
  });
  return metricsSdkReady
    .then(() => (stopped ? undefined : import('@opentelemetry/instrumentation-runtime-node')))
    .then((module) => {
      if (module === undefined || stopped) return;
      unload = registerInstrumentations({ instrumentations: [new module.RuntimeNodeInstrumentation({ monitoringPrecision: RUNTIME_MONITORING_PRECISION_MS })] });
    })
    .catch((err: unknown) => warn(`runtime metrics are off: ${(err as Error).message}`));
}

function startSdk(
  lifecycle: Lifecycle,
  config: BridgeConfig,
  resource: Resource,
  dscOptions: DscOptions,
  spanProcessors: SpanProcessor[],
  instrumentations: Instrumentation[],
): void {
  // The SDK's parts wired by hand rather than through NodeSDK: NodeSDK also loads every OTLP (gRPC included),
  // Zipkin, logs and metrics exporter it could build from the environment — a large share of the preload's
  // start-up — while the bridge builds its own exporters and readers. What NodeSDK.start() does for us
  // (@opentelemetry/sdk-node 0.301 sdk.mjs): diag logger from OTEL_LOG_LEVEL, instrumentations, the
  // AsyncLocalStorage context manager, the propagator, and a tracer provider with span limits from the env.
  if (config.logLevel !== undefined) {
    diag.setLogger(new DiagConsoleLogger(), { logLevel: diagLogLevelFromString(config.logLevel) });
  }
  const provider = new BridgeTracerProvider({
    resource,
    sampler: createBridgeSampler(config.sampling),
    spanLimits: spanLimitsFromEnv(),
    spanProcessors: [new SpanPath(spanProcessors)],
  });
  settleSpanAllocationFeedback(resource);
  // Registered before start: a start that throws half-way has already set some globals and patched modules.
  // The ESM loader hook (instrumentation/register.ts) cannot be unregistered — Node has no API for it — but
  // with every instrumentation disabled nothing is patched through it.
  lifecycle.started('OpenTelemetry SDK', async () => {
    await provider.shutdown();
    for (const instrumentation of instrumentations) instrumentation.disable();
    trace.disable();
    propagation.disable();
    context.disable();
  });
  registerInstrumentations({ instrumentations });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(createPropagator(config.propagators, { dsc: dscOptions }));
  trace.setGlobalTracerProvider(provider);
}

/** The span limits NodeSDK reads from the environment (sdk-node 0.301 create-from-env.mjs `createSpanLimitsFromEnv`). */
function spanLimitsFromEnv(): SpanLimits {
  return {
    attributeCountLimit: getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT') ?? getNumberFromEnv('OTEL_ATTRIBUTE_COUNT_LIMIT'),
    attributeValueLengthLimit: getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT') ?? getNumberFromEnv('OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT'),
    eventCountLimit: getNumberFromEnv('OTEL_SPAN_EVENT_COUNT_LIMIT'),
    linkCountLimit: getNumberFromEnv('OTEL_SPAN_LINK_COUNT_LIMIT'),
    attributePerEventCountLimit: getNumberFromEnv('OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT') ?? getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_PER_EVENT_COUNT_LIMIT'),
    attributePerLinkCountLimit: getNumberFromEnv('OTEL_LINK_ATTRIBUTE_COUNT_LIMIT') ?? getNumberFromEnv('OTEL_SPAN_ATTRIBUTE_PER_LINK_COUNT_LIMIT'),
  };
}

function disabledHandle(config: BridgeConfig, problems: ConfigProblem[]): BridgeHandle {
  return { config, problems, metricsUrl: undefined, ready: async () => {}, forceFlush: async () => {}, shutdown: async () => {} };
}
