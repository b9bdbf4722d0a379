/**
 * The bridge's own deliveries (Sentry envelopes, OTLP exports) must not be traced: a span per export would be
 * exported again, forever. The OTLP exporter suppresses tracing itself; the Sentry transport does not suppress
 * OpenTelemetry's http instrumentation, so those requests are recognised by path.
 */
const TELEMETRY_PATH = /^\/api\/[^/]+\/(?:envelope|integration\/otlp\/v1\/traces)\/?(?:\?|$)|^\/v1\/traces\/?(?:\?|$)/;

export function isTelemetryRequest(path: string): boolean {
  return TELEMETRY_PATH.test(path);
}
