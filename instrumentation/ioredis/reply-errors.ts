/**
 * Redis server errors on a command's span, without the server's text. A reply error's message is the server's
 * and may quote what the command carried: an unknown command echoes its first arguments (`ERR unknown command
 * 'JSON.SET', with args beginning with: 'user:42' '$' '{"note":…}'`), a RediSearch syntax error the query terms.
 * The package's `endSpan` copies the message into the exception event and the span status; for reply and parser
 * errors (the classes of `redis-errors` that carry server or wire content) the span gets only the error code — the
 * first word, `ERR`, `WRONGTYPE`, `NOSCRIPT`, `MOVED` … — and the stack frames. ioredis' own errors ("Connection is
 * closed.", max retries) are fixed texts and stay whole. The application still receives the original error.
 *
 * The package records the error on the span it made (utils endSpan: `recordException(err)` then
 * `setStatus({ message: err.message })`), with no hook in between, so this wraps those two methods on that one span
 * instance, from the request hook.
 */
import type { Exception, Span, SpanStatus, TimeInput } from '@opentelemetry/api';

/** Error classes whose message comes from the server or the wire (`name` as redis-errors and ioredis set it). */
const SERVER_ERRORS = new Set(['ReplyError', 'ParserError']);
/** A Redis error code: the reply's first word, upper case (https://redis.io/docs/latest/develop/reference/protocol-spec/#simple-errors). */
const ERROR_CODE = /^[A-Z][A-Z0-9_-]{0,31}(?=\s|$)/;
/** The code when the message starts with none. */
export const UNKNOWN_ERROR_CODE = 'ERR';
/** Stack lines kept: frames only (`    at …`); bounded like any stack by Error.stackTraceLimit. */
const FRAME = /^\s+at /;

/** The error code of a server error's message (bounded: an anchored match of at most 32 characters). */
export function redisErrorCode(message: string): string {
  return ERROR_CODE.exec(message.slice(0, 33))?.[0] ?? UNKNOWN_ERROR_CODE;
}

/** `error` as the span may record it: a server error reduced to its code; anything else unchanged. */
export function redactServerError(error: Exception): Exception {
  if (typeof error !== 'object' || error === null) return error;
  const name = (error as { name?: unknown }).name;
  if (typeof name !== 'string' || !SERVER_ERRORS.has(name)) return error;
  const message = typeof error.message === 'string' ? redisErrorCode(error.message) : UNKNOWN_ERROR_CODE;
  const frames = typeof error.stack === 'string' ? error.stack.split('\n').filter((line) => FRAME.test(line)) : [];
  return { name, message, stack: [`${name}: ${message}`, ...frames].join('\n') };
}

/** Make `span` record server errors without their text (exception event and status message). */
export function redactServerErrorsOn(span: Span): void {
  const recordException = span.recordException.bind(span);
  const setStatus = span.setStatus.bind(span);
  // The original message of the last redacted error, to recognise it in the status set right after.
  let redactedFrom: string | undefined;
  let redactedTo: string | undefined;
  span.recordException = (exception: Exception, time?: TimeInput): void => {
    const redacted = redactServerError(exception);
    if (redacted !== exception && typeof exception === 'object' && typeof exception.message === 'string') {
      redactedFrom = exception.message;
      redactedTo = typeof redacted === 'object' ? redacted.message : undefined;
    }
    recordException(redacted, time);
  };
  span.setStatus = (status: SpanStatus): Span => {
    if (status.message !== undefined && status.message === redactedFrom) return setStatus({ ...status, message: redactedTo ?? UNKNOWN_ERROR_CODE });
    return setStatus(status);
  };
}
