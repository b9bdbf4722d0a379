/**
 * Message-content capture (prompts, completions, tool arguments/results, memory contents).
 *
 * Off unless `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` is truthy (`true`/`1`/`yes`/`on`, ./boolean-env.ts;
 * the GenAI semconv opt-in variable): content
 * is the most sensitive thing an agent handles. The variable is read once, lazily, on first use; the bridge (or a
 * test) can override it with `setCaptureMessageContent`. Captured values are serialised to a string of at most
 * `CONTENT_MAX_LENGTH` characters: a string cut ends with `CONTENT_TRUNCATION_MARKER`; anything else is JSON and
 * stays JSON when cut (content-json.ts: the newest messages kept, the string crossing the limit shortened and
 * marked).
 */
import { fitJson } from './content-json.js';
import { parseBooleanEnv } from './boolean-env.js';
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
} from './semconv-incubating.js';

/** Upper bound, in UTF-16 code units, of every captured content attribute (marker included). */
export const CONTENT_MAX_LENGTH = 4096;
/** Appended to content that was cut to `CONTENT_MAX_LENGTH`. */
export const CONTENT_TRUNCATION_MARKER = '…[truncated]';

const ENV_VAR = 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT';

/**
 * Span attributes that carry prompts, completions and tool payloads — the GenAI semantic conventions' and the AI
 * SDK's own (`ai.*`, which it records by default: @ai-sdk/otel src/legacy-open-telemetry.ts). While capture is off,
 * the scrub processor removes them from every span, whoever set them (privacy fails closed).
 */
export const MESSAGE_CONTENT_ATTRIBUTES: ReadonlySet<string> = new Set([
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_SYSTEM_INSTRUCTIONS,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  'ai.prompt',
  'ai.prompt.messages',
  'ai.request.text',
  'ai.response.text',
  'ai.response.reasoning',
  'ai.response.toolCalls',
  'ai.response.object',
  'ai.response.files',
  'ai.toolCall.args',
  'ai.toolCall.result',
  'ai.value',
  'ai.values',
  'ai.embedding',
  'ai.embeddings',
  'ai.documents',
  'ai.ranking',
]);

let capture: boolean | undefined;

/**
 * Force content capture on or off for this process (the bridge applies its validated config here; tests use it).
 * `undefined` forgets the override, so the environment variable is read again on next use.
 */
export function setCaptureMessageContent(enabled: boolean | undefined): void {
  capture = enabled;
}

/** Whether content attributes are recorded. */
export function isCaptureMessageContentEnabled(): boolean {
  if (capture === undefined) capture = readEnv();
  return capture;
}

function readEnv(): boolean {
  try {
    const raw = typeof process === 'undefined' ? undefined : process.env[ENV_VAR];
    // The configuration's parser: the helpers without the preload must read the variable as the bridge does.
    return parseBooleanEnv(raw) === true;
  } catch {
    return false; // a hostile/odd `process.env` must not break telemetry
  }
}

/** Cut `text` to `max` code units, ending with the marker; never splits a surrogate pair. */
export function truncateContent(text: string, max: number = CONTENT_MAX_LENGTH): string {
  if (text.length <= max) return text;
  let cut = Math.max(0, max - CONTENT_TRUNCATION_MARKER.length);
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1; // do not leave half of a surrogate pair
  return text.slice(0, cut) + CONTENT_TRUNCATION_MARKER;
}

/**
 * Content value → attribute string: strings as they are, anything else as JSON (circular references and
 * bigints tolerated). `undefined` when there is nothing to record. Never throws.
 */
export function serializeContent(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') return truncateContent(value);
  try {
    const seen = new WeakSet<object>();
    const json = JSON.stringify(value, (_key, v: unknown) => {
      if (typeof v === 'bigint') return v.toString();
      if (typeof v === 'object' && v !== null) {
        if (seen.has(v)) return '[Circular]';
        seen.add(v);
      }
      return v;
    });
    return json === undefined ? undefined : fitJson(json, CONTENT_MAX_LENGTH, CONTENT_TRUNCATION_MARKER);
  } catch {
    return '[unserializable]';
  }
}
