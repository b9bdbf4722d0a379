/**
 * Content capture: absent by default; with OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true (or the
 * override) prompts, completions, tool arguments/results and memory contents are recorded, truncated.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
} from '@opentelemetry/semantic-conventions/incubating';
import {
  aiRequest,
  ATTR_AGENT_MEMORY_CONTENT,
  ATTR_GEN_AI_MEMORY_QUERY_TEXT,
  CONTENT_MAX_LENGTH,
  CONTENT_TRUNCATION_MARKER,
  executeTool,
  invokeAgent,
  isCaptureMessageContentEnabled,
  memoryOperation,
  setCaptureMessageContent,
} from '../../../src/agent/index.js';
import { truncateContent } from '../../../src/agent/content.js';
import { loadConfig } from '../../../src/config.js';
import { installSdk, type TestSdk } from './otel-sdk.js';

const ENV = 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT';
const CONTENT_KEYS = [
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_MEMORY_QUERY_TEXT,
  ATTR_GEN_AI_TOOL_CALL_ARGUMENTS,
  ATTR_GEN_AI_TOOL_CALL_RESULT,
  ATTR_AGENT_MEMORY_CONTENT,
];

let sdk: TestSdk;
const savedEnv = process.env[ENV];
beforeAll(() => {
  sdk = installSdk();
});
afterAll(async () => {
  await sdk.shutdown();
});
beforeEach(() => {
  sdk.exporter.reset();
  delete process.env[ENV];
  setCaptureMessageContent(undefined);
});
afterEach(() => {
  if (savedEnv === undefined) delete process.env[ENV];
  else process.env[ENV] = savedEnv;
  setCaptureMessageContent(undefined);
});

async function exerciseAll(): Promise<void> {
  await invokeAgent({ name: 'writer', input: 'Write a haiku' }, async () => {
    await aiRequest({ provider: 'openai', model: 'gpt-4o', input: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'haiku please' }] }, async () => ({
      choices: [{ finish_reason: 'stop', message: { role: 'assistant', content: 'old pond / frog jumps in' } }],
    }));
    await executeTool({ name: 'lookup', arguments: { q: 'frog' } }, async () => ({ found: true }));
    await memoryOperation({ operation: 'search', store: 'notes', query: 'frogs' }, async () => [{ id: 'n1', text: 'frog facts' }]);
    await memoryOperation({ operation: 'put', store: 'notes', content: { text: 'new note' } }, async () => undefined);
    return 'old pond';
  });
}

describe('content capture', () => {
  it('is off by default: no content attribute on any span', async () => {
    expect(isCaptureMessageContentEnabled()).toBe(false);
    await exerciseAll();
    expect(sdk.spans()).toHaveLength(5);
    for (const span of sdk.spans()) {
      for (const key of CONTENT_KEYS) expect(span.attributes[key], `${span.name} ${key}`).toBeUndefined();
    }
  });

  it('does not read the response messages when it is off (usage and finish reasons still are)', async () => {
    let messageReads = 0;
    const choice = { finish_reason: 'stop' } as Record<string, unknown>;
    Object.defineProperty(choice, 'message', { enumerable: true, get: () => (messageReads++, { role: 'assistant', content: 'old pond' }) });
    const result = { choices: [choice], usage: { prompt_tokens: 3, completion_tokens: 4 } };
    await aiRequest({ provider: 'openai', model: 'gpt-4o' }, async () => result);
    expect(messageReads).toBe(0);
    const [span] = sdk.exporter.getFinishedSpans();
    expect(span?.attributes['gen_ai.usage.output_tokens']).toBe(4);
    expect(span?.attributes['gen_ai.response.finish_reasons']).toBe('["stop"]');
    setCaptureMessageContent(true);
    await aiRequest({ provider: 'openai', model: 'gpt-4o' }, async () => result);
    expect(messageReads).toBeGreaterThan(0); // the same result is read when capture is on
  });

  it('records prompts, completions, tool arguments/results and memory contents when enabled', async () => {
    setCaptureMessageContent(true);
    await exerciseAll();
    const chat = sdk.span('chat gpt-4o').attributes;
    expect(JSON.parse(chat[ATTR_GEN_AI_INPUT_MESSAGES] as string)).toEqual([
      { role: 'system', parts: [{ type: 'text', content: 'be brief' }] },
      { role: 'user', parts: [{ type: 'text', content: 'haiku please' }] },
    ]);
    expect(JSON.parse(chat[ATTR_GEN_AI_OUTPUT_MESSAGES] as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'old pond / frog jumps in' }], finish_reason: 'stop' },
    ]);
    const tool = sdk.span('execute_tool lookup').attributes;
    expect(JSON.parse(tool[ATTR_GEN_AI_TOOL_CALL_ARGUMENTS] as string)).toEqual({ q: 'frog' });
    expect(JSON.parse(tool[ATTR_GEN_AI_TOOL_CALL_RESULT] as string)).toEqual({ found: true });
    const search = sdk.span('memory.search notes').attributes;
    expect(search[ATTR_GEN_AI_MEMORY_QUERY_TEXT]).toBe('frogs');
    expect(JSON.parse(search[ATTR_AGENT_MEMORY_CONTENT] as string)).toEqual([{ id: 'n1', text: 'frog facts' }]);
    expect(JSON.parse(sdk.span('memory.put notes').attributes[ATTR_AGENT_MEMORY_CONTENT] as string)).toEqual({ text: 'new note' });
    const agent = sdk.span('invoke_agent writer').attributes;
    expect(JSON.parse(agent[ATTR_GEN_AI_INPUT_MESSAGES] as string)).toEqual([{ role: 'user', parts: [{ type: 'text', content: 'Write a haiku' }] }]);
    expect(JSON.parse(agent[ATTR_GEN_AI_OUTPUT_MESSAGES] as string)).toEqual([{ role: 'assistant', parts: [{ type: 'text', content: 'old pond' }] }]);
  });

  it('truncates long content to the documented limit: text ends with the marker, JSON stays parsable JSON', async () => {
    setCaptureMessageContent(true);
    const long = 'x'.repeat(CONTENT_MAX_LENGTH * 3);
    await executeTool({ name: 'big', arguments: long }, async () => ({ blob: long }));
    await aiRequest({ provider: 'p', model: 'm', input: long }, async (span) => span.recordOutput('short'));
    const tool = sdk.span('execute_tool big').attributes;
    const args = tool[ATTR_GEN_AI_TOOL_CALL_ARGUMENTS] as string; // given as text: cut as text
    expect(args).toHaveLength(CONTENT_MAX_LENGTH);
    expect(args.endsWith(CONTENT_TRUNCATION_MARKER)).toBe(true);
    const result = tool[ATTR_GEN_AI_TOOL_CALL_RESULT] as string; // an object: cut inside, still JSON
    expect(result.length).toBeLessThanOrEqual(CONTENT_MAX_LENGTH);
    expect((JSON.parse(result) as { blob: string }).blob.endsWith(CONTENT_TRUNCATION_MARKER)).toBe(true);
    const input = sdk.span('chat m').attributes[ATTR_GEN_AI_INPUT_MESSAGES] as string;
    expect(input.length).toBeLessThanOrEqual(CONTENT_MAX_LENGTH);
    const [message] = JSON.parse(input) as Array<{ role: string; parts: Array<{ type: string; content: string }> }>;
    expect(message!.role).toBe('user');
    expect(message!.parts[0]!.content.endsWith(CONTENT_TRUNCATION_MARKER)).toBe(true);
    expect(sdk.span('chat m').attributes[ATTR_GEN_AI_OUTPUT_MESSAGES]).toBe(JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'short' }] }]));
  });

  it('never splits a surrogate pair and tolerates circular and bigint content', async () => {
    const emoji = '😀'.repeat(CONTENT_MAX_LENGTH);
    for (let max = 20; max < 30; max++) {
      const cut = truncateContent(emoji, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut.endsWith(CONTENT_TRUNCATION_MARKER)).toBe(true);
      expect(() => encodeURIComponent(cut)).not.toThrow(); // throws on a lone surrogate
    }
    setCaptureMessageContent(true);
    const circular: Record<string, unknown> = { n: 10n };
    circular.self = circular;
    await executeTool({ name: 'odd', arguments: circular }, async () => 1);
    expect(JSON.parse(sdk.span('execute_tool odd').attributes[ATTR_GEN_AI_TOOL_CALL_ARGUMENTS] as string)).toEqual({ n: '10', self: '[Circular]' });
  });

  it('reads the environment variable lazily, once, with the configuration’s boolean parser', () => {
    process.env[ENV] = 'TRUE ';
    expect(isCaptureMessageContentEnabled()).toBe(true);
    process.env[ENV] = 'false';
    expect(isCaptureMessageContentEnabled()).toBe(true); // read once
    for (const value of ['false', '0', 'no', 'off', '', 'enabled']) {
      process.env[ENV] = value;
      setCaptureMessageContent(undefined);
      expect(isCaptureMessageContentEnabled(), value).toBe(false);
    }
    // what loadConfig reads as true enables it here too: the helpers without the preload agree with the bridge
    for (const value of ['1', 'yes', 'ON', 'true']) {
      process.env[ENV] = value;
      setCaptureMessageContent(undefined);
      expect(isCaptureMessageContentEnabled(), value).toBe(loadConfig({ [ENV]: value }).config.captureMessageContent);
      expect(isCaptureMessageContentEnabled(), value).toBe(true);
    }
    process.env[ENV] = 'true';
    setCaptureMessageContent(false);
    expect(isCaptureMessageContentEnabled()).toBe(false); // explicit override wins
  });
});
