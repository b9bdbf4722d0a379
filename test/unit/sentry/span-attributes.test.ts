/** Every span carries Sentry's release and environment attributes (Relay reads no release from the resource). */
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { SentrySpanAttributesProcessor } from '../../../src/processors/sentry-span-attributes.js';

let provider: TracerProvider | undefined;
afterEach(async () => {
  await provider?.shutdown();
});

function spansWith(values: { release: string | undefined; environment: string | undefined }) {
  const exporter = new InMemorySpanExporter();
  provider = new TracerProvider({ spanProcessors: [new SentrySpanAttributesProcessor(values), new SimpleSpanProcessor({ exporter })] });
  const tracer = provider.getTracer('t');
  const root = tracer.startSpan('root');
  root.end();
  tracer.startSpan('child').end();
  return exporter.getFinishedSpans();
}

describe('SentrySpanAttributesProcessor', () => {
  it('sets sentry.release and sentry.environment on every span', () => {
    for (const span of spansWith({ release: 'agent@1.2.3', environment: 'production' })) {
      expect(span.attributes['sentry.release']).toBe('agent@1.2.3');
      expect(span.attributes['sentry.environment']).toBe('production');
    }
  });

  it('sets nothing it does not know', () => {
    for (const span of spansWith({ release: undefined, environment: '' })) {
      expect(span.attributes['sentry.release']).toBeUndefined();
      expect(span.attributes['sentry.environment']).toBeUndefined();
    }
  });
});
