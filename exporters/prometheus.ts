/**
 * Prometheus endpoint: a MeterProvider whose pull reader (cumulative, as @opentelemetry/exporter-prometheus's) is
 * served by our own node:http server so we control the routes and auth:
 *   GET /metrics  → the exposition of @opentelemetry/exporter-prometheus's serializer (optionally behind
 *                   `Authorization: Bearer <token>`)
 *   GET /healthz  → 200 `ok` (never authenticated: probes carry no secrets)
 *   GET /readyz   → 200 `{"ready":true,…}` or 503 with the reasons: the bridge's own state (export stalled, queue
 *                   full; src/processors/export-health.ts). A signal, never a reason to restart or unroute the app.
 * Never throws into the host: a busy port (or any listen error) is one warn line, and metrics are still
 * collected — just not served.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
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
export function createPrometheusMeterProvider(options: Pick<PrometheusEndpointOptions, 'cardinalityLimit' | 'resource' | 'views'> = {}): {
  meterProvider: MeterProvider;
  reader: PrometheusReader;
  spanMetrics: SpanMetricsStore;
} {
  const limit = validLimit(options.cardinalityLimit);
  const spanMetrics = new SpanMetricsStore(limit);
  const reader = new PrometheusReader(limit, spanMetrics);
  const meterProvider = new MeterProvider({
    ...(options.resource ? { resource: options.resource } : {}),
    readers: [reader],
    views: [...createBridgeMetricViews(limit), ...createDuplicateHttpMetricViews(), ...(options.views ?? [])],
  });
  return { meterProvider, reader, spanMetrics };
}

export async function startPrometheusExporter(options: PrometheusEndpointOptions = {}): Promise<PrometheusEndpoint> {
  const host = options.host ?? '0.0.0.0';
  const port = options.port ?? 9464;
  const { meterProvider, reader, spanMetrics } = createPrometheusMeterProvider(options);
  if (options.selfMetrics !== false) bindSelfMetrics(meterProvider);

  // The CommonJS module object, not an ES module import: see PrometheusReader.
  const { createServer } = process.getBuiltinModule('node:http');
  const server = createServer(createHandler(reader, options.token, options.readiness ?? alwaysReady));
  server.unref(); // the host decides when the process ends, not the metrics endpoint
  // 'connection' comes before any 'request' of that socket; a WeakSet forgets closed sockets by itself.
  const ownSockets = new WeakSet<Socket>();
  server.on('connection', (socket: Socket) => ownSockets.add(socket));
  const url = await listen(server, host, port);

  let closed: Promise<void> | undefined;
  return {
    meterProvider,
    reader,
    spanMetrics,
    url,
    servesRequest: (request) => ownSockets.has(request.socket),
    close() {
      closed ??= (async () => {
        unbindSelfMetrics(meterProvider);
        if (server.listening) {
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections(); // scrapers keep connections alive
          });
        }
        await meterProvider.shutdown().catch((err: unknown) => warn(`metrics shutdown: ${String(err)}`));
      })();
      return closed;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      const reason = err.code === 'EADDRINUSE' ? 'the port is already in use' : err.code === 'EACCES' ? 'permission denied' : err.message;
      warn(
        `Prometheus endpoint not started on ${host}:${port}: ${reason} (set OTEL_EXPORTER_PROMETHEUS_PORT); metrics are still collected but not served`,
      );
      resolve(undefined);
    };
    server.once('error', onError);
    try {
      server.listen({ host, port }, () => {
        server.off('error', onError);
        server.on('error', (err) => warn(`Prometheus endpoint: ${err.message}`));
        const address = server.address() as AddressInfo;
        const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
        resolve(`http://${shownHost}:${address.port}/metrics`);
      });
    } catch (err) {
      onError(err as NodeJS.ErrnoException);
    }
  });
}

const alwaysReady = (): ReadinessStatus => ({ ready: true, reasons: [] });

function createHandler(
  reader: PrometheusReader,
  token: string | undefined,
  readiness: () => ReadinessStatus,
): (req: IncomingMessage, res: ServerResponse) => void {
  const expected = token ? digest(token) : undefined;
  return (req, res) => {
    try {
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q === -1 ? url : url.slice(0, q);
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      if (path === '/healthz') {
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('ok\n');
        return;
      }
      if (path === '/readyz') {
        const status = readiness();
        res.writeHead(status.ready ? 200 : 503, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        res.end(`${JSON.stringify(status)}\n`);
        return;
      }
      if (path !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      if (expected !== undefined && !authorized(req.headers.authorization, expected)) {
        res.writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain; charset=utf-8' }).end('unauthorized\n');
        return;
      }
      // As PrometheusExporter answers: 200 text/plain, the exposition, or a comment line when collection failed.
      res.statusCode = 200;
      res.setHeader('content-type', 'text/plain');
      reader.exposition().then(
        (text) => res.end(text),
        (err: unknown) => res.end(`# failed to export metrics: ${String(err)}`),
      );
    } catch (err) {
      warn(`Prometheus endpoint: request failed: ${String(err)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  };
}

/** Constant-time comparison of the bearer token (hashing first equalises lengths). */
function authorized(header: string | undefined, expected: Buffer): boolean {
  if (typeof header !== 'string' || header.length < 7 || header.slice(0, 7).toLowerCase() !== 'bearer ') return false;
  return timingSafeEqual(digest(header.slice(7).trim()), expected);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function validLimit(limit: number | undefined): number {
  return limit !== undefined && Number.isFinite(limit) && limit >= 1 ? Math.floor(limit) : DEFAULT_CARDINALITY_LIMIT;
}
