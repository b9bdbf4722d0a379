/**
 * Reads what an LLM call returned — token usage, response model and id, finish reasons, output messages —
 * from the usual provider shapes, so `aiRequest(opts, () => client.chat(...))` needs no manual recording:
 *
 * - usage: `usage.{input_tokens,output_tokens}` (Anthropic, OpenAI Responses), `usage.{inputTokens,outputTokens}`
 *   (Vercel AI SDK), `usage.{prompt_tokens,completion_tokens}` (OpenAI Chat), `usageMetadata.{promptTokenCount,
 *   candidatesTokenCount + thoughtsTokenCount}` (Gemini); cache read/creation and reasoning tokens where reported;
 * - model `model`, id `id`; finish reasons `finish_reasons` / `finishReasons` / `finish_reason` / `finishReason` /
 *   `stop_reason` / `choices[].finish_reason` / `candidates[].finishReason`;
 * - output: `choices[].message` (OpenAI Chat), `content` blocks (Anthropic), `text` / `output_text`, or a string.
 *
 * Everything is optional and defensive: unknown shapes yield nothing, never an error.
 */
import { count, identifier, isRecord, prop } from './internal.js';

export interface TokenUsage {
  /** gen_ai.usage.input_tokens — all input tokens, cached ones included. */
  input?: number | undefined;
  /** gen_ai.usage.output_tokens — all output tokens, reasoning included. */
  output?: number | undefined;
  /** gen_ai.usage.cache_read.input_tokens */
  cacheRead?: number | undefined;
  /** gen_ai.usage.cache_creation.input_tokens */
  cacheCreation?: number | undefined;
  /** gen_ai.usage.reasoning.output_tokens */
  reasoning?: number | undefined;
}

export interface AiResultFacts {
  usage?: TokenUsage;
  model?: string;
  id?: string;
  finishReasons?: string[];
}

const MAX_FINISH_REASONS = 16;

export function readAiResult(result: unknown): AiResultFacts {
  const facts: AiResultFacts = {};
  if (!isRecord(result)) return facts;
  const usage = readUsage(prop(result, 'usage') ?? prop(result, 'usageMetadata'));
  if (usage !== undefined) facts.usage = usage;
  const model = identifier(prop(result, 'model'));
  if (model !== undefined) facts.model = model;
  const id = identifier(prop(result, 'id'));
  if (id !== undefined) facts.id = id;
  const reasons = readFinishReasons(result);
  if (reasons !== undefined) facts.finishReasons = reasons;
  return facts;
}

/** Each count's names across providers, in order of preference (constants: no key list per call). */
const INPUT_KEYS = ['input_tokens', 'inputTokens', 'prompt_tokens', 'promptTokens', 'promptTokenCount'];
const OUTPUT_KEYS = ['output_tokens', 'outputTokens', 'completion_tokens', 'completionTokens'];
const CACHE_READ_KEYS = ['cacheReadInputTokens', 'cachedInputTokens', 'cachedContentTokenCount'];
const CACHE_CREATION_KEYS = ['cacheCreationInputTokens'];
const REASONING_KEYS = ['reasoningTokens'];

/** The first of `keys` whose value in `usage` is a count. */
function pick(usage: unknown, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const value = count(prop(usage, key));
    if (value !== undefined) return value;
  }
  return undefined;
}

export function readUsage(usage: unknown): TokenUsage | undefined {
  if (!isRecord(usage)) return undefined;
  let input = pick(usage, INPUT_KEYS);
  let output = pick(usage, OUTPUT_KEYS);
  // Gemini: candidatesTokenCount leaves out thoughtsTokenCount, which is billed as output; the semconv output
  // total includes reasoning tokens, so both are added (ai.google.dev API reference, UsageMetadata).
  const geminiThoughts = count(prop(usage, 'thoughtsTokenCount'));
  if (output === undefined) {
    const candidates = count(prop(usage, 'candidatesTokenCount'));
    output = candidates === undefined ? undefined : candidates + (geminiThoughts ?? 0);
  }
  const anthropicCacheRead = count(prop(usage, 'cache_read_input_tokens'));
  const anthropicCacheCreation = count(prop(usage, 'cache_creation_input_tokens'));
  const cacheRead =
    anthropicCacheRead ??
    pick(usage, CACHE_READ_KEYS) ??
    count(prop(prop(usage, 'prompt_tokens_details'), 'cached_tokens')) ??
    count(prop(prop(usage, 'input_tokens_details'), 'cached_tokens'));
  const cacheCreation = anthropicCacheCreation ?? pick(usage, CACHE_CREATION_KEYS);
  const reasoning =
    pick(usage, REASONING_KEYS) ??
    count(prop(prop(usage, 'completion_tokens_details'), 'reasoning_tokens')) ??
    count(prop(prop(usage, 'output_tokens_details'), 'reasoning_tokens')) ??
    geminiThoughts;
  // Anthropic's input_tokens excludes cache reads and writes; the semconv total includes them.
  if (input !== undefined && typeof prop(usage, 'input_tokens') === 'number') {
    input += (anthropicCacheRead ?? 0) + (anthropicCacheCreation ?? 0);
  }
  if (input === undefined && output === undefined && cacheRead === undefined && cacheCreation === undefined && reasoning === undefined) {
    return undefined;
  }
  return { input, output, cacheRead, cacheCreation, reasoning };
}

