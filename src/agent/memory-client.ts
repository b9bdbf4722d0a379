/**
 * A store client's span (a Redis command, …) as an agent memory operation — what `memoryOperation` would have
 * made — when, and only when, it runs for an agent: inside `invokeAgent` (the current agent of
 * src/agent/agent-context.ts) and not already inside the caller's own `memoryOperation` (which counts the logical
 * operation once). Outside an agent the span stays an ordinary database client span: a web app's cache GETs are
 * not "agent memory", and feed no `agent_memory_*` series.
 *
 * The span keeps its database identity (name, `db.*` attributes, Sentry's `db` op inferred from `db.system.name`);
 * it gains the hint `agent.span.type = memory.operation`, `agent.memory.operation`, `agent.memory.store` and the
 * agent's name/id/conversation, so span metrics (src/processors/span-metrics.ts) and the trace breadcrumbs
 * classify it like a helper-made memory span. Set after the span started: a sampling rule on
 * `spanType: memory.operation` does not see it (the sampler decides on start attributes).
 */
import { context, type Context, type Span } from '@opentelemetry/api';
import { ATTR_GEN_AI_AGENT_ID, ATTR_GEN_AI_AGENT_NAME, ATTR_GEN_AI_CONVERSATION_ID } from './semconv-incubating.js';
import {
  AGENT_SPAN_TYPE_VALUE_MEMORY_OPERATION,
  ATTR_AGENT_MEMORY_OPERATION,
  ATTR_AGENT_MEMORY_RESULT_COUNT,
  ATTR_AGENT_MEMORY_STORE,
  ATTR_AGENT_SPAN_TYPE,
} from './attributes.js';
import { getCurrentAgent } from './agent-context.js';
import { isInMemoryOperation, type MemoryOperation } from './memory.js';
import { compact } from './internal.js';

/**
 * Tag `span` as a memory operation of the current agent. `operation` and `store` must come from a fixed table
 * (they are metric labels), never from keys or values. Returns whether the span was tagged.
 */
export function markMemoryClientSpan(span: Span, operation: MemoryOperation, store: string, ctx: Context = context.active()): boolean {
  const agent = getCurrentAgent(ctx);
  if (agent === undefined || isInMemoryOperation(ctx)) return false;
  span.setAttributes(
    compact({
      [ATTR_AGENT_SPAN_TYPE]: AGENT_SPAN_TYPE_VALUE_MEMORY_OPERATION,
      [ATTR_AGENT_MEMORY_OPERATION]: operation,
      [ATTR_AGENT_MEMORY_STORE]: store,
      [ATTR_GEN_AI_AGENT_NAME]: agent.name,
      [ATTR_GEN_AI_AGENT_ID]: agent.id,
      [ATTR_GEN_AI_CONVERSATION_ID]: agent.conversationId,
    }),
  );
  return true;
}

/** `agent.memory.result_count` of a tagged read (0 = miss; feeds `agent_memory_results`). */
export function recordMemoryResultCount(span: Span, resultCount: number): void {
  if (Number.isInteger(resultCount) && resultCount >= 0) span.setAttribute(ATTR_AGENT_MEMORY_RESULT_COUNT, resultCount);
}
