/**
 * Health, readiness and metrics endpoints are polled every few seconds by orchestrators and scrapers: tracing
 * them would drown the real traffic and the sampling budget. They are never sampled (still recorded, so a
 * failing probe still counts as an error in metrics).
 *
 * Only the Kubernetes-style `/healthz`, `/readyz`, `/livez` and `/metrics`: `/health`, `/ready`, `/live` and
 * `/ping` are as often real API routes of an agent service, and dropping those traces would hide real traffic.
 * A service whose probes use them adds a sampling rule at rate 0 (`urlPath`, README "Sampling rules").
 */
import type { Attributes } from '@opentelemetry/api';
import { ATTR_HTTP_ROUTE, ATTR_URL_PATH } from '@opentelemetry/semantic-conventions';
import { ATTR_HTTP_TARGET } from '../agent/semconv-incubating.js';

const SLASH = 0x2f;
const HEALTH_PATH = /^\/(?:healthz|readyz|livez|metrics)\/?(?:[?#].*)?$/i;
/** Attributes an HTTP server span carries at start that hold the path (stable and legacy semconv). */
const PATH_ATTRIBUTES = [ATTR_URL_PATH, ATTR_HTTP_ROUTE, ATTR_HTTP_TARGET] as const;

export function isHealthRoute(spanName: string, attributes: Attributes): boolean {
  for (const key of PATH_ATTRIBUTES) {
    const value = attributes[key];
    if (typeof value === 'string' && HEALTH_PATH.test(value)) return true;
  }
  // Span names like `GET /healthz`; most names (`chat gpt-4o`) fail the '/' check without a slice or a regex.
  const space = spanName.indexOf(' ');
  return space > 0 && spanName.charCodeAt(space + 1) === SLASH && HEALTH_PATH.test(spanName.slice(space + 1));
}
