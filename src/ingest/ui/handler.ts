/**
 * Serves the trace view: `GET /?sentry_key=KEY` (the page) and its two static assets (`/ui/app.js`, `/ui/app.css`),
 * each key-checked like the API — no route but `/healthz` answers without the key. They are opened by navigation
 * and by the page's own `<script>`/`<link>`, which can only carry the key in the URL, so the page names its assets
 * with the key it was opened with. The page reads its data from the JSON query API
 * (`/api/traces`, `/api/traces/{id}`, `/api/events`, `/api/problems`), sending the key from its own URL as `X-Sentry-Auth`.
 * Everything is embedded in the package: no CDN, works offline.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkAuth } from '../auth.js';
import { send } from '../http.js';
import { APP_CSS } from './styles.js';
import { APP_JS } from './client.js';
import { pageHtml, unauthorisedHtml } from './page.js';

export interface UiDeps {
  /** The DSN public key the page must be opened with. */
  key: string;
}

/** Only what the page needs: its own script, style and same-origin API calls; nothing inline, nothing remote. */
const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const ASSETS: Record<string, { type: string; body: string }> = {
  '/ui/app.js': { type: 'text/javascript; charset=utf-8', body: APP_JS },
  '/ui/app.css': { type: 'text/css; charset=utf-8', body: APP_CSS },
};

/** Answers `/` and `/ui/*`; returns false for every other path (the caller routes it). */
export function handleUiRequest(req: IncomingMessage, res: ServerResponse, url: URL, deps: UiDeps): boolean {
  const path = url.pathname;
  const asset = ASSETS[path];
  if (path !== '/' && path !== '/index.html' && asset === undefined) return false;
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    send(res, 405, 'use GET\n', { 'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD' });
    return true;
  }
  const body = (text: string): string => (method === 'HEAD' ? '' : text);
  const auth = checkAuth(req.headers, url.search.slice(1), deps.key);
  if (asset !== undefined) {
    if (auth.ok) send(res, 200, body(asset.body), { ...SECURITY_HEADERS, 'content-type': asset.type });
    else send(res, 401, body(`${auth.reason}\n`), { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' });
    return true;
  }
  const html = auth.ok ? pageHtml(deps.key) : unauthorisedHtml(auth.reason);
  send(res, auth.ok ? 200 : 401, body(html), { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8' });
  return true;
}
