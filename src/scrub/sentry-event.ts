/**
 * Sentry `beforeSend` / `beforeSendTransaction` / `beforeBreadcrumb`: the same rules as on spans, applied to the
 * whole event (exception messages, request URL/headers/cookies/query, extra, contexts, tags, breadcrumbs).
 * Fails closed: parts that cannot be scrubbed are filtered by the scrubber, and an event the scrubber cannot
 * finish at all is dropped (`null` drops it in both hooks) — never sent as it was.
 */
import type { Breadcrumb, Event } from '@sentry/core';
import { Scrubber } from './scrubber.js';
import { scrubFailed } from './failures.js';

const scrubbers = new Map<string, Scrubber>();

function scrubberFor(extraKeys: readonly string[]): Scrubber {
  const id = extraKeys.join('\u0000');
  let scrubber = scrubbers.get(id);
  if (scrubber === undefined) {
    scrubber = new Scrubber(extraKeys);
    scrubbers.set(id, scrubber);
  }
  return scrubber;
}

export function scrubEvent<E extends Event>(event: E, extraKeys: readonly string[] = []): E | null {
  try {
    const scrubber = scrubberFor(extraKeys);
    // The SDK's working state (scopes, the request it came from): removed before sending (@sentry/core
    // envelope.js `createEventEnvelope`) except the dynamic sampling context, which becomes the envelope's
    // `trace` header (utils/envelope.js `createEventEnvelopeHeaders`). Its class instances must stay intact.
    const { sdkProcessingMetadata, ...sent } = event;
    const clean = scrubber.deep(sent) as E;
    if (sdkProcessingMetadata !== undefined) {
      const { dynamicSamplingContext } = sdkProcessingMetadata;
      clean.sdkProcessingMetadata =
        dynamicSamplingContext === undefined ? sdkProcessingMetadata : { ...sdkProcessingMetadata, dynamicSamplingContext: scrubber.deep(dynamicSamplingContext) };
    }
    return clean;
  } catch {
    scrubFailed('event_dropped', 'an event could not be scrubbed and was dropped');
    return null;
  }
}

export function scrubBreadcrumb(breadcrumb: Breadcrumb, extraKeys: readonly string[] = []): Breadcrumb | null {
  try {
    return scrubberFor(extraKeys).deep(breadcrumb);
  } catch {
    scrubFailed('event_dropped', 'a breadcrumb could not be scrubbed and was dropped');
    return null;
  }
}
