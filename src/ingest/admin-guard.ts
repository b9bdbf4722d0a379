/**
 * Who may use the query API and `/api/faults`: whoever holds the DSN key, sent in a header (`X-Sentry-Auth: Sentry
 * sentry_key=…`, `Authorization: Sentry sentry_key=…` or Basic with the key as user — `IngestServer.apiHeaders`).
 * Neither header is CORS-safelisted, so a web page cannot send a "simple request" that passes (a preflight would be
 * needed, and these routes answer none). State-changing POSTs must also be `application/json`, which a simple
 * request cannot be. Everything except `/healthz`, the ingest routes and the trace view (ui/handler.ts: its page and
 * assets take the key in the URL) goes through here, before any other work.
 */
import type { IncomingMessage } from 'node:http';
import { checkAuth } from './auth.js';

const HEADER_SOURCES = ['x-sentry-auth', 'authorization', 'basic'] as const;

export function guardAdmin(req: IncomingMessage, rawQuery: string, key: string): { status: number; reason: string } | undefined {
  const auth = checkAuth(req.headers, '', key, HEADER_SOURCES);
  if (!auth.ok) {
    const hint = rawQuery.includes('sentry_') ? ' (the query API takes the key in a header, not the query string)' : '';
    return { status: 401, reason: `${auth.reason}${hint}` };
  }
  if (req.method === 'POST') {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json') return { status: 415, reason: 'state-changing requests must be Content-Type: application/json' };
  }
  return undefined;
}
