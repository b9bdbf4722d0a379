/**
 * Prometheus endpoint: a MeterProvider whose pull reader (cumulative, as @opentelemetry/exporter-prometheus's) is
 * served by ./prometheus-endpoint.ts's server — /metrics is the exposition of exporter-prometheus's serializer,
 * plus /healthz and /readyz. `startPrometheusExporter` starts both at once (tests, programmatic use); the preload
 * starts the server first and this module's meter provider once the app's start-up has settled
 * (instrumentation/bridge.ts, issue 18).
 */
import type { IncomingMessage } from 'node:http';
import { diag } from '@opentelemetry/api';
import type { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import type { Resource } from '@opentelemetry/resources';
import { AggregationTemporality, AggregationType, MeterProvider, MetricReader, type InstrumentType, type ViewOptions } from '@opentelemetry/sdk-metrics';
import { warn } from '../src/log.js';
import { DEFAULT_CARDINALITY_LIMIT } from '../src/metrics/cardinality.js';
import { SpanMetricsStore } from '../src/metrics/span-metrics-store.js';
import { createBridgeMetricViews, createDuplicateHttpMetricViews } from '../src/metrics/views.js';
import { bindSelfMetrics, unbindSelfMetrics } from '../src/self-metrics.js';
import type { ReadinessStatus } from '../src/processors/export-health.js';
import { startMetricsServer } from './prometheus-endpoint.js';

export interface PrometheusEndpointOptions {
  /** OTEL_EXPORTER_PROMETHEUS_HOST; default 0.0.0.0. */
  host?: string;
  /** OTEL_EXPORTER_PROMETHEUS_PORT; default 9464; 0 = any free port. */
  port?: number;
  /** AGENT_BRIDGE_METRICS_TOKEN: when set, /metrics needs `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** AGENT_BRIDGE_METRICS_CARDINALITY_LIMIT: series per metric, overflow series included. Default 2000. */
  cardinalityLimit?: number;
  resource?: Resource;
  /** Extra views for the host's own instruments (the bridge's views are always installed). */
  views?: ViewOptions[];
  /** Bind agent_bridge_* self metrics to this provider. Default true. */
  selfMetrics?: boolean;
  /** What `/readyz` reports; without it `/readyz` is always ready. */
  readiness?: () => ReadinessStatus;
}

export interface PrometheusEndpoint {
  /** The host's and the bridge's self metrics (SDK instruments) that appear on /metrics. */
  readonly meterProvider: MeterProvider;
  /** Give this to SpanMetricsProcessor: the span-derived series, collected with every scrape. */
  readonly spanMetrics: SpanMetricsStore;
  readonly reader: PrometheusReader;
  /** `http://host:port/metrics`, or undefined when the server could not listen. */
  readonly url: string | undefined;
  /**
   * Whether a request arrived at this endpoint (its connection was accepted by this server). The HTTP
   * instrumentation ignores those: once the app loads `node:http`, its patch covers every server of the process,
   * and scrapes and probes would otherwise be spans and count as the app's HTTP entry points
   * (http_server_request_duration, the HTTP latency budget).
   */
  servesRequest(request: IncomingMessage): boolean;
  /** Stops the server and shuts the meter provider down. Never rejects. */
  close(): Promise<void>;
}

/** Alias used by the bridge start. */
export type PrometheusHandle = PrometheusEndpoint;

/**
 * The pull reader @opentelemetry/exporter-prometheus's `PrometheusExporter` is (0.301: default aggregation, cumulative
 * temporality, its component type), without its server, plus the cardinality limit for instruments without a view
 * (the exporter passes no selector to its MetricReader). Why not that class: its module imports `http` as an ES
 * module, and Node builds the ES module facade of `node:http` by reading every export, whose `WebSocket`,
 * `CloseEvent` and `MessageEvent` getters load Node's bundled undici — ~30 ms of every preloaded process's start-up
 * (issue 18; `process.getBuiltinModule('node:http')` below costs ~3 ms). The package is imported at the first scrape,
 * for its serializer only.
 */
export class PrometheusReader extends MetricReader {
  private serializer: Promise<PrometheusSerializer> | undefined;

  constructor(
    private readonly limit: number,
    spanMetrics: SpanMetricsStore,
  ) {
    super({
      aggregationSelector: () => ({ type: AggregationType.DEFAULT }),
      aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE,
      otelComponentType: 'prometheus_http_text_metric_exporter',
      metricProducers: [spanMetrics],
    });
  }

  override selectCardinalityLimit(_instrumentType: InstrumentType): number {
    return this.limit;
  }

  /** The exposition text of everything collected now, as `PrometheusExporter` serves it (its default options). */
  async exposition(): Promise<string> {
    this.serializer ??= import('@opentelemetry/exporter-prometheus').then(
      ({ PrometheusSerializer }) => new PrometheusSerializer(),
      (err: unknown) => {
        this.serializer = undefined; // retried at the next scrape
        throw err;
      },
    );
    const [serializer, { resourceMetrics, errors }] = await Promise.all([this.serializer, this.collect()]);
    if (errors.length > 0) diag.error('PrometheusExporter: metrics collection errors', ...errors);
    return serializer.serialize(resourceMetrics);
  }

  protected override async onForceFlush(): Promise<void> {
    // pull reader: nothing to flush
  }

  protected override async onShutdown(): Promise<void> {
    // no server of its own: startPrometheusExporter closes the endpoint's
  }
}

/** The meter provider + reader without any server (tests, or a host serving /metrics itself). */
export function createPrometheusMeterProvider(
  options: Pick<PrometheusEndpointOptions, 'cardinalityLimit' | 'resource' | 'views'> & {
    /** The span metrics store to collect (made before the SDK was loaded); a new one otherwise. */
    spanMetrics?: SpanMetricsStore;
  } = {},
): {
  meterProvider: MeterProvider;
  reader: PrometheusReader;
  spanMetrics: SpanMetricsStore;
} {
  const limit = validLimit(options.cardinalityLimit);
  const spanMetrics = options.spanMetrics ?? new SpanMetricsStore(limit);
  const reader = new PrometheusReader(limit, spanMetrics);
  const meterProvider = new MeterProvider({
    ...(options.resource ? { resource: options.resource } : {}),
    readers: [reader],
    views: [...createBridgeMetricViews(limit), ...createDuplicateHttpMetricViews(), ...(options.views ?? [])],
  });
  return { meterProvider, reader, spanMetrics };
}

export async function startPrometheusExporter(options: PrometheusEndpointOptions = {}): Promise<PrometheusEndpoint> {
  const { meterProvider, reader, spanMetrics } = createPrometheusMeterProvider(options);
  if (options.selfMetrics !== false) bindSelfMetrics(meterProvider);
  const server = await startMetricsServer({
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(options.port === undefined ? {} : { port: options.port }),
    token: options.token,
    ...(options.readiness === undefined ? {} : { readiness: options.readiness }),
    exposition: () => reader.exposition(),
  });
  let closed: Promise<void> | undefined;
  return {
    meterProvider,
    reader,
    spanMetrics,
    url: server.url,
    servesRequest: (request) => server.servesRequest(request),
    close() {
      closed ??= (async () => {
        unbindSelfMetrics(meterProvider);
        await server.close();
        await meterProvider.shutdown().catch((err: unknown) => warn(`metrics shutdown: ${String(err)}`));
      })();
      return closed;
    },
  };
}

function validLimit(limit: number | undefined): number {
  return limit !== undefined && Number.isFinite(limit) && limit >= 1 ? Math.floor(limit) : DEFAULT_CARDINALITY_LIMIT;
}
