/**
 * One ended span → one Sentry breadcrumb, for the calls worth seeing before an error: outgoing HTTP requests,
 * LLM calls, memory operations and tool executions. Shape per Sentry's develop docs, Breadcrumbs Interface
 * (develop.sentry.dev/sdk/foundations/envelopes/event-payloads/breadcrumbs; Relay `protocol/breadcrumb.rs`):
 * `type` (`http` for HTTP requests, `default` otherwise), `category`, `message`, `data`, `level`, `timestamp` in
 * seconds since the epoch; an `http` breadcrumb's data carries `url`, `method` and `status_code`, as Sentry
 * renders them.
 *
 * Only a fixed set of attributes is read (no prompts, no contents), each value cut to MAX_BREADCRUMB_VALUE
 * characters: a breadcrumb's size is bounded whatever the span carries. The span has already been scrubbed
 * (processor 1 runs in `onEnding`, before any `onEnd`), and the Sentry event is scrubbed again in `beforeSend`.
 */
import { SpanKind, SpanStatusCode, type AttributeValue } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import type { Breadcrumb } from '@sentry/core';
import { hrTimeToMilliseconds } from '@opentelemetry/core';
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_URL_FULL } from '@opentelemetry/semantic-conventions';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from '../agent/semconv-incubating.js';
import {
  AGENT_SPAN_TYPE_VALUE_AI_REQUEST,
  AGENT_SPAN_TYPE_VALUE_MEMORY_OPERATION,
  AGENT_SPAN_TYPE_VALUE_TOOL_EXECUTION,
  ATTR_AGENT_MEMORY_OPERATION,
  ATTR_AGENT_MEMORY_RESULT_COUNT,
  ATTR_AGENT_MEMORY_STORE,
  ATTR_AGENT_SPAN_TYPE,
  ATTR_SENTRY_OP,
} from '../agent/attributes.js';

/** Characters kept of any one message or data value. */
export const MAX_BREADCRUMB_VALUE = 200;

/** A breadcrumb and what it costs to keep (an estimate in bytes: the characters of its strings plus overhead). */
export interface SizedBreadcrumb {
  readonly breadcrumb: Breadcrumb;
  readonly spanId: string;
  readonly bytes: number;
}

const AGENT_DATA: Record<string, readonly string[]> = {
  [AGENT_SPAN_TYPE_VALUE_AI_REQUEST]: [
    ATTR_GEN_AI_OPERATION_NAME,
    ATTR_GEN_AI_PROVIDER_NAME,
    ATTR_GEN_AI_REQUEST_MODEL,
    ATTR_GEN_AI_RESPONSE_MODEL,
    ATTR_GEN_AI_USAGE_INPUT_TOKENS,
    ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ],
  [AGENT_SPAN_TYPE_VALUE_MEMORY_OPERATION]: [ATTR_AGENT_MEMORY_OPERATION, ATTR_AGENT_MEMORY_STORE, ATTR_AGENT_MEMORY_RESULT_COUNT],
  [AGENT_SPAN_TYPE_VALUE_TOOL_EXECUTION]: [ATTR_GEN_AI_TOOL_NAME],
};

/** Fixed cost per breadcrumb beyond its strings (object, timestamp, level). */
const OVERHEAD_BYTES = 64;

/** The breadcrumb for `span`, or undefined when the span is not an HTTP, LLM, memory or tool call. */
export function breadcrumbFromSpan(span: ReadableSpan): SizedBreadcrumb | undefined {
  const attributes = span.attributes;
  const spanType = attributes[ATTR_AGENT_SPAN_TYPE];
  const agentKeys = typeof spanType === 'string' ? AGENT_DATA[spanType] : undefined;
  const isHttpClient = agentKeys === undefined && span.kind === SpanKind.CLIENT && attributes[ATTR_HTTP_REQUEST_METHOD] !== undefined;
  if (agentKeys === undefined && !isHttpClient) return undefined;

  const data: Record<string, string | number | boolean> = {};
  let bytes = OVERHEAD_BYTES;
  const put = (field: string, value: AttributeValue | undefined): void => {
    const clean = boundedValue(value);
    if (clean === undefined) return;
    data[field] = clean;
    bytes += field.length + (typeof clean === 'string' ? clean.length : 8);
  };
  const { spanId } = span.spanContext();
  const message = bounded(span.name);
  bytes += message.length;
  let breadcrumb: Breadcrumb;
  if (isHttpClient) {
    put('method', attributes[ATTR_HTTP_REQUEST_METHOD]);
    put('url', attributes[ATTR_URL_FULL]);
    put('status_code', attributes[ATTR_HTTP_RESPONSE_STATUS_CODE]);
    breadcrumb = { type: 'http', category: 'http', message, data, level: httpLevel(span) };
  } else {
    for (const key of agentKeys!) put(key, attributes[key]);
    const op = attributes[ATTR_SENTRY_OP];
    const category = bounded(typeof op === 'string' && op !== '' ? op : String(spanType));
    bytes += category.length;
    breadcrumb = { type: 'default', category, message, data, level: span.status.code === SpanStatusCode.ERROR ? 'error' : 'info' };
  }
  put(ATTR_ERROR_TYPE, attributes[ATTR_ERROR_TYPE]);
  put('duration_ms', Math.round(hrTimeToMilliseconds(span.duration)));
  put('span_id', spanId);
  breadcrumb.timestamp = hrTimeToMilliseconds(span.endTime) / 1000;
  return { breadcrumb, spanId, bytes };
}

/** `error` for a failed request (ERROR status or 5xx), `warning` for a 4xx, `info` otherwise. */
function httpLevel(span: ReadableSpan): Breadcrumb['level'] {
  const status = span.attributes[ATTR_HTTP_RESPONSE_STATUS_CODE];
  if (span.status.code === SpanStatusCode.ERROR || (typeof status === 'number' && status >= 500)) return 'error';
  return typeof status === 'number' && status >= 400 ? 'warning' : 'info';
}

function boundedValue(value: AttributeValue | undefined): string | number | boolean | undefined {
  if (typeof value === 'string') return value === '' ? undefined : bounded(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value;
  return undefined;
}

function bounded(text: string): string {
  return text.length <= MAX_BREADCRUMB_VALUE ? text : `${text.slice(0, MAX_BREADCRUMB_VALUE)}…`;
}

