/**
 * Problems: Sentry-visible mismatches in what arrived for a trace — things Relay would accept but that make Sentry
 * show something other than what happened. Each rule cites the Relay / Sentry source it follows. The bridge is meant
 * to produce none; tests assert `problems(traceId)` is empty.
 */
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_TOOL_DEFINITIONS,
} from '../agent/semconv-incubating.js';
import { SEMANTIC_ATTRIBUTE_SENTRY_OP as SENTRY_OP } from '@sentry/core';
import type { IngestEvent, IngestSpan, JsonValue } from './types.js';

export type ProblemCode =
  | 'span_without_client_sample_rate'
  | 'ai_client_without_model'
  | 'gen_ai_message_not_json'
  | 'error_without_dsc'
  | 'dsc_trace_id_mismatch';

export interface Problem {
  code: ProblemCode;
  message: string;
  spanId?: string;
  eventId?: string;
}

/** Sentry conventions names without an OTel constant (getsentry/sentry-conventions `model/attributes`). */
const CLIENT_SAMPLE_RATE = 'sentry.client_sample_rate';
const GEN_AI_OPERATION_TYPE = 'gen_ai.operation.type';
const JSON_MESSAGE_ATTRIBUTES = [ATTR_GEN_AI_INPUT_MESSAGES, ATTR_GEN_AI_OUTPUT_MESSAGES, ATTR_GEN_AI_SYSTEM_INSTRUCTIONS, ATTR_GEN_AI_TOOL_DEFINITIONS];
/** At most this many problems per rule and trace: one broken exporter must not flood the API. */
const MAX_PER_CODE = 20;

export function findProblems(spans: IngestSpan[], events: IngestEvent[]): Problem[] {
  const problems: Problem[] = [];
  const counts = new Map<ProblemCode, number>();
  const add = (problem: Problem): void => {
    const n = (counts.get(problem.code) ?? 0) + 1;
    counts.set(problem.code, n);
    if (n <= MAX_PER_CODE) problems.push(problem);
  };
  // relay issue 6298 / PR 6299: OTLP spans carry no DSC, so Relay extrapolates from `sentry.client_sample_rate` and
  // takes a span without it as sampled at 1.0. One problem per trace: it is one cause, however many spans show it.
  const otlp = spans.filter((span) => span.source === 'otlp');
  const unrated = otlp.filter((span) => typeof span.attributes[CLIENT_SAMPLE_RATE] !== 'number');
  if (unrated.length > 0) {
    add({
      code: 'span_without_client_sample_rate',
      spanId: unrated[0]!.spanId,
      message: `${unrated.length} of ${otlp.length} OTLP spans have no ${CLIENT_SAMPLE_RATE} (first: ${label(unrated[0]!)}): Sentry extrapolates them as sampled at 1.0`,
    });
  }
  for (const span of spans) {
    // a transaction's DSC must describe its own trace (develop docs, dynamic-sampling-context.mdx)
    if (span.dsc !== undefined && span.dsc.trace_id !== span.traceId) {
      add({ code: 'dsc_trace_id_mismatch', spanId: span.spanId, message: `transaction ${label(span)}: DSC trace_id ${String(span.dsc.trace_id)} ≠ its trace_id` });
    }
    const aiType = aiOperationType(span.attributes);
    if (aiType === 'ai_client' && !hasString(span.attributes[ATTR_GEN_AI_REQUEST_MODEL]) && !hasString(span.attributes[ATTR_GEN_AI_RESPONSE_MODEL])) {
      add({ code: 'ai_client_without_model', spanId: span.spanId, message: `${label(span)} is typed ai_client (an LLM call) by Relay but names no model` });
    }
    for (const key of JSON_MESSAGE_ATTRIBUTES) {
      const value = span.attributes[key];
      if (typeof value === 'string' && !parsesAsJson(value)) {
        add({ code: 'gen_ai_message_not_json', spanId: span.spanId, message: `${label(span)}: ${key} is not parsable JSON, Sentry cannot show it` });
      }
    }
  }
  for (const event of events) {
    if (!isErrorEvent(event)) continue;
    // the `trace` envelope header is the DSC: without it Relay cannot tag the error with its trace's sampling
    // decision (relay-server `processing/errors/dynamic_sampling.rs`)
    if (event.dsc === undefined) {
      add({ code: 'error_without_dsc', eventId: event.event_id, message: `error ${event.event_id.slice(0, 12)} arrived without a DSC (trace envelope header)` });
      continue;
    }
    const dscTrace = event.dsc.trace_id;
    if (event.trace_id !== undefined && dscTrace !== event.trace_id) {
      add({ code: 'dsc_trace_id_mismatch', eventId: event.event_id, message: `error ${event.event_id.slice(0, 12)}: DSC trace_id ${String(dscTrace)} ≠ contexts.trace.trace_id ${event.trace_id}` });
    }
  }
  for (const [code, n] of counts) {
    if (n > MAX_PER_CODE) problems.push({ code, message: `${n - MAX_PER_CODE} more ${code} in this trace` });
  }
  return problems;
}

/**
 * Relay's AI classification: an item is AI when it has `gen_ai.operation.type`, `gen_ai.operation.name`, or an op
 * starting `gen_ai.` / `ai.`; its type is then inferred from the operation name (or, without one, the op),
 * defaulting to `ai_client` — a `gen_ai.operation.type` sent along is overwritten, not kept
 * (getsentry/relay `relay-event-normalization/src/eap/ai.rs` `is_ai_item`, `normalize_ai_type`;
 * `src/span/ai.rs` `infer_ai_operation_type`). `undefined` when not an AI item.
 */
export function aiOperationType(attributes: Record<string, JsonValue>): string | undefined {
  const name = attributes[ATTR_GEN_AI_OPERATION_NAME];
  const op = attributes[SENTRY_OP];
  const hasName = name !== undefined && name !== null;
  const isAi = attributes[GEN_AI_OPERATION_TYPE] !== undefined || hasName || (typeof op === 'string' && (op.startsWith('gen_ai.') || op.startsWith('ai.')));
  if (!isAi) return undefined;
  // Relay reads the name if present (whatever its type), else the op; only a string is matched.
  const source = hasName ? name : op;
  return (typeof source === 'string' ? inferAiOperationType(source) : undefined) ?? 'ai_client';
}

const AGENT_OPS = new Set([
  'ai.run.generateText', 'ai.run.generateObject', 'gen_ai.invoke_agent', 'ai.pipeline.generate_text', 'ai.pipeline.generate_object',
  'ai.pipeline.stream_text', 'ai.pipeline.stream_object', 'gen_ai.create_agent', 'invoke_agent', 'create_agent',
]);

function inferAiOperationType(op: string): string | undefined {
  if (AGENT_OPS.has(op)) return 'agent';
  if (op === 'gen_ai.execute_tool' || op === 'execute_tool') return 'tool';
  if (op === 'gen_ai.handoff' || op === 'handoff') return 'handoff';
  for (const call of ['streamText', 'generateText', 'generateObject']) {
    if (op.startsWith(`ai.${call}.do`)) return 'ai_client';
    if (op.startsWith(`ai.${call}`)) return 'agent';
  }
  return op.startsWith('ai.toolCall') ? 'tool' : undefined;
}

function isErrorEvent(event: IngestEvent): boolean {
  return event.type !== undefined || event.level === 'error' || event.level === 'fatal';
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function hasString(value: JsonValue | undefined): boolean {
  return typeof value === 'string' && value !== '';
}

function label(span: IngestSpan): string {
  return `span "${span.name.slice(0, 60)}" (${span.spanId})`;
}