export function readFinishReasons(result: unknown): string[] | undefined {
  const reasons: string[] = [];
  const add = (value: unknown): void => {
    const reason = identifier(value);
    if (reason !== undefined && reasons.length < MAX_FINISH_REASONS) reasons.push(reason);
  };
  for (const key of ['finish_reasons', 'finishReasons']) {
    const list = prop(result, key);
    if (Array.isArray(list)) list.forEach(add);
  }
  for (const key of ['finish_reason', 'finishReason', 'stop_reason', 'stopReason']) add(prop(result, key));
  const choices = prop(result, 'choices');
  if (Array.isArray(choices)) for (const choice of choices) add(prop(choice, 'finish_reason') ?? prop(choice, 'finishReason'));
  const candidates = prop(result, 'candidates');
  if (Array.isArray(candidates)) for (const candidate of candidates) add(prop(candidate, 'finishReason'));
  return reasons.length > 0 ? reasons : undefined;
}

/** A semconv message: `{ role, parts: [{ type: 'text', content }], finish_reason? }`. */
interface SemconvMessage {
  role: string;
  parts: unknown[];
  finish_reason?: string;
}

/**
 * Caller-supplied messages → the semconv input/output messages shape where it is recognisable
 * (string, `{ role, content }`, content blocks); anything else is recorded as given.
 */
export function toSemconvMessages(value: unknown, defaultRole: string): unknown {
  if (typeof value === 'string') return [textMessage(defaultRole, value)];
  if (!Array.isArray(value)) return isRecord(value) ? [toSemconvMessage(value, defaultRole)] : value;
  return value.map((item: unknown) => (typeof item === 'string' ? textMessage(defaultRole, item) : isRecord(item) ? toSemconvMessage(item, defaultRole) : item));
}

function toSemconvMessage(message: Record<string, unknown>, defaultRole: string): unknown {
  if (Array.isArray(prop(message, 'parts'))) return message; // already semconv-shaped
  const role = identifier(prop(message, 'role')) ?? defaultRole;
  const content = prop(message, 'content');
  if (typeof content === 'string') return textMessage(role, content);
  if (Array.isArray(content)) return { role, parts: content.map(toPart) };
  return message;
}

function toPart(block: unknown): unknown {
  const text = prop(block, 'text');
  if (typeof text === 'string' && (prop(block, 'type') === 'text' || prop(block, 'type') === 'output_text' || prop(block, 'type') === undefined)) {
    return { type: 'text', content: text };
  }
  return block;
}

function textMessage(role: string, content: string): SemconvMessage {
  return { role, parts: [{ type: 'text', content }] };
}

/** Output messages found in an LLM result (see module comment), or undefined. */
export function readOutputMessages(result: unknown): unknown {
  if (typeof result === 'string') return [textMessage('assistant', result)];
  if (!isRecord(result)) return undefined;
  const choices = prop(result, 'choices');
  if (Array.isArray(choices)) {
    const messages: unknown[] = [];
    for (const choice of choices) {
      const message = prop(choice, 'message');
      if (!isRecord(message)) continue;
      const converted = toSemconvMessage(message, 'assistant');
      const reason = identifier(prop(choice, 'finish_reason'));
      messages.push(reason !== undefined && isRecord(converted) ? { ...converted, finish_reason: reason } : converted);
    }
    if (messages.length > 0) return messages;
  }
  const content = prop(result, 'content');
  if (Array.isArray(content) || typeof content === 'string') {
    const converted = toSemconvMessage({ role: prop(result, 'role') ?? 'assistant', content }, 'assistant');
    const reason = identifier(prop(result, 'stop_reason'));
    return [reason !== undefined && isRecord(converted) ? { ...converted, finish_reason: reason } : converted];
  }
  for (const key of ['output_text', 'text']) {
    const text = prop(result, key);
    if (typeof text === 'string') return [textMessage('assistant', text)];
  }
  return undefined;
}
