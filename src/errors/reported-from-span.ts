/**
 * Errors the span-error processor has just reported, so the process-error capture does not send the same error
 * again when it escapes as an uncaught exception or rejection right after (src/processors/sentry-errors.ts reports
 * at span end, synchronously, before the throw reaches the process handlers).
 *
 * Why not Sentry's Dedupe: it compares with the previous *processed* event, and event processing is asynchronous,
 * so which of the two captures was processed first varied from run to run (two events about one time in four).
 * Matching at capture time is deterministic. Entries are keyed by a digest of the exception's stack (message +
 * frames), live for a few seconds, are consumed on match, and at most 64 are kept.
 */
import { createHash } from 'node:crypto';

const TTL_MS = 5_000;
const CAPACITY = 64;
/** digest of the stack → when it was reported; insertion order = age. */
const recent = new Map<string, number>();

function keyOf(type: string, message: string, stack: string | undefined): string {
  const text = stack !== undefined && stack !== '' ? stack : `${type}: ${message}`;
  return createHash('sha256').update(text).digest('base64');
}

/** Called by the span-error processor for each error it reports. */
export function rememberReportedFromSpan(type: string, message: string, stack: string | undefined): void {
  const key = keyOf(type, message, stack);
  recent.delete(key);
  recent.set(key, Date.now());
  if (recent.size > CAPACITY) recent.delete(recent.keys().next().value!);
}

/** True (once) when `error` was reported from its span in the last few seconds. Never throws. */
export function takeReportedFromSpan(error: unknown): boolean {
  try {
    if (!(error instanceof Error)) return false;
    const key = keyOf(error.name, error.message, error.stack);
    const at = recent.get(key);
    if (at === undefined) return false;
    recent.delete(key);
    return Date.now() - at <= TTL_MS;
  } catch {
    return false;
  }
}
