/**
 * How a failed operation is written on its span: an `exception` event, ERROR status, `error.type` — and, for
 * errors that carry an HTTP status (provider SDKs: `status` / `statusCode`), `http.response.status_code` with
 * `error.type` set to the status code string, as the semconv for HTTP failures prescribes. The caller's error
 * object itself is never touched (it is rethrown unchanged by the helpers).
 */
import { SpanStatusCode, type Exception, type Span } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE, ATTR_HTTP_RESPONSE_STATUS_CODE, ERROR_TYPE_VALUE_OTHER } from '@opentelemetry/semantic-conventions';

const MAX_TYPE_LENGTH = 128;

/**
 * Name of the error's class: `err.name` unless that is the generic `Error` while the constructor is a more
 * specific subclass (`class ValidationError extends Error {}` without setting `name`). `_OTHER` otherwise.
 */
export function errorClassName(err: unknown): string {
  if (typeof err !== 'object' || err === null) return ERROR_TYPE_VALUE_OTHER;
  const record = err as { name?: unknown; constructor?: unknown };
  const name = safeGet(() => record.name);
  const ctor = safeGet(() => (typeof record.constructor === 'function' ? (record.constructor as { name?: unknown }).name : undefined));
  const validName = typeof name === 'string' && name.length > 0 ? name : undefined;
  const validCtor = typeof ctor === 'string' && ctor.length > 0 && ctor !== 'Object' ? ctor : undefined;
  const chosen = validName !== undefined && validName !== 'Error' ? validName : (validCtor ?? validName ?? ERROR_TYPE_VALUE_OTHER);
  return chosen.slice(0, MAX_TYPE_LENGTH);
}

/** HTTP status (400–599) carried by the error as `status` or `statusCode` (also `response.status`), if any. */
export function errorHttpStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const record = err as { status?: unknown; statusCode?: unknown; response?: { status?: unknown } };
  for (const candidate of [safeGet(() => record.status), safeGet(() => record.statusCode), safeGet(() => record.response?.status)]) {
    const status = typeof candidate === 'string' && /^\d{3}$/.test(candidate) ? Number(candidate) : candidate;
    if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status <= 599) return status;
  }
  return undefined;
}

/** `error.type` for the error: the HTTP status code string when it carries one, its class name otherwise. */
export function errorType(err: unknown): string {
  const status = errorHttpStatus(err);
  return status !== undefined ? String(status) : errorClassName(err);
}

/** Record `err` on `span` (exception event, ERROR status, error.type). Never throws. */
export function recordError(span: Span, err: unknown): void {
  try {
    if (!span.isRecording()) return;
    const status = errorHttpStatus(err);
    const message = errorMessage(err);
    span.recordException(toException(err, message));
    span.setStatus(message === undefined ? { code: SpanStatusCode.ERROR } : { code: SpanStatusCode.ERROR, message });
    span.setAttribute(ATTR_ERROR_TYPE, status !== undefined ? String(status) : errorClassName(err));
    if (status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  } catch {
    // telemetry must not turn one failure into two
  }
}

function errorMessage(err: unknown): string | undefined {
  if (typeof err === 'string') return err;
  if (typeof err === 'object' && err !== null) {
    const message = safeGet(() => (err as { message?: unknown }).message);
    if (typeof message === 'string') return message;
  }
  if (err === undefined || err === null) return undefined;
  try {
    return String(err);
  } catch {
    return undefined;
  }
}

/**
 * A plain copy for `recordException`: the SDK derives `exception.type` from `code` before `name`, which would
 * turn `ECONNRESET` into the type; we want the class name, consistent with `error.type`.
 */
function toException(err: unknown, message: string | undefined): Exception {
  const stack = typeof err === 'object' && err !== null ? safeGet(() => (err as { stack?: unknown }).stack) : undefined;
  const exception: { name: string; message?: string; stack?: string } = { name: errorClassName(err) };
  if (message !== undefined) exception.message = message;
  if (typeof stack === 'string') exception.stack = stack;
  return exception;
}

function safeGet<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined; // a throwing getter on a hostile error object
  }
}
