/**
 * Relay's AI classification of a span, transcribed from getsentry/relay (commit 04ed56b3):
 *  - relay-event-normalization/src/eap/ai.rs `is_ai_item`: an AI item has `gen_ai.operation.type`, or
 *    `gen_ai.operation.name`, or an op (`sentry.op`) starting with `gen_ai.` or `ai.`;
 *  - `normalize_ai_type`: its `gen_ai.operation.type` is inferred from `gen_ai.operation.name`, else the op,
 *    by relay-event-normalization/src/span/ai.rs `infer_ai_operation_type`, defaulting to `ai_client` (an LLM call).
 * Returns undefined for a span that is not an AI item.
 */
import type { Attributes } from '@opentelemetry/api';

export type RelayAiType = 'agent' | 'tool' | 'handoff' | 'ai_client';

export function relayAiType(attributes: Attributes): RelayAiType | undefined {
  const name = attributes['gen_ai.operation.name'];
  const op = attributes['sentry.op'];
  const isAiItem =
    attributes['gen_ai.operation.type'] !== undefined ||
    name !== undefined ||
    (typeof op === 'string' && (op.startsWith('gen_ai.') || op.startsWith('ai.')));
  if (!isAiItem) return undefined;
  const from = typeof name === 'string' ? name : typeof op === 'string' ? op : undefined;
  return (from === undefined ? undefined : inferAiOperationType(from)) ?? 'ai_client';
}

function inferAiOperationType(op: string): RelayAiType | undefined {
  switch (op) {
    case 'ai.run.generateText':
    case 'ai.run.generateObject':
    case 'gen_ai.invoke_agent':
    case 'ai.pipeline.generate_text':
    case 'ai.pipeline.generate_object':
    case 'ai.pipeline.stream_text':
    case 'ai.pipeline.stream_object':
    case 'gen_ai.create_agent':
    case 'invoke_agent':
    case 'create_agent':
      return 'agent';
    case 'gen_ai.execute_tool':
    case 'execute_tool':
      return 'tool';
    case 'gen_ai.handoff':
    case 'handoff':
      return 'handoff';
  }
  if (op.startsWith('ai.streamText.doStream')) return 'ai_client';
  if (op.startsWith('ai.streamText')) return 'agent';
  if (op.startsWith('ai.generateText.doGenerate')) return 'ai_client';
  if (op.startsWith('ai.generateText')) return 'agent';
  if (op.startsWith('ai.generateObject.doGenerate')) return 'ai_client';
  if (op.startsWith('ai.generateObject')) return 'agent';
  if (op.startsWith('ai.toolCall')) return 'tool';
  return undefined;
}
