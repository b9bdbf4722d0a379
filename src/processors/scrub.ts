/**
 * Processor 1: redact secrets in `onEnding`, while the span is still writable and before any other processor
 * (metrics, Sentry errors) or exporter reads it. Covers the span name, attributes, status message, event
 * attributes (exception messages and stack traces) and link attributes. Fails closed: attributes that cannot be
 * read are filtered (src/scrub/scrubber.ts `scrubAttributes`); a span that cannot be scrubbed at all is marked
 * unsampled, so no exporter sends it.
 *
 * While content capture is off, message-content attributes (src/agent/content.ts `MESSAGE_CONTENT_ATTRIBUTES`:
 * prompts, completions, tool payloads, the AI SDK's included) are removed from every span's attributes, in the
 * same walk over them: until 2026-12-03 the AI SDK processor walked every GenAI span's attributes once more for
 * them (0.0–0.2 µs per agent step, timed in place), and the key's cached state already says whether it is one.
 */
import { TraceFlags, type Attributes } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/sdk-trace';
import { FILTERED, MAX_REMEMBERED_LENGTH, Scrubber, detached, scrubString } from '../scrub/index.js';
import { scrubFailed } from '../scrub/failures.js';
import { MESSAGE_CONTENT_ATTRIBUTES, isCaptureMessageContentEnabled } from '../agent/content.js';
import { SpanStage } from './span-path.js';

export interface ScrubSpanProcessorOptions {
  /** Extra attribute key names (or key parts) whose values are always filtered. */
  extraKeys?: readonly string[];
}

/** Span names are low-cardinality by convention; names seen clean are remembered up to this many. */
const MAX_CLEAN_NAMES = 1024;

/** What carries attributes on a span: the span itself, its events, its links. Their `attributes` fields are plain, writable properties in the SDK. */
interface HasAttributes {
  attributes?: Attributes;
}

export class ScrubSpanProcessor extends SpanStage {
  private readonly scrubber: Scrubber;
  private readonly cleanNames = new Set<string>();

  constructor(options: ScrubSpanProcessorOptions = {}) {
    super();
    this.scrubber = new Scrubber(options.extraKeys, MESSAGE_CONTENT_ATTRIBUTES);
  }

  onEnding(span: Span): void {
    try {
      this.scrubName(span);
      const message = span.status.message;
      if (message !== undefined) {
        const clean = scrubString(message);
        if (clean !== message) span.setStatus({ code: span.status.code, message: clean });
      }
      // Content capture can be switched at run time (setCaptureMessageContent): asked per span, a cached flag.
      this.scrubAttributesOf(span as HasAttributes, !isCaptureMessageContentEnabled());
      for (const event of span.events) this.scrubAttributesOf(event as HasAttributes);
      for (const link of span.links) this.scrubAttributesOf(link as HasAttributes);
    } catch {
      // Only a span whose own fields throw gets here: it cannot be vouched for, so no exporter may send it.
      scrubFailed('error', 'a span could not be scrubbed; it is not exported');
      neverExport(span);
    }
  }

  private scrubName(span: Span): void {
    const name = span.name;
    if (this.cleanNames.has(name)) return;
    const clean = scrubString(name);
    if (clean !== name) span.updateName(clean);
    else if (this.cleanNames.size < MAX_CLEAN_NAMES && name.length <= MAX_REMEMBERED_LENGTH) this.cleanNames.add(detached(name));
  }

  private scrubAttributesOf(holder: HasAttributes, removeContent = false): void {
    const attributes = holder.attributes;
    if (attributes === undefined) return;
    const clean = this.scrubber.scrubAttributes(attributes, removeContent);
    if (clean !== attributes) holder.attributes = clean;
  }
}

/** Clear the sampled flag (exporting processors skip unsampled spans) and filter what can still be written. */
function neverExport(span: Span): void {
  try {
    const spanContext = span.spanContext();
    spanContext.traceFlags &= ~TraceFlags.SAMPLED;
  } catch {
    // nothing more can be done with a span whose context cannot be read
  }
  try {
    span.updateName(FILTERED);
    (span as HasAttributes).attributes = {};
  } catch {
    // as above
  }
}
