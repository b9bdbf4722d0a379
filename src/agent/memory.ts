/**
 * `memoryOperation` — a read or write of agent memory (agent.span.type `memory.operation`): span
 * `memory.{operation} {store}`, kind CLIENT, sentry.op `memory.{operation}`, the store in Sentry's
 * `gen_ai.memory.store.id`. The result count of a read feeds the `agent_memory_results` histogram (0 = miss).
 *
 * No `gen_ai.operation.name`: Relay treats every span carrying one (or a `gen_ai.` / `ai.` op) as an AI item and
 * types a name it does not know — the memory names of sentry-conventions included — `ai_client`, an LLM call
 * (getsentry/relay relay-event-normalization/src/eap/ai.rs `is_ai_item`, `normalize_ai_type`; span/ai.rs
 * `infer_ai_operation_type`). Memory searches would be counted as model calls without a model.
 */
import { context, createContextKey, SpanKind, type Attributes, type Context, type Span } from '@opentelemetry/api';
import {
  AGENT_MEMORY_OPERATION_VALUE_GET,
  AGENT_MEMORY_OPERATION_VALUE_SEARCH,
  AGENT_SPAN_TYPE_VALUE_MEMORY_OPERATION,
  ATTR_AGENT_MEMORY_CONTENT,
  ATTR_AGENT_MEMORY_OPERATION,
  ATTR_AGENT_MEMORY_RESULT_COUNT,
  ATTR_AGENT_MEMORY_STORE,
  ATTR_AGENT_SPAN_TYPE,
  ATTR_GEN_AI_MEMORY_QUERY_TEXT,
  ATTR_GEN_AI_MEMORY_STORE_ID,
  ATTR_SENTRY_OP,
  SENTRY_OP_MEMORY_PREFIX,
} from './attributes.js';
import { getCurrentAgent, setAgentAttributes } from './agent-context.js';
import { count, identifier, prop, readFields } from './internal.js';
import { runInSpan, SpanHandle, startSpan, type AgentSpan, type SpanPlan } from './span-handle.js';

export type MemoryOperation = 'search' | 'get' | 'put' | 'delete' | (string & {});

export interface MemoryOperationOptions {
  /** search | get | put | delete (custom verbs allowed; low cardinality). */
  operation: MemoryOperation;
  /** Logical store name, e.g. `notes` (a metric label: low cardinality). */
  store: string;
  /** gen_ai.memory.store.id (e.g. a collection or index id); defaults to `store`. */
  dataSourceId?: string;
  /** Query text of a search/get (content capture only → gen_ai.memory.query.text). */
  query?: string;
  /** Contents written by a put (content capture only → agent.memory.content). */
  content?: unknown;
}

export interface MemorySpan extends AgentSpan {
  /** agent.memory.result_count; explicit values win over what the return value implies. */
  recordResultCount(count: number): this;
  /** Memory contents (content capture only). */
  recordContent(content: unknown): this;
}

const RESULT_LIST_KEYS = ['results', 'documents', 'matches', 'items', 'records'];

class MemorySpanImpl extends SpanHandle implements MemorySpan {
  private countSet = false;
  private contentSet = false;

  private readonly isRead: boolean;
  private readonly operation: string;

  constructor(span: Span, ctx: Context, isRead: boolean, operation: string) {
    super(span, ctx);
    this.isRead = isRead;
    this.operation = operation;
  }

  recordResultCount(value: number): this {
    const n = count(value);
    if (n !== undefined) {
      this.countSet = true;
      this.setAttribute(ATTR_AGENT_MEMORY_RESULT_COUNT, Math.floor(n));
    }
    return this;
  }

  recordContent(content: unknown): this {
    this.contentSet = true;
    this.setContent(ATTR_AGENT_MEMORY_CONTENT, content);
    return this;
  }

  /** Query text (content capture only). */
  recordQuery(query: unknown): void {
    this.setContent(ATTR_GEN_AI_MEMORY_QUERY_TEXT, query);
  }

