/**
 * Project-specific span attribute names and values used by the agent helpers (docs/agent.md).
 *
 * This is the single source of these strings: the span-metrics processor, the sampler, the Sentry error
 * processor and the dashboards code import them from here instead of retyping them. Everything that has an
 * OpenTelemetry semantic-convention constant (gen_ai.*, messaging.*, error.type, …) is NOT repeated here — use
 * `@opentelemetry/semantic-conventions` (stable) / ./semconv-incubating.ts (the incubating ones, copied) for those.
 */

/** Classifies every helper span, so processors never guess from span names. One of `AGENT_SPAN_TYPES`. */
export const ATTR_AGENT_SPAN_TYPE = 'agent.span.type' as const;

export const AGENT_SPAN_TYPE_VALUE_AI_REQUEST = 'ai.request' as const;
export const AGENT_SPAN_TYPE_VALUE_MEMORY_OPERATION = 'memory.operation' as const;
export const AGENT_SPAN_TYPE_VALUE_AGENT_COMMUNICATION = 'agent.communication' as const;
export const AGENT_SPAN_TYPE_VALUE_AGENT_INVOCATION = 'agent.invocation' as const;
export const AGENT_SPAN_TYPE_VALUE_TOOL_EXECUTION = 'tool.execution' as const;

export const AGENT_SPAN_TYPES = [
  AGENT_SPAN_TYPE_VALUE_AI_REQUEST,
  AGENT_SPAN_TYPE_VALUE_MEMORY_OPERATION,
  AGENT_SPAN_TYPE_VALUE_AGENT_COMMUNICATION,
  AGENT_SPAN_TYPE_VALUE_AGENT_INVOCATION,
  AGENT_SPAN_TYPE_VALUE_TOOL_EXECUTION,
] as const;
export type AgentSpanType = (typeof AGENT_SPAN_TYPES)[number];

/** Memory operation: `search` | `get` | `put` | `delete` (or a custom, low-cardinality verb). */
export const ATTR_AGENT_MEMORY_OPERATION = 'agent.memory.operation' as const;
/** Logical memory store name, e.g. `notes`, `vector-db` (low cardinality: it is a metric label). */
export const ATTR_AGENT_MEMORY_STORE = 'agent.memory.store' as const;
/** Number of results a read returned; 0 = miss. Feeds `agent_memory_results`. */
export const ATTR_AGENT_MEMORY_RESULT_COUNT = 'agent.memory.result_count' as const;
/** Memory contents written (put) or read (get/search). Content: only with capture enabled, truncated. */
export const ATTR_AGENT_MEMORY_CONTENT = 'agent.memory.content' as const;

export const AGENT_MEMORY_OPERATION_VALUE_SEARCH = 'search' as const;
export const AGENT_MEMORY_OPERATION_VALUE_GET = 'get' as const;
export const AGENT_MEMORY_OPERATION_VALUE_PUT = 'put' as const;
export const AGENT_MEMORY_OPERATION_VALUE_DELETE = 'delete' as const;

/**
 * Sentry conventions for memory operations (getsentry/sentry-conventions model/attributes/gen_ai/
 * gen_ai__memory__store__id.json, gen_ai__memory__query__text.json); not yet in @opentelemetry/semantic-conventions.
 */
export const ATTR_GEN_AI_MEMORY_STORE_ID = 'gen_ai.memory.store.id' as const;
/** The search query of a memory read. Content: only with capture enabled, truncated. */
export const ATTR_GEN_AI_MEMORY_QUERY_TEXT = 'gen_ai.memory.query.text' as const;

/**
 * The tenant an operation runs for. OpenTelemetry semantic conventions have no tenant attribute yet, so the bridge
 * names it like semconv names other entities' ids (`user.id`, `session.id`). Put it in baggage at the edge and the
 * bridge copies it onto every span of the trace and tags Sentry error events with it (docs/sentry.md, Context).
 */
export const ATTR_TENANT_ID = 'tenant.id' as const;

/** Sending agent of an agent-to-agent message. */
export const ATTR_AGENT_COMMUNICATION_SOURCE = 'agent.communication.source' as const;
/** Receiving agent of an agent-to-agent message. */
export const ATTR_AGENT_COMMUNICATION_TARGET = 'agent.communication.target' as const;

/**
 * Sentry's span operation. Sentry's OTLP ingestion (Relay) takes the span `op` from this attribute; the
 * AI Agents insight keys on `gen_ai.*` ops and the Queues insight on `queue.publish` / `queue.process`.
 */
export const ATTR_SENTRY_OP = 'sentry.op' as const;

export const SENTRY_OP_QUEUE_PUBLISH = 'queue.publish' as const;
export const SENTRY_OP_QUEUE_PROCESS = 'queue.process' as const;
export const SENTRY_OP_GEN_AI_INVOKE_AGENT = 'gen_ai.invoke_agent' as const;
export const SENTRY_OP_GEN_AI_EXECUTE_TOOL = 'gen_ai.execute_tool' as const;
/** Prefix of the ai.request op: `gen_ai.{gen_ai.operation.name}`, e.g. `gen_ai.chat`. */
export const SENTRY_OP_GEN_AI_PREFIX = 'gen_ai.' as const;
/** Prefix of the memory op: `memory.{agent.memory.operation}`, e.g. `memory.search`. */
export const SENTRY_OP_MEMORY_PREFIX = 'memory.' as const;

/**
 * Time a message waited between send and process, in milliseconds. Sentry Queues convention (no OTel
 * semconv attribute exists); set on `queue.process` spans when the sender's timestamp is in the carrier.
 */
export const ATTR_MESSAGING_MESSAGE_RECEIVE_LATENCY = 'messaging.message.receive.latency' as const;
