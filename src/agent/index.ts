/**
 * `agent-otel-bridge/agent` — OpenTelemetry-API-only instrumentation for multi-agent LLM systems.
 *
 * Depends on `@opentelemetry/api` alone at runtime (plus semconv constants), so agent code can use it with or
 * without the bridge: spans go to whatever SDK is registered, and cost next to nothing when none is.
 * Reference and examples: docs/agent.md.
 */
export { aiRequest, isInAiRequest, startAiRequest } from './ai-request.js';
export type { AiOperation, AiRequestHandle, AiRequestOptions, AiRequestSpan, TokenUsage } from './ai-request.js';
export { isInMemoryOperation, memoryOperation } from './memory.js';
export type { MemoryOperation, MemoryOperationOptions, MemorySpan } from './memory.js';
export { receiveFromAgent, sendToAgent } from './communication.js';
export type { CommunicationSpan, ReceiveFromAgentOptions, SendToAgentOptions } from './communication.js';
export { invokeAgent } from './invocation.js';
export type { AgentInvocationSpan, InvokeAgentOptions } from './invocation.js';
export { executeTool } from './tool.js';
export type { ExecuteToolOptions, ToolSpan } from './tool.js';
export { extractContext, injectContext, MESSAGE_CARRIER_FIELD } from './carrier.js';
export { getCurrentAgent } from './agent-context.js';
export type { AgentIdentity } from './agent-context.js';
export {
  CONTENT_MAX_LENGTH,
  CONTENT_TRUNCATION_MARKER,
  isCaptureMessageContentEnabled,
  setCaptureMessageContent,
} from './content.js';
export { errorType } from './errors.js';
export type { AgentSpan, ManualSpan } from './span-handle.js';
export * from './attributes.js';
