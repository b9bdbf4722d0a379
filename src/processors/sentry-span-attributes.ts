/**
 * Release and environment on every span, as Sentry reads them. Relay takes span fields only from span attributes:
 * OTLP resource attributes arrive as `resource.*` attributes (getsentry/relay relay-spans/src/otel_to_sentry_v2.rs),
 * so `service.version` would be `resource.service.version`, not a release. Sentry's release and environment are the
 * span attributes `sentry.release` / `sentry.environment` (getsentry/sentry-conventions
 * model/attributes/sentry/sentry__release.json, sentry__environment.json). Set at start: two attribute writes.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

export const ATTR_SENTRY_RELEASE = 'sentry.release' as const;
export const ATTR_SENTRY_ENVIRONMENT = 'sentry.environment' as const;

export class SentrySpanAttributesProcessor implements SpanProcessor {
  constructor(private readonly values: { release: string | undefined; environment: string | undefined }) {}

  onStart(span: Span, _parentContext: Context): void {
    const { release, environment } = this.values;
    if (release !== undefined && release !== '') span.setAttribute(ATTR_SENTRY_RELEASE, release);
    if (environment !== undefined && environment !== '') span.setAttribute(ATTR_SENTRY_ENVIRONMENT, environment);
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
