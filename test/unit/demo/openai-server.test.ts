// The local OpenAI-compatible server speaks what the real `openai` 7.x client parses: every endpoint, both
// streaming shapes, tool calls, usage in the last chunk, faults, and the same reply for the same seed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import OpenAI, { APIError } from 'openai';
// @ts-expect-error plain JS demo module
import { startOpenAiServer } from '../../../demo/lib/openai-server.js';

type Server = { url: string; close: () => Promise<void>; requests: { path: string; model?: string; stream: boolean }[] };

let server: Server;
let client: OpenAI;

beforeAll(async () => {
  server = await startOpenAiServer({ seed: 42, latencyMs: [0, 2], chunkDelayMs: 0 });
  client = new OpenAI({ baseURL: server.url, apiKey: 'test', maxRetries: 0 });
});
afterAll(() => server?.close());

describe('local OpenAI-compatible server with the real openai client', () => {
  it('answers chat completions deterministically per seed, with usage', async () => {
    const request = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'plan the research' }] };
    const a = await client.chat.completions.create(request);
    const b = await client.chat.completions.create(request);
    expect(a.choices[0]?.message.content).toBe(b.choices[0]?.message.content);
    expect(a.choices[0]?.finish_reason).toBe('stop');
    expect(a.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(a.usage?.total_tokens).toBe((a.usage?.prompt_tokens ?? 0) + (a.usage?.completion_tokens ?? 0));
    const other = await startOpenAiServer({ seed: 43, latencyMs: [0, 0] });
    try {
      const c = await new OpenAI({ baseURL: other.url, apiKey: 'test' }).chat.completions.create(request);
      expect(c.choices[0]?.message.content).not.toBe(a.choices[0]?.message.content);
    } finally {
      await other.close();
    }
  });

  it('streams chat chunks with usage in the final chunk, and the same text as non-streaming', async () => {
    const messages = [{ role: 'user' as const, content: 'summarise the trace' }];
    const whole = await client.chat.completions.create({ model: 'gpt-4o', messages });
    const stream = await client.chat.completions.create({ model: 'gpt-4o', messages, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage;
    let finish;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta.content ?? '';
      finish ??= chunk.choices[0]?.finish_reason ?? undefined;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(text).toBe(whole.choices[0]?.message.content);
    expect(finish).toBe('stop');
    expect(usage).toEqual(whole.usage);
  });

  it('calls a tool when asked, streaming or not, and answers after the tool result', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'lookup', parameters: { type: 'object', properties: { query: { type: 'string' }, limit: { type: 'integer' } } } } }];
    const asked = await client.chat.completions.create({ model: 'gpt-4o', tools, messages: [{ role: 'user', content: 'please use lookup' }] });
    const call = asked.choices[0]?.message.tool_calls?.[0];
    expect(asked.choices[0]?.finish_reason).toBe('tool_calls');
    expect(call?.type === 'function' && call.function.name).toBe('lookup');
    const args = JSON.parse(call?.type === 'function' ? call.function.arguments : '{}');
    expect(typeof args.query).toBe('string');
    expect(typeof args.limit).toBe('number');

    const stream = client.chat.completions.stream({ model: 'gpt-4o', tools, tool_choice: 'required', messages: [{ role: 'user', content: 'anything' }] });
    const final = await stream.finalChatCompletion();
    const streamed = final.choices[0]?.message.tool_calls?.[0];
    expect(streamed?.type === 'function' && JSON.parse(streamed.function.arguments)).toHaveProperty('query');

    const after = await client.chat.completions.create({
      model: 'gpt-4o',
      tools,
      messages: [{ role: 'user', content: 'please use lookup' }, { role: 'assistant', tool_calls: [call!] }, { role: 'tool', tool_call_id: call!.id, content: 'found it' }],
    });
    expect(after.choices[0]?.finish_reason).toBe('stop');
    const plain = await client.chat.completions.create({ model: 'gpt-4o', tools, messages: [{ role: 'user', content: 'no tool named here' }] });
    expect(plain.choices[0]?.finish_reason).toBe('stop');
  });

  it('walks the tools a prompt names, in order, each once: a tool, then a handoff, then text', async () => {
    const fn = (name: string) => ({ type: 'function' as const, function: { name, parameters: { type: 'object', properties: { query: { type: 'string' } } } } });
    const tools = [fn('transfer_to_writer'), fn('lookup')];
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'use lookup then transfer_to_writer' }];
    const names: string[] = [];
    for (let turn = 0; turn < 5; turn++) {
      const reply = await client.chat.completions.create({ model: 'gpt-4o', tools, messages });
      const call = reply.choices[0]?.message.tool_calls?.[0];
      if (call?.type !== 'function') break;
      names.push(call.function.name);
      messages.push({ role: 'assistant', tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: 'done' });
    }
    expect(names).toEqual(['lookup', 'transfer_to_writer']);
    // the same with the Responses API (how @openai/agents asks): function_call items mark what was called
    const flat = tools.map((t) => ({ type: 'function' as const, name: t.function.name, parameters: t.function.parameters, strict: false }));
    const input: OpenAI.Responses.ResponseInput = [{ role: 'user', content: 'use lookup then transfer_to_writer' }];
    const first = await client.responses.create({ model: 'gpt-4o', tools: flat, input });
    expect(first.output[0]).toMatchObject({ type: 'function_call', name: 'lookup' });
    const call = first.output[0] as OpenAI.Responses.ResponseFunctionToolCall;
    input.push(call, { type: 'function_call_output', call_id: call.call_id, output: 'done' });
    const second = await client.responses.create({ model: 'gpt-4o', tools: flat, input });
    expect(second.output[0]).toMatchObject({ type: 'function_call', name: 'transfer_to_writer' });
  });

  it('serves the Responses API, non-streaming (output_text) and streaming (completed event with usage)', async () => {
    const whole = await client.responses.create({ model: 'gpt-4o', input: 'write the summary' });
    expect(whole.status).toBe('completed');
    expect(whole.output_text.length).toBeGreaterThan(0);
    expect(whole.usage?.input_tokens).toBeGreaterThan(0);

    const stream = await client.responses.create({ model: 'gpt-4o', input: 'write the summary', stream: true });
    let text = '';
    const types: string[] = [];
    let completed;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
      if (event.type === 'response.completed') completed = event.response;
    }
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(text).toBe(whole.output_text);
    expect(completed!.usage).toEqual(whole.usage);

    // The SDK's own stream helper accumulates the same events into a final response.
    const helper = await client.responses.stream({ model: 'gpt-4o', input: 'write the summary' }).finalResponse();
    expect(helper.output_text).toBe(whole.output_text);

    const tools = [{ type: 'function' as const, name: 'transfer_to_writer', parameters: { type: 'object', properties: {} }, strict: false }];
    const handoff = await client.responses.create({ model: 'gpt-4o', tools, input: [{ role: 'user', content: 'then transfer_to_writer' }] });
    expect(handoff.output[0]).toMatchObject({ type: 'function_call', name: 'transfer_to_writer' });
  });

  it('returns embeddings in the SDK default (base64) and float encodings alike', async () => {
    const decoded = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    const floats = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float' });
    expect(decoded.data).toHaveLength(2);
    expect(Array.from(decoded.data[0]!.embedding)).toHaveLength(16);
    expect(Array.from(decoded.data[0]!.embedding)[0]).toBeCloseTo(floats.data[0]!.embedding[0]!, 5);
    expect(decoded.usage.prompt_tokens).toBeGreaterThan(0);
  });

  it('injects faults by model name or header: 500, 429 with retry-after, an error mid-stream', async () => {
    const err500 = await client.chat.completions.create({ model: 'fail-500', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(err500).toBeInstanceOf(APIError);
    expect((err500 as APIError).status).toBe(500);
    const err429 = await client.responses.create({ model: 'gpt-4o', input: 'x' }, { headers: { 'x-fault': '429' } }).catch((e: unknown) => e);
    expect((err429 as APIError).status).toBe(429);
    expect((err429 as APIError).headers?.get('retry-after')).toBe('1');

    const stream = await client.chat.completions.create({ model: 'fail-stream', messages: [{ role: 'user', content: 'x' }], stream: true });
    let chunks = 0;
    const midStream = await (async () => {
      for await (const _chunk of stream) chunks++;
    })().catch((e: unknown) => e);
    expect(chunks).toBeGreaterThan(0);
    expect(midStream).toBeInstanceOf(APIError);

    // The SDK retries a 429 after retry-after-ms; a seeded ratio makes some requests fail, always the same ones.
    const retrying = new OpenAI({ baseURL: server.url, apiKey: 'test', maxRetries: 1 });
    const before = server.requests.length;
    await expect(retrying.chat.completions.create({ model: 'rate-limit', messages: [{ role: 'user', content: 'x' }] })).rejects.toMatchObject({ status: 429 });
    expect(server.requests.length - before).toBe(2);
  });

  it('rejects request bodies above the bound with 413', async () => {
    const small = await startOpenAiServer({ seed: 1, maxBodyBytes: 1024, latencyMs: [0, 0] });
    try {
      const error = await new OpenAI({ baseURL: small.url, apiKey: 'test', maxRetries: 0 }).embeddings.create({ model: 'e', input: 'x'.repeat(4096) }).catch((e: unknown) => e);
      expect((error as APIError).status).toBe(413);
    } finally {
      await small.close();
    }
  });

  it('rate-limits a seeded fraction of requests, the same ones on every run', async () => {
    const outcomes = async () => {
      const limited = await startOpenAiServer({ seed: 9, rateLimitRatio: 0.5, latencyMs: [0, 0] });
      const c = new OpenAI({ baseURL: limited.url, apiKey: 'test', maxRetries: 0 });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 12; i++) {
          statuses.push(await c.embeddings.create({ model: 'e', input: `t${i}` }).then(() => 200, (e: APIError) => e.status ?? 0));
        }
        return statuses;
      } finally {
        await limited.close();
      }
    };
    const first = await outcomes();
    expect(first).toContain(429);
    expect(first).toContain(200);
    expect(await outcomes()).toEqual(first);
  });
});
