/**
 * Release and environment on every span sent to Sentry, as Sentry reads them. Relay takes span fields only from span
 * attributes: OTLP resource attributes arrive as `resource.*` attributes (getsentry/relay
 * relay-spans/src/otel_to_sentry_v2.rs), so `service.version` would be `resource.service.version`, not a release.
 * Sentry's release and environment are the span attributes `sentry.release` / `sentry.environment`
 * (getsentry/sentry-conventions model/attributes/sentry/sentry__release.json, sentry__environment.json). The
 * Sentry export slot's encoder writes them (exporters/otlp-proto-encoder.ts `ExporterSpanAttributes`); a span that
 * has its own keeps it. A module of its own: the preload needs it at start, before @sentry/node is loaded.
 */
import type { ExporterSpanAttributes } from './otlp-proto-encoder.js';

export const ATTR_SENTRY_RELEASE = 'sentry.release' as const;
export const ATTR_SENTRY_ENVIRONMENT = 'sentry.environment' as const;

export function sentrySpanAttributes(values: { release: string | undefined; environment: string | undefined }): ExporterSpanAttributes {
  const attributes: Record<string, string> = {};
  if (values.release !== undefined && values.release !== '') attributes[ATTR_SENTRY_RELEASE] = values.release;
  if (values.environment !== undefined && values.environment !== '') attributes[ATTR_SENTRY_ENVIRONMENT] = values.environment;
  return attributes;
}
