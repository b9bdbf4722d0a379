/**
 * The two ingest routes, step by step: count the request → apply an injected fault → auth (401, nothing stored)
 * → project → body within the limit (413) → decompress → decode (400 with a reason) → store → answer the way the
 * real Sentry / OTLP endpoints do. Raw bodies of authenticated requests are kept whatever the outcome.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkAuth } from './auth.js';
import { decompress, readBody } from './body.js';
import { parseEnvelope } from './envelope.js';
import type { FaultController } from './faults.js';
import { warnOnce } from '../log.js';
import { HttpError, errorMessage, send, sendJson } from './http.js';
import { decodeOtlpTraces } from './otlp.js';
import { encodeExportTraceServiceResponse } from './otlp-proto.js';
import { normaliseEnvelope } from './sentry.js';
import type { IngestStore } from './store.js';
import type { RawBody, RequestRecord } from './types.js';

export type IngestRoute = 'envelope' | 'otlp';

export interface ReceiveContext {
  store: IngestStore;
  faults: FaultController;
  key: string;
  projectId: string;
  maxBodyBytes: number;
  /** Black-holed responses (never answered) and pending slow-fault timers, released on close. */
  held: Set<ServerResponse>;
  timers: Set<NodeJS.Timeout>;
}

/** After a 413 the rest of an upload is read and dropped (so the client sees the answer) up to these caps. */
const DISCARD_MAX_BYTES = 64 * 1024 * 1024;
const DISCARD_MAX_MS = 5_000;

export const CORS_HEADERS: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'content-type, content-encoding, x-sentry-auth, authorization, sentry-trace, baggage',
  'access-control-allow-methods': 'POST, OPTIONS',
};

export async function receive(
  ctx: ReceiveContext,
  route: IngestRoute,
  projectId: string,
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
): Promise<void> {
  const record: RequestRecord = { at: Date.now(), route, method: req.method ?? '' };
  ctx.store.addRequest(record);
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
    ctx.store.recordStatus(record, status);
    sendJson(res, status, body, { ...CORS_HEADERS, ...headers });
  };

  if (req.method !== 'POST') return reply(405, { error: 'use POST' }, { allow: 'POST, OPTIONS' });

  const fault = ctx.faults.take();
  if (fault !== undefined) {
    record.fault = fault.mode;
    if (fault.mode === 'black-hole') {
      req.resume(); // swallow the body so the client waits for an answer that never comes
      ctx.held.add(res);
      res.once('close', () => ctx.held.delete(res));
      return;
    }
    if (fault.mode === 'status') {
      req.resume();
      const headers: Record<string, string> = {};
      if (fault.retryAfter !== undefined) headers['retry-after'] = String(fault.retryAfter);
      return reply(fault.status, { error: `injected fault: status ${fault.status}` }, headers);
    }
    if (fault.mode === 'slow') {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          ctx.timers.delete(timer);
          resolve();
        }, fault.delayMs);
        ctx.timers.add(timer);
      });
      if (res.destroyed) return;
    }
  }

  const auth = checkAuth(req.headers, query, ctx.key);
  if (!auth.ok) return reply(401, { error: auth.reason });
  if (projectId !== ctx.projectId) return reply(403, { error: `unknown project ${projectId.slice(0, 40)}` });

  const contentType = header(req, 'content-type');
  const contentEncoding = header(req, 'content-encoding');
  let raw: RawBody | undefined;
  try {
    const body = await decompress(await readBody(req, ctx.maxBodyBytes), contentEncoding, ctx.maxBodyBytes);
    record.bytes = body.length;
    raw = { at: record.at, route, body, ...(contentType ? { contentType } : {}), ...(contentEncoding ? { contentEncoding } : {}) };
    if (route === 'envelope') receiveEnvelope(ctx, body, projectId, record, res);
    else receiveOtlp(ctx, body, contentType, record, res);
  } catch (err) {
    if (err instanceof HttpError) {
      if (err.status === 413) discardRest(req, res);
      reply(err.status, { error: err.message }, err.headers);
    } else {
      warnOnce('ingest-receive-failure', `ingest: unexpected failure handling a ${route} request: ${errorMessage(err)}`);
      reply(500, { error: 'internal error' });
    }
  } finally {
    if (raw !== undefined) ctx.store.addRaw(raw, record.status ?? 0);
  }
}

function receiveEnvelope(ctx: ReceiveContext, body: Buffer, projectId: string, record: RequestRecord, res: ServerResponse): void {
  const envelope = parseEnvelope(body);
  const { spans, events } = normaliseEnvelope(envelope, record.at);
  const stored = { receivedAt: record.at, projectId, header: envelope.header, items: envelope.items };
  assertSerialisable(stored);
  ctx.store.addEnvelope(stored);
  ctx.store.addSpans(spans);
  ctx.store.addEvents(events);
  const id = typeof envelope.header.event_id === 'string' ? envelope.header.event_id : (events[0]?.event_id ?? null);
  ctx.store.recordStatus(record, 200);
  sendJson(res, 200, { id }, CORS_HEADERS);
}

function receiveOtlp(ctx: ReceiveContext, body: Buffer, contentType: string | undefined, record: RequestRecord, res: ServerResponse): void {
  const result = decodeOtlpTraces(body, contentType, record.at);
  assertSerialisable(result.spans);
  ctx.store.addOtlpRequest({ receivedAt: record.at, format: result.format, request: result.request });
  ctx.store.addSpans(result.spans);
  ctx.store.recordStatus(record, 200);
  const rejected = result.rejected;
  const message = result.rejectReason ?? '';
  if (result.format === 'protobuf') {
    send(res, 200, encodeExportTraceServiceResponse(rejected, message), { 'content-type': 'application/x-protobuf', ...CORS_HEADERS });
  } else {
    sendJson(res, 200, rejected > 0 ? { partialSuccess: { rejectedSpans: rejected, errorMessage: message } } : {}, CORS_HEADERS);
  }
}

/** What we keep must be servable: JSON too deep for JSON.stringify is refused here rather than breaking the API. */
function assertSerialisable(value: unknown): void {
  try {
    JSON.stringify(value);
  } catch {
    throw new HttpError(400, 'payload cannot be stored: nested too deeply');
  }
}

/** Answer 413 on a closing connection while dropping what is still being uploaded, within caps. */
function discardRest(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('connection', 'close');
  if (req.readableEnded) return;
  let dropped = 0;
  const stop = (): void => {
    clearTimeout(timer);
    req.socket.destroy();
  };
  const timer = setTimeout(stop, DISCARD_MAX_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DISCARD_MAX_BYTES) stop();
  });
  req.once('end', () => clearTimeout(timer));
  req.once('close', () => clearTimeout(timer));
  req.resume();
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
