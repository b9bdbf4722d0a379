export { FILTERED } from './patterns.js';
export { scrubString, detached, MAX_REMEMBERED_LENGTH, MAX_SCRUB_LENGTH } from './scrub-string.js';
export { Scrubber } from './scrubber.js';
export { scrubEvent, scrubBreadcrumb } from './sentry-event.js';
