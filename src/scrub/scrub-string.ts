/** Redact secret-looking parts of free text (messages, URLs, stack traces, prompts). Never throws. */
import { FILTERED, MAYBE_SECRET, VALUE_RULES } from './patterns.js';
import { scrubFailed } from './failures.js';

/**
 * The scan bound: texts longer than this are cut to it before any rule reads them, and the cut-off part is
 * replaced by a marker — nothing unscanned is kept. Every rule is linear, so a text costs at most this much.
 */
export const MAX_SCRUB_LENGTH = 64 * 1024;
export const TRUNCATED_MARKER = `…${FILTERED}(truncated)`;

export function scrubString(value: string): string {
  if (value.length < 6) return value;
  if (value.length <= MAX_SCRUB_LENGTH) return scrubScanned(value);
  scrubFailed('truncated', `a value longer than ${MAX_SCRUB_LENGTH} characters was cut to that length`);
  // The marker goes on after scrubbing: appended before, its '…' turned the 64 KB text into a two-byte string
  // (a ~3 ms copy per value, measured).
  return `${scrubScanned(value.slice(0, MAX_SCRUB_LENGTH))}${TRUNCATED_MARKER}`;
}

function scrubScanned(value: string): string {
  if (!MAYBE_SECRET.test(value)) return value;
  let text = value;
  for (const rule of VALUE_RULES) if (rule.needs === undefined || text.includes(rule.needs)) text = rule.apply(text);
  return text;
}

/** Longest string remembered as already clean (by the scrubber per key, by the span processor per name). */
export const MAX_REMEMBERED_LENGTH = 256;

/**
 * A copy of `value` that shares no memory with a larger string: V8 represents substrings (regex captures,
 * `slice`) as views into their parent, and a remembered view would keep a whole response body alive.
 */
export function detached(value: string): string {
  return ` ${value}`.slice(1);
}
