/**
 * The headers of a 429, as Relay sends them: `Retry-After` and `X-Sentry-Rate-Limits` (getsentry/relay
 * `relay-server/src/utils/rate_limits.rs`; format as parsed by `@sentry/core` `utils/ratelimit.ts` and Sentry's
 * develop docs, SDK "Rate Limiting": `<retry_after>:<categories>:<scope>[:<reason_code>]`, empty categories = all).
 * SDKs read the latter first, so both must agree.
 */

/** When the fault names no figure: what the SDKs assume for a bare 429 (`@sentry/core` `utils/ratelimit.ts`). */
export const DEFAULT_RETRY_AFTER_SECONDS = 60;

export function rateLimitHeaders(retryAfterSeconds: number | undefined): Record<string, string> {
  const seconds = retryAfterSeconds ?? DEFAULT_RETRY_AFTER_SECONDS;
  return { 'retry-after': String(seconds), 'x-sentry-rate-limits': `${seconds}::organization:injected_fault` };
}
