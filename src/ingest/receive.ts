/**
 * The ingest routes (envelope, store, OTLP traces), step by step: count the request → auth (401/400, nothing stored;
 * always before any fault, so a fault cannot be probed or triggered without the key) → project → injected fault →
 * Content-Type (OTLP: 415) → body within the limit (413) → decompress (415/400) → decode → store → answer the way
 * Relay does: envelope and store `200 {"id"}`, OTLP `202` with no body. What Relay accepts but drops later
 * (unparseable items, spans with bad ids) is answered 2xx too and recorded as an outcome. Raw bodies of
 * authenticated requests are kept whatever the outcome.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkAuth } from './auth.js';
import { decompress, readBody } from './body.js';
import { parseEnvelope, type ParsedEnvelope } from './envelope.js';
import type { FaultController } from './faults.js';
import { warnOnce } from '../log.js';
import { HttpError, errorMessage, send, sendJson } from './http.js';
import { MAX_EVENT_SIZE, checkEnvelopeSizeLimits } from './limits.js';
import { decodeOtlpTraces, otlpFormat } from './otlp.js';
import { rateLimitHeaders } from './rate-limits.js';
import { normaliseEnvelope } from './sentry.js';
import { parseStoreBody } from './store-endpoint.js';
import type { IngestStore } from './store.js';
import type { DropRecord, IngestRouteName, RawBody, RequestRecord } from './types.js';

export interface ReceiveContext {
  store: IngestStore;
  faults: FaultController;
  key: string;
  projectId: string;
  maxBodyBytes: number;
  /** Black-holed responses (never answered) and pending slow-fault timers, released on close. */
  held: Set<ServerResponse>;
  /** At most this many black-holed connections are held; more are reset (counted). */
  maxHeld: number;
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
  route: IngestRouteName,
  projectId: string,
  req: IncomingMessage,
  res: ServerResponse,
  rawQuery: string,
): Promise<void> {
  const record: RequestRecord = { at: Date.now(), route, method: req.method ?? '' };
  ctx.store.addRequest(record);
  const reply = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
    ctx.store.recordStatus(record, status);
    sendJson(res, status, body, { ...CORS_HEADERS, ...headers });
  };

  if (req.method !== 'POST') return reply(405, { error: 'use POST' }, { allow: 'POST, OPTIONS' });

  const auth = checkAuth(req.headers, rawQuery, ctx.key);
  if (!auth.ok) return reply(auth.status, { error: auth.reason });
  if (projectId !== ctx.projectId) return reply(403, { error: `unknown project ${projectId.slice(0, 40)}` });

  const fault = ctx.faults.take();
  if (fault !== undefined) {
    record.fault = fault.mode;
    if (fault.mode === 'black-hole') return hold(ctx, req, res);
    if (fault.mode === 'status') {
      req.resume();
      const headers = fault.status === 429 ? rateLimitHeaders(fault.retryAfter) : fault.retryAfter !== undefined ? { 'retry-after': String(fault.retryAfter) } : {};
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

  const contentType = header(req, 'content-type');
  const contentEncoding = header(req, 'content-encoding');
  const format = route === 'otlp' ? otlpFormat(contentType) : undefined;
  if (route === 'otlp' && format === undefined) {
    req.resume();
    return reply(415, { error: `unsupported content-type for OTLP: ${(contentType ?? '(none)').slice(0, 60)} (exactly application/x-protobuf or application/json)` });
  }
  const limit = route === 'store' ? Math.min(MAX_EVENT_SIZE, ctx.maxBodyBytes) : ctx.maxBodyBytes;
  let raw: RawBody | undefined;
  try {
    const body = await decompress(await readBody(req, limit), contentEncoding, limit);
    record.bytes = body.length;
    raw = { at: record.at, route, body, ...(contentType ? { contentType } : {}), ...(contentEncoding ? { contentEncoding } : {}) };
    if (route === 'otlp') {
      const result = decodeOtlpTraces(body, format!, record.at);
      if (result.request !== undefined) ctx.store.addOtlpRequest({ receivedAt: record.at, format: format!, request: result.request });
      ctx.store.addSpans(result.spans, body.length);
      recordDrops(ctx, route, record.at, result.dropped);
      ctx.store.recordStatus(record, 202);
      return send(res, 202, '', CORS_HEADERS);
    }
    const envelope = route === 'store' ? parseStoreBody(body) : parseEnvelope(body);
    checkEnvelopeSizeLimits(envelope.items);
    const id = storeEnvelope(ctx, envelope, projectId, record, body.length);
    reply(200, { id });
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

function storeEnvelope(ctx: ReceiveContext, envelope: ParsedEnvelope, projectId: string, record: RequestRecord, bytes: number): string | null {
  const { spans, events, dropped } = normaliseEnvelope(envelope, record.at);
  const stored = { receivedAt: record.at, projectId, header: envelope.header, items: envelope.items };
  assertSerialisable(stored);
  ctx.store.addEnvelope(stored);
  ctx.store.addSpans(spans, bytes);
  ctx.store.addEvents(events, bytes);
  recordDrops(ctx, record.route, record.at, dropped);
  return typeof envelope.header.event_id === 'string' ? envelope.header.event_id : (events[0]?.event_id ?? null);
}

function recordDrops(ctx: ReceiveContext, route: IngestRouteName, at: number, dropped: DropRecord[]): void {
  for (const drop of dropped) ctx.store.addOutcome({ ...drop, at, route });
}

/** Black-hole: swallow the body and never answer, up to `maxHeld` connections; beyond that reset (counted). */
function hold(ctx: ReceiveContext, req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  if (ctx.held.size >= ctx.maxHeld) {
    ctx.store.countHeldDropped();
    res.destroy();
    return;
  }
  ctx.held.add(res);
  res.once('close', () => ctx.held.delete(res));
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
