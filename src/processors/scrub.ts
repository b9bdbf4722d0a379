/**
 * Processor 1 (DESIGN §1): redact secrets in `onEnding`, while the span is still writable and before any other
 * processor (metrics, Sentry errors) or exporter reads it. Covers the span name, attributes, status message,
 * event attributes (exception messages and stack traces) and link attributes.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { Scrubber, scrubString } from '../scrub/index.js';

export interface ScrubSpanProcessorOptions {
  /** Extra attribute key names (or key parts) whose values are always filtered. */
  extraKeys?: readonly string[];
}

export class ScrubSpanProcessor implements SpanProcessor {
  private readonly scrubber: Scrubber;

  constructor(options: ScrubSpanProcessorOptions = {}) {
    this.scrubber = new Scrubber(options.extraKeys);
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnding(span: Span): void {
    try {
      const name = scrubString(span.name);
      if (name !== span.name) span.updateName(name);
      this.scrubber.attributesInPlace(span.attributes);
      const message = span.status.message;
      if (message !== undefined) {
        const clean = scrubString(message);
        if (clean !== message) span.setStatus({ code: span.status.code, message: clean });
      }
      for (const event of span.events) if (event.attributes) this.scrubber.attributesInPlace(event.attributes);
      for (const link of span.links) if (link.attributes) this.scrubber.attributesInPlace(link.attributes);
    } catch {
      // never let redaction break the host: the span keeps what it had
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
