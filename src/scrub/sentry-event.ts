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
  return scrubbedOrDropped('an event', () => {
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
  });
}

export function scrubBreadcrumb(breadcrumb: Breadcrumb, extraKeys: readonly string[] = []): Breadcrumb | null {
  return scrubbedOrDropped('a breadcrumb', () => scrubberFor(extraKeys).deep(breadcrumb));
}

/** The scrubbed copy, or null (dropped, counted) when scrubbing threw or could not keep it an object. */
function scrubbedOrDropped<T>(what: string, scrub: () => T): T | null {
  try {
    const clean = scrub();
    if (typeof clean === 'object' && clean !== null) return clean;
  } catch {
    // dropped below
  }
  scrubFailed('event_dropped', `${what} could not be scrubbed and was dropped`);
  return null;
}
