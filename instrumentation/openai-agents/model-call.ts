/**
 * What the `openai` instrumentation and the Agents SDK trace processor share about an Agents SDK model call,
 * without importing either side's code.
 */
import type { Context } from '@opentelemetry/api';

/** The mirror (./trace-processor.ts) of an SDK `response` / `generation` span, as the model client sees it. */
export interface AgentsSdkModelCallMirror {
  /** The OpenTelemetry context whose active span is the mirrored chat span. */
  readonly context: Context;
  /** The model the client was asked for: the span's model when the SDK's span data names none. */
  noteRequestModel(model: string): void;
  /** The client's error for a failed call: the SDK keeps only a message, a generic one when it traces no data. */
  noteFailure(err: unknown): void;
}

/**
 * SDK span object → its mirror, while it is open. Keyed by the object the SDK keeps in its context store: a
 * WeakMap, so nothing here outlives the SDK's own span.
 */
const mirrors = new WeakMap<object, AgentsSdkModelCallMirror>();

export function registerAgentsSdkModelCall(sdkSpan: object, mirror: AgentsSdkModelCallMirror): void {
  mirrors.set(sdkSpan, mirror);
}

export function forgetAgentsSdkModelCall(sdkSpan: object): void {
  mirrors.delete(sdkSpan);
}

/**
 * Whether the caller runs inside an OpenAI Agents SDK model call (its current span a `response` or `generation`
 * span), which the trace processor already mirrors as a chat span: an instrumentation of the model client (the
 * `openai` one) can skip its own span there instead of counting the call twice. Reads the SDK's context store,
 * shared by every copy of agents-core under `Symbol.for('openai.agents.core.asyncLocalStorage')` (agents-core
 * tracing/context.mjs): three property reads, no SDK import; false whenever anything is missing or throws.
 */
export function isInAgentsSdkModelCall(): boolean {
  return currentModelCallSpan() !== undefined;
}

/**
 * The mirror of the Agents SDK model call the caller runs in, if the trace processor mirrors it (it does not when
 * the instrumentation is disabled, or once it pushed the span out of its bounds). The SDK runs the model client in its
 * own context store, not in OpenTelemetry's: run under this mirror's context, the client's HTTP spans become
 * children of the chat span instead of the span that was active when the run started.
 */
export function agentsSdkModelCallMirror(): AgentsSdkModelCallMirror | undefined {
  const span = currentModelCallSpan();
  return span === undefined ? undefined : mirrors.get(span);
}

function currentModelCallSpan(): object | undefined {
  try {
    const storage = (globalThis as Record<symbol, unknown>)[AGENTS_CONTEXT_STORAGE] as { getStore?: () => unknown } | undefined;
    const store = typeof storage?.getStore === 'function' ? (storage.getStore() as { active?: unknown; span?: { spanData?: { type?: unknown } } } | undefined) : undefined;
    if (store?.active !== true) return undefined;
    const span = store.span;
    const type = span?.spanData?.type;
    return (type === 'response' || type === 'generation') && typeof span === 'object' ? span : undefined;
  } catch {
    return undefined;
  }
}

const AGENTS_CONTEXT_STORAGE = Symbol.for('openai.agents.core.asyncLocalStorage');
