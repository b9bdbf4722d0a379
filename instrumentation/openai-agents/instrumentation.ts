/**
 * Adds the bridge's trace processor (./trace-processor.ts) to the OpenAI Agents SDK when the application loads it.
 *
 * Hooked on `@openai/agents-core` (what `@openai/agents` re-exports; both CommonJS and ESM builds share one global
 * trace provider, `Symbol.for('openai.agents.core.traceProvider')` in agents-core tracing/provider.mjs), so nothing
 * of the SDK is imported by the bridge and a process that never loads it pays only for the hook registration.
 *
 * Adds, never replaces: the SDK's own processors (by default the exporter to OpenAI's traces endpoint, installed by
 * `@openai/agents` with `setTraceProcessors` right after agents-core loads) and any the user sets keep running.
 * `setTraceProcessors` replaces the whole list, so the provider's `setProcessors` is wrapped to keep this processor
 * in any list it is given — first, because the SDK awaits processors one after another and the first one sees each
 * span start synchronously, in the run's own context. `setTracingDisabled(true)` (or OPENAI_AGENTS_DISABLE_TRACING)
 * makes the SDK create no spans at all, so this processor sees none and mirrors none — as does `NODE_ENV=test`,
 * under which the SDK disables its tracing by default (agents-core config.mjs `tracing.disabled`).
 */
import { InstrumentationBase, InstrumentationNodeModuleDefinition, type InstrumentationConfig } from '@opentelemetry/instrumentation';
import { warnOnce } from '../../src/log.js';
import { markSignalObserversBySource } from '../signal-observers.js';
import { isInAgentsSdkModelCall, OPENAI_AGENTS_INSTRUMENTATION, OpenAiAgentsTraceProcessor, type AgentsTracingProcessor } from './trace-processor.js';

/** Versions whose tracing API was read for this mapping (agents-core 0.20); older 0.x share it. */
const SUPPORTED_VERSIONS = ['>=0.1.0 <1'];
const VERSION = '0.1.0';

/** The part of agents-core's TraceProvider this uses (tracing/provider.d.ts). */
interface TraceProviderLike {
  registerProcessor(processor: AgentsTracingProcessor): void;
  setProcessors(processors: AgentsTracingProcessor[]): void;
}

interface AgentsCoreExports {
  getGlobalTraceProvider?: () => TraceProviderLike;
}

export class OpenAiAgentsInstrumentation extends InstrumentationBase {
  /** One processor for the process: the SDK's provider is global, whichever build (CJS/ESM) loads first. */
  readonly processor = new OpenAiAgentsTraceProcessor({ tracer: () => this.tracer });
  private readonly providers = new WeakSet<object>();

  constructor(config: InstrumentationConfig = {}) {
    super(`agent-otel-bridge/instrumentation-${OPENAI_AGENTS_INSTRUMENTATION}`, VERSION, config);
  }

  protected init(): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      '@openai/agents-core',
      SUPPORTED_VERSIONS,
      (exports: AgentsCoreExports) => {
        this.attach(exports);
        return exports;
      },
      () => {
        this.processor.enabled = false;
      },
    );
  }

  private attach(exports: AgentsCoreExports): void {
    this.processor.enabled = true;
    try {
      const provider = exports.getGlobalTraceProvider?.();
      markAgentsSdkSignalListeners();
      if (provider === undefined || this.providers.has(provider)) return;
      this.providers.add(provider);
      const processor = this.processor;
      const original = provider.setProcessors;
      // An own property shadowing the prototype's method: other providers are untouched.
      provider.setProcessors = function setProcessors(this: unknown, processors: AgentsTracingProcessor[]) {
        const list = Array.isArray(processors) ? processors.filter((p) => p !== processor) : [];
        return original.call(this, [processor, ...list]);
      };
      provider.registerProcessor(processor);
    } catch (err) {
      warnOnce('openai-agents-attach', `OpenAI Agents SDK tracing could not be observed (${String(err)}); its runs are not traced`);
    }
  }
}

/**
 * The provider, created while agents-core loads, has installed SIGTERM / SIGINT listeners that end the process
 * only when they are alone (agents-core 0.20 tracing/provider.mjs `#addCleanupListeners`: `process.exit(0)` unless
 * `hasOtherListenersForSignals`): observers, not the application's handlers, to the bridge's shutdown
 * (../signal-observers.ts). They are closures, recognised by that helper's name in their source; a version
 * without it keeps them counted as the application's (the bridge then only flushes and never ends the process).
 */
function markAgentsSdkSignalListeners(): void {
  markSignalObserversBySource((source) => source.includes('hasOtherListenersForSignals('));
}

/** The instrumentation the preload registers (unless OTEL_NODE_DISABLED_INSTRUMENTATIONS names `openai-agents`). */
export function createOpenAiAgentsInstrumentation(config: InstrumentationConfig = {}): OpenAiAgentsInstrumentation {
  return new OpenAiAgentsInstrumentation(config);
}

export { isInAgentsSdkModelCall, OPENAI_AGENTS_INSTRUMENTATION };
