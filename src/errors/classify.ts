/**
 * Bug or operational? Operational errors (bad input, missing resources, auth, aborts, rate limits, any HTTP 4xx)
 * are expected in a healthy system: they are counted and left as breadcrumbs, never turned into Sentry issues.
 * Shared by the span-metrics processor (agent_errors_total{classification}) and the sentry-errors processor.
 */
import type { Attributes } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions';

export type ErrorClassification = 'bug' | 'operational';

export const DEFAULT_OPERATIONAL_ERRORS: readonly string[] = [
  'ValidationError',
  'NotFoundError',
  'UnauthorizedError',
  'ForbiddenError',
  'AbortError',
];

export interface ErrorFacts {
  /** exception.type or error.type, e.g. `ValidationError`, `RateLimitError`, `429`. */
  errorType?: string | undefined;
  /** HTTP status seen on the span or carried by the error (`http.response.status_code`, `error.status`). */
  httpStatus?: number | undefined;
}

export function classifyError(facts: ErrorFacts, operationalTypes: readonly string[] = DEFAULT_OPERATIONAL_ERRORS): ErrorClassification {
  const status = facts.httpStatus ?? statusFromType(facts.errorType);
  if (status !== undefined && status >= 400 && status < 500) return 'operational';
  if (facts.errorType !== undefined && operationalTypes.includes(facts.errorType)) return 'operational';
  return 'bug';
}

/**
 * A failed span's error: operational by the span's `error.type` / HTTP status (what the helpers and HTTP
 * instrumentations set) or by its exception's own type, else a bug.
 */
export function classifySpanError(
  attributes: Attributes,
  exceptionType: string | undefined,
  operationalTypes: readonly string[] = DEFAULT_OPERATIONAL_ERRORS,
): ErrorClassification {
  const errorType = attributes[ATTR_ERROR_TYPE];
  const status = attributes[ATTR_HTTP_RESPONSE_STATUS_CODE];
  const facts = { errorType: typeof errorType === 'string' ? errorType : undefined, httpStatus: typeof status === 'number' ? status : undefined };
  if (classifyError(facts, operationalTypes) === 'operational') return 'operational';
  return exceptionType !== undefined && classifyError({ errorType: exceptionType }, operationalTypes) === 'operational' ? 'operational' : 'bug';
}

/** `error.type` is often the bare status code for HTTP failures (semconv: "the HTTP status code as a string"). */
function statusFromType(errorType: string | undefined): number | undefined {
  if (errorType === undefined || !/^\d{3}$/.test(errorType)) return undefined;
  return Number(errorType);
}
