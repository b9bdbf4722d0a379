/**
 * Where an error happened, so `agent_errors_total` counts each error once. One failure marks several spans:
 * the span that threw, every helper span it is rethrown through, the HTTP server span that answers 500 and, in
 * the calling agent, the HTTP client span that receives that 500. Only the first is where the error happened.
 *
 *  - A span with an exception event counts unless the same exception (type + message) was already counted in
 *    this trace by this process: the innermost span ends first, the spans it is rethrown through follow.
 *  - A CLIENT span failing only by an HTTP status received the callee's failure: the callee counts its own
 *    (and the caller's helper span counts it again only if the caller throws).
 *  - Any other failing span without an exception (a server span answering 500, a status set by hand) counts
 *    unless this process already counted an error in its trace.
 *
 * Memory is bounded (oldest traces forgotten first); only failing spans get here.
 */
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_TYPE, ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions';
import { lastException } from './exception-event.js';
import { BoundedSet } from './bounded-set.js';

/** Longest exception message used in the identity: enough to tell errors apart, bounded memory. */
const MAX_MESSAGE_KEY = 200;

export class ErrorOrigin {
  /** traceId|type|message of exceptions counted. */
  private readonly exceptions: BoundedSet;
  /** Traces in which this process counted an error. */
  private readonly traces: BoundedSet;

  constructor(capacity = 4096) {
    this.exceptions = new BoundedSet(capacity);
    this.traces = new BoundedSet(capacity);
  }

  /** For a span that ended with ERROR: is this where the error happened (count it)? Remembers the answer. */
  isOrigin(span: ReadableSpan): boolean {
    const traceId = span.spanContext().traceId;
    const exception = lastException(span);
    if (exception !== undefined) {
      const key = `${traceId}|${text(exception[ATTR_EXCEPTION_TYPE])}|${text(exception[ATTR_EXCEPTION_MESSAGE]).slice(0, MAX_MESSAGE_KEY)}`;
      if (this.exceptions.has(key)) return false;
      this.exceptions.add(key);
      this.traces.add(traceId);
      return true;
    }
    if (span.kind === SpanKind.CLIENT && typeof span.attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] === 'number') return false;
    if (this.traces.has(traceId)) return false;
    this.traces.add(traceId);
    return true;
  }
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
