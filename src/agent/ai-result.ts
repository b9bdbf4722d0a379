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
import { count, identifier, isRecord, prop, readFields, type Untrusted } from './internal.js';

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

/** The fields of an LLM result read here (see the module comment). */
const RESULT_FIELDS = [
  'usage', 'usageMetadata', 'model', 'id',
  'finish_reasons', 'finishReasons', 'finish_reason', 'finishReason', 'stop_reason', 'stopReason', 'choices', 'candidates',
] as const;
type ResultFields = Record<(typeof RESULT_FIELDS)[number], unknown>;

// The top-level fields of results and usage objects are read directly (`readFields`: monomorphic loads per field,
// ~30 of them per LLM call); nested objects, rarer and of unknown shape, through `prop`.
export function readAiResult(result: unknown): AiResultFacts {
  if (!isRecord(result)) return {};
  return readFields<ResultFields, AiResultFacts>(result, RESULT_FIELDS, (r) => {
    const facts: AiResultFacts = {};
    const usage = readUsage(r.usage ?? r.usageMetadata);
    if (usage !== undefined) facts.usage = usage;
    const model = identifier(r.model);
    if (model !== undefined) facts.model = model;
    const id = identifier(r.id);
    if (id !== undefined) facts.id = id;
    const reasons = readFinishReasons(r);
    if (reasons !== undefined) facts.finishReasons = reasons;
    return facts;
  });
}

/** Where each count is found across providers (see the module comment). */
const USAGE_FIELDS = [
  'input_tokens', 'inputTokens', 'prompt_tokens', 'promptTokens', 'promptTokenCount',
  'output_tokens', 'outputTokens', 'completion_tokens', 'completionTokens', 'candidatesTokenCount', 'thoughtsTokenCount',
  'cache_read_input_tokens', 'cache_creation_input_tokens', 'cacheReadInputTokens', 'cachedInputTokens', 'cachedContentTokenCount',
  'cacheCreationInputTokens', 'reasoningTokens',
  'prompt_tokens_details', 'input_tokens_details', 'completion_tokens_details', 'output_tokens_details',
] as const;
type UsageFields = Record<(typeof USAGE_FIELDS)[number], unknown>;

export function readUsage(usage: unknown): TokenUsage | undefined {
  if (!isRecord(usage)) return undefined;
  return readFields<UsageFields, TokenUsage | undefined>(usage, USAGE_FIELDS, (u) => {
    // Each count under the first of its names that holds a count, in order of preference.
    let input = count(u.input_tokens) ?? count(u.inputTokens) ?? count(u.prompt_tokens) ?? count(u.promptTokens) ?? count(u.promptTokenCount);
    // Gemini: candidatesTokenCount leaves out thoughtsTokenCount, which is billed as output; the semconv output
    // total includes reasoning tokens, so both are added (ai.google.dev API reference, UsageMetadata).
    const geminiThoughts = count(u.thoughtsTokenCount);
    const candidates = count(u.candidatesTokenCount);
    const output =
      count(u.output_tokens) ?? count(u.outputTokens) ?? count(u.completion_tokens) ?? count(u.completionTokens) ??
      (candidates === undefined ? undefined : candidates + (geminiThoughts ?? 0));
    const anthropicCacheRead = count(u.cache_read_input_tokens);
    const anthropicCacheCreation = count(u.cache_creation_input_tokens);
    const cacheRead =
      anthropicCacheRead ??
      count(u.cacheReadInputTokens) ??
      count(u.cachedInputTokens) ??
      count(u.cachedContentTokenCount) ??
      count(prop(u.prompt_tokens_details, 'cached_tokens')) ??
      count(prop(u.input_tokens_details, 'cached_tokens'));
    const cacheCreation = anthropicCacheCreation ?? count(u.cacheCreationInputTokens);
    const reasoning =
      count(u.reasoningTokens) ??
      count(prop(u.completion_tokens_details, 'reasoning_tokens')) ??
      count(prop(u.output_tokens_details, 'reasoning_tokens')) ??
      geminiThoughts;
    // Anthropic's input_tokens excludes cache reads and writes; the semconv total includes them.
    if (input !== undefined && typeof u.input_tokens === 'number') {
      input += (anthropicCacheRead ?? 0) + (anthropicCacheCreation ?? 0);
    }
    if (input === undefined && output === undefined && cacheRead === undefined && cacheCreation === undefined && reasoning === undefined) {
      return undefined;
    }
    return { input, output, cacheRead, cacheCreation, reasoning };
  });
}

function readFinishReasons(r: Untrusted<ResultFields>): string[] | undefined {
  const reasons: string[] = [];
  addReasons(reasons, r.finish_reasons);
  addReasons(reasons, r.finishReasons);
  addReason(reasons, r.finish_reason);
  addReason(reasons, r.finishReason);
  addReason(reasons, r.stop_reason);
  addReason(reasons, r.stopReason);
  const choices = r.choices;
  if (Array.isArray(choices)) for (const choice of choices) addReason(reasons, prop(choice, 'finish_reason') ?? prop(choice, 'finishReason'));
  const candidates = r.candidates;
  if (Array.isArray(candidates)) for (const candidate of candidates) addReason(reasons, prop(candidate, 'finishReason'));
  return reasons.length > 0 ? reasons : undefined;
}

function addReasons(reasons: string[], list: unknown): void {
  if (Array.isArray(list)) for (const value of list) addReason(reasons, value);
}

function addReason(reasons: string[], value: unknown): void {
  const reason = identifier(value);
  if (reason !== undefined && reasons.length < MAX_FINISH_REASONS) reasons.push(reason);
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
