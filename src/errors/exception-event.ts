/** The OpenTelemetry `exception` span event (semconv: exceptions are recorded as events named `exception`). */
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';

export const EXCEPTION_EVENT = 'exception';

/** Attributes of the span's last exception event (the one that ended it), or undefined when it has none. */
export function lastException(span: ReadableSpan): Attributes | undefined {
  const events = span.events;
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i]!;
    if (event.name === EXCEPTION_EVENT) return event.attributes ?? {};
  }
  return undefined;
}
