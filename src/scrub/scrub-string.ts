/** Redact secret-looking parts of free text (messages, URLs, stack traces, prompts). Never throws. */
import { MAYBE_SECRET, VALUE_RULES } from './patterns.js';

/** Texts longer than this are cut before scrubbing: bounded work, and nothing unscrubbed is kept. */
export const MAX_SCRUB_LENGTH = 64 * 1024;

export function scrubString(value: string): string {
  if (value.length < 6 || !MAYBE_SECRET.test(value)) return value;
  let text = value.length > MAX_SCRUB_LENGTH ? `${value.slice(0, MAX_SCRUB_LENGTH)}…[truncated]` : value;
  for (const [pattern, replacement] of VALUE_RULES) text = text.replace(pattern, replacement);
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
