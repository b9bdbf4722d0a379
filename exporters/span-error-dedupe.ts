/**
 * Sentry's Dedupe, except for the bridge's own span-error events. `@sentry/core` dedupeIntegration drops an event
 * equal to the previous one (same message or exception and stack) whatever its trace, so the same bug failing in
 * three requests would reach Sentry once and two of the three traces would have no linked error.
 *
 * The span-error processor already reports each exception once per trace (src/processors/sentry-errors.ts), so
 * its events pass untouched — every trace's failure is sent, and Sentry groups them into one issue. They still
 * become Dedupe's "previous event" for other captures. The same error escaping right after as uncaught is not left
 * to this comparison (events are processed asynchronously, so the order varies): the process-error capture skips it
 * at capture time (src/errors/reported-from-span.ts).
 */
import type { Client, Event, EventHint, Integration } from '@sentry/core';
import { dedupeIntegration } from './sentry-sdk.js';
import { SPAN_ERROR_EVENT } from '../src/processors/sentry-errors.js';

/** Replaces `@sentry/core` dedupeIntegration (same name). */
export function spanErrorDedupeIntegration(): Integration {
  const dedupe = dedupeIntegration();
  return {
    name: dedupe.name,
    processEvent(event: Event, hint: EventHint, client: Client) {
      if (dedupe.processEvent === undefined) return event;
      if (event.sdkProcessingMetadata?.[SPAN_ERROR_EVENT] === true) {
        dedupe.processEvent(event, hint, client); // remembered as the previous event; never dropped here
        return event;
      }
      return dedupe.processEvent(event, hint, client);
    },
  };
}
