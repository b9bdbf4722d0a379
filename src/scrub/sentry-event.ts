/**
 * Sentry `beforeSend` / `beforeSendTransaction` / `beforeBreadcrumb`: the same rules as on spans, applied to the
 * whole event (exception messages, request URL/headers/cookies/query, extra, contexts, tags, breadcrumbs).
 */
import type { Breadcrumb, Event } from '@sentry/core';
import { Scrubber } from './scrubber.js';

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

export function scrubEvent<E extends Event>(event: E, extraKeys: readonly string[] = []): E {
  try {
    return scrubberFor(extraKeys).deep(event);
  } catch {
    return event;
  }
}

export function scrubBreadcrumb(breadcrumb: Breadcrumb, extraKeys: readonly string[] = []): Breadcrumb {
  try {
    return scrubberFor(extraKeys).deep(breadcrumb);
  } catch {
    return breadcrumb;
  }
}
