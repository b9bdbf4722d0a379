/**
 * The metrics endpoint's HTTP server (node:http, served by our own handler so we control the routes and auth):
 *   GET /metrics  → `exposition()` (optionally behind `Authorization: Bearer <token>`): 200 text/plain, or a comment
 *                   line when collection failed, as @opentelemetry/exporter-prometheus answers
 *   GET /healthz  → 200 `ok` (never authenticated: probes carry no secrets)
 *   GET /readyz   → 200 `{"ready":true,…}` or 503 with the reasons: the bridge's own state (export stalled, queue
 *                   full; src/processors/export-health.ts). A signal, never a reason to restart or unroute the app.
 * Apart from the metrics SDK (./prometheus.ts composes both): the preload starts the server at once and loads the
 * SDK once the app's start-up has settled, or at the first scrape (instrumentation/bridge.ts, issue 18).
 * Never throws into the host: a busy port (or any listen error) is one warn line, and metrics are still
 * collected — just not served.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { warn } from '../src/log.js';
import type { ReadinessStatus } from '../src/processors/export-health.js';

export interface MetricsServerOptions {
  /** OTEL_EXPORTER_PROMETHEUS_HOST; default 0.0.0.0. */
  host?: string;
  /** OTEL_EXPORTER_PROMETHEUS_PORT; default 9464; 0 = any free port. */
  port?: number;
  /** AGENT_BRIDGE_METRICS_TOKEN: when set, /metrics needs `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** What `/readyz` reports; without it `/readyz` is always ready. */
  readiness?: () => ReadinessStatus;
  /** The exposition text of everything collected now. */
  exposition: () => Promise<string>;
}

export interface MetricsServer {
  /** `http://host:port/metrics`, or undefined when the server could not listen. */
  readonly url: string | undefined;
  /**
   * Whether a request arrived at this endpoint (its connection was accepted by this server). The HTTP
   * instrumentation ignores those: once the app loads `node:http`, its patch covers every server of the process,
   * and scrapes and probes would otherwise be spans and count as the app's HTTP entry points
   * (http_server_request_duration, the HTTP latency budget).
   */
  servesRequest(request: IncomingMessage): boolean;
  /** Stops the server. Never rejects. */
  close(): Promise<void>;
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  // The CommonJS module object, not an ES module import: Node builds the ES module facade of node:http by reading
  // every export, whose WebSocket, CloseEvent and MessageEvent getters load its bundled undici — ~30 ms of every
  // preloaded process's start-up (issue 18; process.getBuiltinModule costs ~3 ms).
  const { createServer } = process.getBuiltinModule('node:http');
  const server = createServer(createHandler(options.exposition, options.token, options.readiness ?? alwaysReady));
  server.unref(); // the host decides when the process ends, not the metrics endpoint
  // 'connection' comes before any 'request' of that socket; a WeakSet forgets closed sockets by itself.
  const ownSockets = new WeakSet<Socket>();
  server.on('connection', (socket: Socket) => ownSockets.add(socket));
  const url = await listen(server, options.host ?? '0.0.0.0', options.port ?? 9464);
  let closed: Promise<void> | undefined;
  return {
    url,
    servesRequest: (request) => ownSockets.has(request.socket),
    close() {
      closed ??= server.listening
        ? new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections(); // scrapers keep connections alive
          })
        : Promise.resolve();
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
  exposition: () => Promise<string>,
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
      exposition().then(
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

