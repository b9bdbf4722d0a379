/**
 * An `openai` request body → the options of the GenAI span `aiRequest` would make for it (src/agent/ai-request.ts),
 * so a call traced by the instrumentation and the same call wrapped in `aiRequest` carry the same name, kind,
 * attributes and `sentry.op`.
 *
 * Operation names follow the GenAI semconv for OpenAI (open-telemetry/semantic-conventions
 * docs/gen-ai/openai.md): Chat Completions and the Responses API are `chat`, embeddings are `embeddings`.
 * Provider: `openai`, or `azure.ai.openai` for the SDK's `AzureOpenAI` client (same document).
 */
import {
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS,
  GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI,
  GEN_AI_PROVIDER_NAME_VALUE_OPENAI,
} from '../../src/agent/semconv-incubating.js';
import type { AiRequestOptions } from '../../src/agent/ai-request.js';

/** The `create` methods traced, each with how its body reads. */
export type OpenAiEndpoint = 'chat.completions' | 'responses' | 'embeddings';

/** Own property of a caller's body, tolerating throwing getters and proxies. */
function field(body: unknown, key: string): unknown {
  if (typeof body !== 'object' || body === null) return undefined;
  try {
    return (body as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}

function number(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** `this` of a resource method is the resource; its `_client` is the `OpenAI` (or `AzureOpenAI`) instance. */
export function providerOf(resource: unknown): string {
  const client = field(resource, '_client');
  const name = typeof client === 'object' && client !== null ? (client.constructor as { name?: unknown } | undefined)?.name : undefined;
  return name === 'AzureOpenAI' ? GEN_AI_PROVIDER_NAME_VALUE_AZURE_AI_OPENAI : GEN_AI_PROVIDER_NAME_VALUE_OPENAI;
}

/** Whether the body asks for a server-sent event stream (`stream: true`). */
export function isStreamRequest(body: unknown): boolean {
  return field(body, 'stream') === true;
}

/** The request's `model`, when it is a string. */
export function requestModelOf(body: unknown): string | undefined {
  const model = field(body, 'model');
  return typeof model === 'string' ? model : undefined;
}

export function requestOptions(endpoint: OpenAiEndpoint, body: unknown, provider: string): AiRequestOptions {
  const common = { provider, model: requestModelOf(body) };
  if (endpoint === 'embeddings') return { ...common, operation: GEN_AI_OPERATION_NAME_VALUE_EMBEDDINGS, input: field(body, 'input') };
  const stream = field(body, 'stream');
  return {
    ...common,
    operation: GEN_AI_OPERATION_NAME_VALUE_CHAT,
    temperature: number(field(body, 'temperature')),
    topP: number(field(body, 'top_p')),
    maxTokens:
      endpoint === 'responses'
        ? number(field(body, 'max_output_tokens'))
        : (number(field(body, 'max_completion_tokens')) ?? number(field(body, 'max_tokens'))),
    stream: typeof stream === 'boolean' ? stream : undefined,
    input: endpoint === 'responses' ? field(body, 'input') : field(body, 'messages'),
  };
}
