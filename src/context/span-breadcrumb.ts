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

/** The `data` fields every breadcrumb ends with, after those of its kind. */
const COMMON_FIELDS = [ATTR_ERROR_TYPE, 'duration_ms', 'span_id'] as const;
/** An HTTP client call's `data`: the request as Sentry renders it, then the common fields. */
const HTTP_FIELDS: readonly string[] = ['method', 'url', 'status_code', ...COMMON_FIELDS];
const HTTP_ATTRIBUTES = [ATTR_HTTP_REQUEST_METHOD, ATTR_URL_FULL, ATTR_HTTP_RESPONSE_STATUS_CODE] as const;

/** Per agent span type: the attributes its breadcrumb shows, under their own names, then the common fields. */
const AGENT_ATTRIBUTES: Record<string, readonly string[]> = {
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
const AGENT_FIELDS: Record<string, readonly string[]> = Object.fromEntries(Object.entries(AGENT_ATTRIBUTES).map(([type, keys]) => [type, [...keys, ...COMMON_FIELDS]]));

/** Fixed cost per breadcrumb beyond its strings (object, timestamp, level). */
const OVERHEAD_BYTES = 64;

type DataValue = string | number | boolean | undefined;

/**
 * What an ended span leaves for its breadcrumb: the values read as it ended (each bounded, so `bytes` holds), and the
 * Sentry breadcrumb built from them only when an error event asks for the trace's breadcrumbs. Most traces never
 * fail, and building every breadcrumb's `data` object at span end was most of the trace-breadcrumbs processor's
 * time (a keyed store per field into a fresh object, twice per agent step).
 */
class SpanCrumb implements SizedBreadcrumb {
  private built: Breadcrumb | undefined;

  constructor(
    readonly spanId: string,
    readonly bytes: number,
    private readonly type: 'http' | 'default',
    private readonly category: string,
    private readonly message: string,
    private readonly level: NonNullable<Breadcrumb['level']>,
    private readonly timestamp: number,
    /** `data` field names, and their values (undefined: left out) in the same order. */
    private readonly fields: readonly string[],
    private readonly values: readonly DataValue[],
  ) {}

  get breadcrumb(): Breadcrumb {
    if (this.built === undefined) {
      const data: Record<string, string | number | boolean> = {};
      for (let i = 0; i < this.fields.length; i++) {
        const value = this.values[i];
        if (value !== undefined) data[this.fields[i]!] = value;
      }
      this.built = { type: this.type, category: this.category, message: this.message, data, level: this.level, timestamp: this.timestamp };
    }
    return this.built;
  }
}

/** The breadcrumb for `span`, or undefined when the span is not an HTTP, LLM, memory or tool call. */
export function breadcrumbFromSpan(span: ReadableSpan): SizedBreadcrumb | undefined {
  const attributes = span.attributes;
  const spanType = attributes[ATTR_AGENT_SPAN_TYPE];
  const agentKeys = typeof spanType === 'string' ? AGENT_ATTRIBUTES[spanType] : undefined;
  const isHttpClient = agentKeys === undefined && span.kind === SpanKind.CLIENT && attributes[ATTR_HTTP_REQUEST_METHOD] !== undefined;
  if (agentKeys === undefined && !isHttpClient) return undefined;

  const keys = isHttpClient ? HTTP_ATTRIBUTES : agentKeys!;
  const fields = isHttpClient ? HTTP_FIELDS : AGENT_FIELDS[spanType as string]!;
  const { spanId } = span.spanContext();
  const values: DataValue[] = new Array<DataValue>(fields.length);
  for (let i = 0; i < keys.length; i++) values[i] = boundedValue(attributes[keys[i]!]);
  values[keys.length] = boundedValue(attributes[ATTR_ERROR_TYPE]);
  values[keys.length + 1] = boundedValue(Math.round(hrTimeToMilliseconds(span.duration)));
  values[keys.length + 2] = boundedValue(spanId);

  const message = bounded(span.name);
  let category: string;
  let level: NonNullable<Breadcrumb['level']>;
  if (isHttpClient) {
    category = 'http';
    level = httpLevel(span);
  } else {
    const op = attributes[ATTR_SENTRY_OP];
    category = bounded(typeof op === 'string' && op !== '' ? op : String(spanType));
    level = span.status.code === SpanStatusCode.ERROR ? 'error' : 'info';
  }
  let bytes = OVERHEAD_BYTES + message.length + (isHttpClient ? 0 : category.length);
  for (let i = 0; i < fields.length; i++) {
    const value = values[i];
    if (value !== undefined) bytes += fields[i]!.length + (typeof value === 'string' ? value.length : 8);
  }
  const timestamp = hrTimeToMilliseconds(span.endTime) / 1000;
  return new SpanCrumb(spanId, bytes, isHttpClient ? 'http' : 'default', category, message, level, timestamp, fields, values);
}

/** `error` for a failed request (ERROR status or 5xx), `warning` for a 4xx, `info` otherwise. */
function httpLevel(span: ReadableSpan): NonNullable<Breadcrumb['level']> {
  const status = span.attributes[ATTR_HTTP_RESPONSE_STATUS_CODE];
  if (span.status.code === SpanStatusCode.ERROR || (typeof status === 'number' && status >= 500)) return 'error';
  return typeof status === 'number' && status >= 400 ? 'warning' : 'info';
}

function boundedValue(value: AttributeValue | undefined): DataValue {
  if (typeof value === 'string') return value === '' ? undefined : bounded(value);
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return value;
  return undefined;
}

function bounded(text: string): string {
  return text.length <= MAX_BREADCRUMB_VALUE ? text : `${text.slice(0, MAX_BREADCRUMB_VALUE)}…`;
}

