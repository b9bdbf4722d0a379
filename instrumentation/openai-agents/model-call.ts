/**
 * The one fact the `openai` instrumentation needs from the Agents SDK, without importing either side's code.
 */
/**
 * Whether the caller runs inside an OpenAI Agents SDK model call (its current span a `response` or `generation`
 * span), which this processor already mirrors as a chat span: an instrumentation of the model client (the `openai`
 * one) can skip its own span there instead of counting the call twice. Reads the SDK's context store, shared by
 * every copy of agents-core under `Symbol.for('openai.agents.core.asyncLocalStorage')` (agents-core
 * tracing/context.mjs): three property reads, no SDK import; false whenever anything is missing or throws.
 */
export function isInAgentsSdkModelCall(): boolean {
  try {
    const storage = (globalThis as Record<symbol, unknown>)[AGENTS_CONTEXT_STORAGE] as { getStore?: () => unknown } | undefined;
    const store = typeof storage?.getStore === 'function' ? (storage.getStore() as { active?: unknown; span?: { spanData?: { type?: unknown } } } | undefined) : undefined;
    if (store?.active !== true) return false;
    const type = store.span?.spanData?.type;
    return type === 'response' || type === 'generation';
  } catch {
    return false;
  }
}

const AGENTS_CONTEXT_STORAGE = Symbol.for('openai.agents.core.asyncLocalStorage');
