export { FILTERED } from './patterns.js';
export { scrubString, MAX_SCRUB_LENGTH } from './scrub-string.js';
export { Scrubber } from './scrubber.js';
export { scrubEvent, scrubBreadcrumb } from './sentry-event.js';
