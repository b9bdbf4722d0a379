/**
 * Processor 1 (DESIGN §1): redact secrets in `onEnding`, while the span is still writable and before any other
 * processor (metrics, Sentry errors) or exporter reads it. Covers the span name, attributes, status message,
 * event attributes (exception messages and stack traces) and link attributes.
 */
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { MAX_REMEMBERED_LENGTH, Scrubber, detached, scrubString } from '../scrub/index.js';

export interface ScrubSpanProcessorOptions {
  /** Extra attribute key names (or key parts) whose values are always filtered. */
  extraKeys?: readonly string[];
}

/** Span names are low-cardinality by convention; names seen clean are remembered up to this many. */
const MAX_CLEAN_NAMES = 1024;

export class ScrubSpanProcessor implements SpanProcessor {
  private readonly scrubber: Scrubber;
  private readonly cleanNames = new Set<string>();

  constructor(options: ScrubSpanProcessorOptions = {}) {
    this.scrubber = new Scrubber(options.extraKeys);
  }

  onStart(_span: Span, _parentContext: Context): void {}

  onEnding(span: Span): void {
    try {
      this.scrubName(span);
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

  private scrubName(span: Span): void {
    const name = span.name;
    if (this.cleanNames.has(name)) return;
    const clean = scrubString(name);
    if (clean !== name) span.updateName(clean);
    else if (this.cleanNames.size < MAX_CLEAN_NAMES && name.length <= MAX_REMEMBERED_LENGTH) this.cleanNames.add(detached(name));
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
