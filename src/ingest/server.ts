/**
 * The ingest's HTTP listener and router. Ingest routes (`/api/{project}/envelope/`, `/api/{project}/store/`,
 * `/api/{project}/integration/otlp/v1/traces/`, optionally under the DSN's path prefix) go to ./receive.ts; the
 * query API and `/api/faults` go through ./admin-guard.ts (the key in a header), `/healthz` is open. None of these
 * is subject to faults. It owns the sockets, so `down` can drop every connection and later listen again on the
 * same port, and `close` frees everything.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { warnOnce } from '../log.js';
import type { FaultController } from './faults.js';
import { validateFault } from './faults.js';
import { guardAdmin } from './admin-guard.js';
import { HttpError, errorMessage, send, sendJson } from './http.js';
import { handleQuery } from './query.js';
import { CORS_HEADERS, receive, type ReceiveContext } from './receive.js';
import type { Fault } from './types.js';
import { handleUiRequest } from './ui/handler.js';

const ENVELOPE_ROUTE = /^(?:\/.*)?\/api\/([^/]+)\/envelope\/?$/;
const STORE_ROUTE = /^(?:\/.*)?\/api\/([^/]+)\/store\/?$/;
const OTLP_ROUTE = /^(?:\/.*)?\/api\/([^/]+)\/integration\/otlp\/v1\/traces\/?$/;
const INGEST_ROUTES = [
  ['envelope', ENVELOPE_ROUTE],
  ['store', STORE_ROUTE],
  ['otlp', OTLP_ROUTE],
] as const;
const MAX_FAULT_BODY = 64 * 1024;

export interface FaultApi {
  set(fault: Fault): Promise<unknown>;
  clear(): Promise<void>;
  current(): unknown;
}

export class IngestHttpServer {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private state: 'new' | 'up' | 'down' | 'closed' = 'new';
  private boundPort = 0;

  constructor(
    private readonly ctx: ReceiveContext & { faults: FaultController },
    private readonly faultApi: FaultApi,
  ) {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      // a socket error (reset by the client) must not become an uncaught exception
      socket.on('error', () => {});
    });
    this.server.on('clientError', (_err, socket: Socket) => {
      try {
        if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
        else socket.destroy();
      } catch {
        socket.destroy();
      }
    });
    this.server.on('error', (err) => warnOnce('ingest-server-error', `ingest: server error: ${err.message}`));
  }

  get port(): number {
    return this.boundPort;
  }

  get isUp(): boolean {
    return this.state === 'up';
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const address = this.server.address();
    this.boundPort = typeof address === 'object' && address !== null ? address.port : port;
    this.state = 'up';
    return this.boundPort;
  }

  /** Fault `down`: stop listening and drop every open connection (clients see ECONNREFUSED / ECONNRESET). */
  async down(): Promise<void> {
    if (this.state !== 'up') return;
    this.state = 'down';
    await this.stopListening();
  }

  /** Listen again on the same host and port after `down`. */
  async up(host: string): Promise<void> {
    if (this.state !== 'down') return;
    await this.listen(this.boundPort, host);
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasListening = this.server.listening;
    this.state = 'closed';
    for (const timer of this.ctx.timers) clearTimeout(timer);
    this.ctx.timers.clear();
    if (wasListening) await this.stopListening();
    for (const res of this.ctx.held) res.destroy();
    this.ctx.held.clear();
  }

  private stopListening(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const res of this.ctx.held) res.destroy();
      this.ctx.held.clear();
      for (const socket of this.sockets) socket.destroy();
      this.server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    res.on('error', () => {});
    req.on('error', () => {});
    this.route(req, res).catch((err: unknown) => {
      warnOnce('ingest-route-failure', `ingest: unexpected failure: ${errorMessage(err)}`);
      sendJson(res, 500, { error: 'internal error' });
    });
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://ingest.local');
    } catch {
      return sendJson(res, 400, { error: 'invalid request target' });
    }
    const path = url.pathname;
    const method = req.method ?? 'GET';

    for (const [route, pattern] of INGEST_ROUTES) {
      const match = pattern.exec(path);
      if (match === null) continue;
      if (method === 'OPTIONS') return send(res, 204, '', CORS_HEADERS);
      return receive(this.ctx, route, safeDecode(match[1]!), req, res, url.search.slice(1));
    }
    if (path === '/healthz' || path === '/healthz/') {
      return sendJson(res, 200, { status: 'ok' });
    }
    // The trace view's page is opened by navigation, which can only carry the key in the URL; it holds no data and
    // checks that key itself, and its own API calls carry the key in a header like every other admin request.
    if (handleUiRequest(req, res, url, { key: this.ctx.key })) return;
    const denied = guardAdmin(req, url.search.slice(1), this.ctx.key);
    if (denied !== undefined) return sendJson(res, denied.status, { error: denied.reason });
    if (path === '/api/faults' || path === '/api/faults/') return this.faultRoute(req, res);
    if (handleQuery(req, res, path, url.searchParams, this.ctx.store)) return;
    sendJson(res, 404, { error: `no route for ${method} ${path.slice(0, 200)}` });
  }

  private async faultRoute(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    if (method === 'GET') return sendJson(res, 200, { fault: this.faultApi.current() ?? null });
    if (method === 'DELETE') {
      await this.faultApi.clear();
      return sendJson(res, 200, { fault: null });
    }
    if (method !== 'POST') return sendJson(res, 405, { error: 'use GET, POST or DELETE' }, { allow: 'GET, POST, DELETE' });
    try {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_FAULT_BODY) throw new HttpError(413, 'fault body too large');
        chunks.push(chunk);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        throw new HttpError(400, 'fault body must be JSON, e.g. {"mode":"status","status":429,"retryAfter":5,"count":3}');
      }
      const fault = validateFault(parsed);
      // answer before `down` closes the listener, or the caller would never hear back
      sendJson(res, 200, { fault });
      if (!res.writableFinished) await new Promise((resolve) => res.once('close', resolve).once('finish', resolve));
      await this.faultApi.set(fault);
    } catch (err) {
      if (err instanceof HttpError) return sendJson(res, err.status, { error: err.message }, { connection: 'close' });
      throw err;
    }
  }
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