  protected override harvest(result: unknown): void {
    if (!this.isRead) return;
    if (!this.countSet) {
      const n = resultCount(this.operation, result);
      if (n !== undefined) this.setAttribute(ATTR_AGENT_MEMORY_RESULT_COUNT, n);
    }
    if (!this.contentSet) this.setContent(ATTR_AGENT_MEMORY_CONTENT, result);
  }
}

/**
 * How many results a read returned: an array's length; `{ results | documents | matches | items | records: [] }`;
 * a numeric `count` / `total`; `null` → 0; for `get`, found (1) or not (0 for `undefined` / `null`).
 */
function resultCount(operation: string, result: unknown): number | undefined {
  if (Array.isArray(result)) return result.length;
  for (const key of RESULT_LIST_KEYS) {
    const list = prop(result, key);
    if (Array.isArray(list)) return list.length;
  }
  const explicit = count(prop(result, 'count')) ?? count(prop(result, 'total'));
  if (explicit !== undefined) return Math.floor(explicit);
  if (operation === AGENT_MEMORY_OPERATION_VALUE_GET) return result === undefined || result === null ? 0 : 1;
  if (result === null) return 0;
  return undefined; // e.g. a search callback that returns nothing: unknown, not a miss
}

const FIELDS = ['operation', 'store', 'dataSourceId', 'query', 'content'] as const;

/** Marks the context of a memory.operation span (see `isInMemoryOperation`). */
const MEMORY_OPERATION_KEY = createContextKey('agent-otel-bridge.memory_operation');

/**
 * Whether `ctx` (default: the active context) is inside a `memoryOperation` callback. A store client's
 * instrumentation (Redis commands, src/agent/memory-client.ts) does not count its commands as memory operations
 * there: the caller's `memoryOperation` already does, and one logical read would be counted twice.
 */
export function isInMemoryOperation(ctx: Context = context.active()): boolean {
  return ctx.getValue(MEMORY_OPERATION_KEY) === true;
}

/**
 * Trace a memory read or write. Reads harvest `agent.memory.result_count` from the return value
 * (see `recordResultCount` to set it yourself).
 *
 * @example
 * const hits = await memoryOperation({ operation: 'search', store: 'notes', query }, () => notes.search(query));
 */
export function memoryOperation<T>(options: MemoryOperationOptions, fn: (span: MemorySpan) => T): T {
  let operation = 'unknown';
  let isRead = false;
  let query: unknown;
  let content: unknown;
  const handle = startSpan(
    (active) => readFields<MemoryOperationOptions, SpanPlan>(options, FIELDS, (o) => {
      operation = identifier(o.operation) ?? 'unknown';
      isRead = operation === AGENT_MEMORY_OPERATION_VALUE_SEARCH || operation === AGENT_MEMORY_OPERATION_VALUE_GET;
      query = o.query;
      content = o.content;
      const store = identifier(o.store);
      const agent = getCurrentAgent(active);
      return {
        name: store === undefined ? `memory.${operation}` : `memory.${operation} ${store}`,
        kind: SpanKind.CLIENT,
        attributes: () => readFields<MemoryOperationOptions, Attributes>(o, FIELDS, (a) => {
          const storeId = identifier(a.dataSourceId) ?? store;
          const attributes: Attributes = {
            [ATTR_AGENT_SPAN_TYPE]: AGENT_SPAN_TYPE_VALUE_MEMORY_OPERATION,
            [ATTR_SENTRY_OP]: SENTRY_OP_MEMORY_PREFIX + operation,
            [ATTR_AGENT_MEMORY_OPERATION]: operation,
          };
          if (store !== undefined) attributes[ATTR_AGENT_MEMORY_STORE] = store;
          if (storeId !== undefined) attributes[ATTR_GEN_AI_MEMORY_STORE_ID] = storeId;
          setAgentAttributes(attributes, agent);
          return attributes;
        }),
      };
    }),
    (span, ctx) => new MemorySpanImpl(span, ctx.setValue(MEMORY_OPERATION_KEY, true), isRead, operation),
  );
  if (query !== undefined) handle.recordQuery(query);
  if (content !== undefined) handle.recordContent(content);
  return runInSpan(handle, fn);
}
