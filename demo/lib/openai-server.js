// A deterministic local OpenAI-compatible HTTP server: the demo's LLM and the tests' peer for real SDKs
// (`openai`, the AI SDK's openai-compatible provider, `@openai/agents`).
//
// Endpoints (wire shapes follow the openai-node 7.x types and its SSE decoder in core/streaming):
//   POST /v1/chat/completions  non-streaming, or SSE chunks ending in `data: [DONE]`; with
//                              `stream_options.include_usage` the last chunk has `choices: []` and `usage`.
//   POST /v1/responses         a `response` object, or SSE events `response.created` … `response.completed`.
//   POST /v1/embeddings        float or base64 (the openai SDK asks for base64 by default) vectors.
//
// Replies come from a PRNG seeded by (seed, model, prompt text), so the same request gives the same reply, usage
// and latency on every run. Tool calls: with `tools` in the request and `tool_choice` not `none`, the server calls
// - the tool `tool_choice` demands (`required` → the first tool, `{function:{name}}` / `{name}` → that one), unless
//   the conversation already ends in a tool result;
// - otherwise (`auto`) the next tool the last user message mentions by name that the conversation has not called
//   yet, in the order the message names them: "use lookup then transfer_to_writer" → `lookup`, then (after its
//   result) the handoff `transfer_to_writer`, then a text answer. How the demo steers agents into tools and handoffs.
//
// Faults, chosen by model name or by the `x-fault` request header (header wins):
//   fail-500 / `x-fault: 500`            → 500 with an OpenAI error body
//   rate-limit / `x-fault: 429`          → 429 with `retry-after` (s) and `retry-after-ms`
//   fail-stream / `x-fault: stream-error` → streaming only: a few chunks, then an SSE error event
// and, for the demo, `rateLimitRatio`: that fraction of requests (seeded, deterministic) answers 429.
// Request bodies are bounded (`maxBodyBytes`, 413 above it); `requests` keeps the last `maxRecorded` requests.
import { createServer } from 'node:http';
import { createRandom, hashString } from './random.js';

const WORDS = [
  'agents', 'trace', 'span', 'latency', 'tokens', 'memory', 'vector', 'metrics', 'prometheus', 'sentry', 'handoff',
  'plan', 'research', 'summary', 'context', 'retrieval', 'answer', 'insight', 'budget', 'signal',
];

/**
 * @typedef {{ method: string, path: string, model?: string, stream: boolean, fault?: string, headers: Record<string, string | string[] | undefined>, body: unknown }} RecordedRequest
 * @typedef {{ url: string, port: number, requests: RecordedRequest[], close: () => Promise<void> }} OpenAiServer
 * @typedef {{
 *   seed: number | string,
 *   port?: number,
 *   host?: string,
 *   latencyMs?: [number, number],
 *   chunkDelayMs?: number,
 *   rateLimitRatio?: number,
 *   maxBodyBytes?: number,
 *   maxRecorded?: number,
 * }} OpenAiServerOptions
 */

/**
 * Starts the server on 127.0.0.1 (port 0 → a free one). `url` is the base URL an OpenAI client takes (`…/v1`).
 * @param {OpenAiServerOptions} options
 * @returns {Promise<OpenAiServer>}
 */
export async function startOpenAiServer({
  seed,
  port = 0,
  host = '127.0.0.1',
  latencyMs = [5, 25],
  chunkDelayMs = 2,
  rateLimitRatio = 0,
  maxBodyBytes = 1024 * 1024,
  maxRecorded = 1000,
}) {
  /** @type {RecordedRequest[]} */
  const requests = [];
  const faultRandom = createRandom(hashString(`${seed}:faults`));
  const sockets = new Set();
  let responseCounter = 0;

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) sendError(res, 500, 'server_error', String(error?.message ?? error));
      else res.destroy();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  async function handle(req, res) {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'POST') return sendError(res, 404, 'not_found', `no route ${req.method} ${path}`);
    const raw = await readBody(req, maxBodyBytes);
    if (raw === undefined) return sendError(res, 413, 'request_too_large', `request body above ${maxBodyBytes} bytes`);
    let body;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return sendError(res, 400, 'invalid_json', 'request body is not JSON');
    }
    if (!body || typeof body !== 'object') return sendError(res, 400, 'invalid_request_error', 'body must be an object');
    const model = typeof body.model === 'string' ? body.model : undefined;
    const stream = body.stream === true;
    const fault = faultFor(req.headers['x-fault'], model);
    requests.push({ method: req.method, path, model, stream, fault, headers: req.headers, body });
    if (requests.length > maxRecorded) requests.shift();

    const random = createRandom(hashString(`${seed}:${model}:${promptText(path, body)}`));
    await sleep(latencyMs[0] + random() * (latencyMs[1] - latencyMs[0]));

    const rateLimited = fault === '429' || (rateLimitRatio > 0 && faultRandom() < rateLimitRatio);
    if (fault === '500') return sendError(res, 500, 'server_error', 'The server had an error while processing your request.');
    if (rateLimited) {
      res.setHeader('retry-after', '1');
      res.setHeader('retry-after-ms', String(20 + Math.floor(random() * 30)));
      return sendError(res, 429, 'rate_limit_exceeded', `Rate limit reached for ${model ?? 'model'}. Please try again in 1s.`);
    }
    if (!model) return sendError(res, 400, 'invalid_request_error', 'model is required');

    const id = ++responseCounter;
    if (path === '/v1/chat/completions') return chatCompletions(res, body, model, random, id, fault);
    if (path === '/v1/responses') return responses(res, body, model, random, id, fault);
    if (path === '/v1/embeddings') return embeddings(res, body, model);
    return sendError(res, 404, 'not_found', `no route POST ${path}`);
  }

  /** @param {import('node:http').ServerResponse} res */
  async function chatCompletions(res, body, model, random, id, fault) {
    const created = 1_700_000_000 + id;
    const completionId = `chatcmpl-${id}`;
    const promptTokens = countTokens(promptText('/v1/chat/completions', body));
    const tool = chosenTool(body.tools, body.tool_choice, chatConversationTail(body.messages));
    const toolCall = tool && { id: `call_${id}`, type: 'function', function: { name: tool.name, arguments: JSON.stringify(toolArguments(tool.parameters, random)) } };
    const words = replyWords(random);
    const completionTokens = toolCall ? countTokens(toolCall.function.arguments) : words.length;
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    const finishReason = toolCall ? 'tool_calls' : 'stop';

    if (!body.stream) {
      const message = toolCall
        ? { role: 'assistant', content: null, tool_calls: [toolCall], refusal: null }
        : { role: 'assistant', content: words.join(' '), refusal: null };
      return sendJson(res, 200, { id: completionId, object: 'chat.completion', created, model, choices: [{ index: 0, message, finish_reason: finishReason, logprobs: null }], usage, system_fingerprint: 'fp_local' });
    }

    startSse(res);
    const chunk = (choices, extra = {}) => ({ id: completionId, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_local', choices, ...extra });
    writeSse(res, chunk([{ index: 0, delta: { role: 'assistant', content: toolCall ? null : '' }, finish_reason: null, logprobs: null }]));
    if (toolCall) {
      writeSse(res, chunk([{ index: 0, delta: { tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.function.name, arguments: '' } }] }, finish_reason: null, logprobs: null }]));
      for (const part of splitEvery(toolCall.function.arguments, 8)) {
        await sleep(chunkDelayMs);
        writeSse(res, chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: part } }] }, finish_reason: null, logprobs: null }]));
      }
    } else {
      for (const [i, word] of words.entries()) {
        await sleep(chunkDelayMs);
        writeSse(res, chunk([{ index: 0, delta: { content: i === 0 ? word : ` ${word}` }, finish_reason: null, logprobs: null }]));
        if (fault === 'stream-error' && i === 2) return endWithSseError(res);
      }
    }
    writeSse(res, chunk([{ index: 0, delta: {}, finish_reason: finishReason, logprobs: null }]));
    if (body.stream_options?.include_usage) writeSse(res, chunk([], { usage }));
    res.end('data: [DONE]\n\n');
  }

  /** @param {import('node:http').ServerResponse} res */
  async function responses(res, body, model, random, id, fault) {
    const responseId = `resp_${id}`;
    const created = 1_700_000_000 + id;
    const inputTokens = countTokens(promptText('/v1/responses', body));
    const tool = chosenTool(responsesTools(body.tools), body.tool_choice, responsesConversationTail(body.input));
    const words = replyWords(random);
    const text = words.join(' ');
    const item = tool
      ? { type: 'function_call', id: `fc_${id}`, call_id: `call_${id}`, name: tool.name, arguments: JSON.stringify(toolArguments(tool.parameters, random)), status: 'completed' }
      : { type: 'message', id: `msg_${id}`, role: 'assistant', status: 'completed', content: [{ type: 'output_text', text, annotations: [], logprobs: [] }] };
    const outputTokens = tool ? countTokens(item.arguments) : words.length;
    const usage = {
      input_tokens: inputTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: outputTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: inputTokens + outputTokens,
    };
    const response = (status, output, usageOrNull) => ({
      id: responseId, object: 'response', created_at: created, status, model, output, usage: usageOrNull,
      error: null, incomplete_details: null, instructions: body.instructions ?? null, metadata: body.metadata ?? {},
      parallel_tool_calls: body.parallel_tool_calls ?? true, temperature: body.temperature ?? 1, top_p: body.top_p ?? 1,
      max_output_tokens: body.max_output_tokens ?? null, previous_response_id: body.previous_response_id ?? null,
      tool_choice: body.tool_choice ?? 'auto', tools: body.tools ?? [], text: { format: { type: 'text' } }, truncation: 'disabled',
    });

    if (!body.stream) return sendJson(res, 200, response('completed', [item], usage));

    startSse(res);
    let sequence = 0;
    const event = (type, fields) => writeSse(res, { type, sequence_number: sequence++, ...fields }, type);
    event('response.created', { response: response('in_progress', [], null) });
    event('response.in_progress', { response: response('in_progress', [], null) });
    if (tool) {
      event('response.output_item.added', { output_index: 0, item: { ...item, arguments: '', status: 'in_progress' } });
      for (const part of splitEvery(item.arguments, 8)) {
        await sleep(chunkDelayMs);
        event('response.function_call_arguments.delta', { item_id: item.id, output_index: 0, delta: part });
      }
      event('response.function_call_arguments.done', { item_id: item.id, output_index: 0, name: item.name, arguments: item.arguments });
    } else {
      event('response.output_item.added', { output_index: 0, item: { ...item, status: 'in_progress', content: [] } });
      const emptyPart = { type: 'output_text', text: '', annotations: [], logprobs: [] };
      event('response.content_part.added', { item_id: item.id, output_index: 0, content_index: 0, part: emptyPart });
      for (const [i, word] of words.entries()) {
        await sleep(chunkDelayMs);
        event('response.output_text.delta', { item_id: item.id, output_index: 0, content_index: 0, delta: i === 0 ? word : ` ${word}`, logprobs: [] });
        if (fault === 'stream-error' && i === 2) {
          event('error', { code: 'server_error', message: 'The server had an error while streaming the response.', param: null });
          return res.end();
        }
      }
      event('response.output_text.done', { item_id: item.id, output_index: 0, content_index: 0, text, logprobs: [] });
      event('response.content_part.done', { item_id: item.id, output_index: 0, content_index: 0, part: item.content[0] });
    }
    event('response.output_item.done', { output_index: 0, item });
    event('response.completed', { response: response('completed', [item], usage) });
    res.end();
  }

  /** @param {import('node:http').ServerResponse} res */
  function embeddings(res, body, model) {
    const inputs = Array.isArray(body.input) && body.input.length > 0 && typeof body.input[0] !== 'number' ? body.input : [body.input];
    const dimensions = Math.min(Math.max(Number(body.dimensions) || 16, 1), 4096);
    let tokens = 0;
    const data = inputs.slice(0, 2048).map((input, index) => {
      const text = typeof input === 'string' ? input : JSON.stringify(input ?? '');
      tokens += countTokens(text);
      const vectorRandom = createRandom(hashString(`${seed}:${model}:${text}`));
      const vector = Array.from({ length: dimensions }, () => Math.round((vectorRandom() * 2 - 1) * 1e6) / 1e6);
      const embedding = body.encoding_format === 'base64' ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
      return { object: 'embedding', index, embedding };
    });
    sendJson(res, 200, { object: 'list', data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
  }

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(undefined));
  });
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    url: `http://${host}:${address.port}/v1`,
    port: address.port,
    requests,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** @param {string | string[] | undefined} header @param {string | undefined} model */
function faultFor(header, model) {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === '500' || value === '429' || value === 'stream-error') return value;
  if (model === 'fail-500') return '500';
  if (model === 'rate-limit') return '429';
  if (model === 'fail-stream') return 'stream-error';
  return undefined;
}

/** Reads at most `limit` bytes; undefined (and the rest drained) when the body is larger. */
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > limit) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The text the reply is derived from: every message/input text, so a different prompt gives a different reply. */
function promptText(path, body) {
  if (path === '/v1/chat/completions') return (Array.isArray(body.messages) ? body.messages : []).map((m) => contentText(m?.content)).join('\n');
  if (path === '/v1/responses') {
    const input = typeof body.input === 'string' ? body.input : (Array.isArray(body.input) ? body.input : []).map((item) => contentText(item?.content ?? item?.output ?? item?.arguments)).join('\n');
    return `${body.instructions ?? ''}\n${input}`;
  }
  return typeof body.input === 'string' ? body.input : JSON.stringify(body.input ?? '');
}

function contentText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part?.text === 'string' ? part.text : '')).join(' ');
  return '';
}

/** { endsWithToolResult, lastUserText, called } of a chat conversation (`called`: tool names already called). */
function chatConversationTail(messages) {
  const list = Array.isArray(messages) ? messages : [];
  const last = list.at(-1);
  const lastUser = list.findLast((m) => m?.role === 'user');
  const called = new Set(list.flatMap((m) => (Array.isArray(m?.tool_calls) ? m.tool_calls.map((call) => call?.function?.name) : [])));
  return { endsWithToolResult: last?.role === 'tool', lastUserText: contentText(lastUser?.content), called };
}

/** The same for Responses API input (a string, or items: messages, function_call, function_call_output). */
function responsesConversationTail(input) {
  if (typeof input === 'string') return { endsWithToolResult: false, lastUserText: input, called: new Set() };
  const list = Array.isArray(input) ? input : [];
  const last = list.at(-1);
  const lastUser = list.findLast((item) => item?.role === 'user');
  const called = new Set(list.filter((item) => item?.type === 'function_call').map((item) => item.name));
  return { endsWithToolResult: last?.type === 'function_call_output', lastUserText: contentText(lastUser?.content), called };
}

/** Responses API tools are flat ({type, name, parameters}); normalise to the chat shape's function part. */
function responsesTools(tools) {
  return (Array.isArray(tools) ? tools : []).filter((t) => t?.type === 'function').map((t) => ({ type: 'function', function: { name: t.name, parameters: t.parameters } }));
}

/** @returns {{ name: string, parameters: unknown } | undefined} */
function chosenTool(tools, toolChoice, { endsWithToolResult, lastUserText, called }) {
  const functions = (Array.isArray(tools) ? tools : []).map((t) => t?.function).filter((f) => typeof f?.name === 'string');
  if (functions.length === 0 || toolChoice === 'none') return undefined;
  const named = toolChoice?.function?.name ?? toolChoice?.name;
  if (typeof named === 'string') return endsWithToolResult ? undefined : functions.find((f) => f.name === named);
  if (toolChoice === 'required') return endsWithToolResult ? undefined : functions[0];
  const mentioned = functions
    .map((f) => ({ f, at: lastUserText.indexOf(f.name) }))
    .filter(({ f, at }) => at >= 0 && !called.has(f.name))
    .sort((a, b) => a.at - b.at);
  return mentioned[0]?.f;
}

/** Arguments that satisfy a simple JSON schema: strings, numbers, integers, booleans, enums. */
function toolArguments(schema, random) {
  const properties = schema && typeof schema === 'object' && schema.properties && typeof schema.properties === 'object' ? schema.properties : {};
  const args = {};
  for (const [name, property] of Object.entries(properties).slice(0, 32)) {
    if (Array.isArray(property?.enum) && property.enum.length > 0) args[name] = property.enum[Math.floor(random() * property.enum.length)];
    else if (property?.type === 'number' || property?.type === 'integer') args[name] = Math.floor(random() * 100);
    else if (property?.type === 'boolean') args[name] = random() < 0.5;
    else args[name] = WORDS[Math.floor(random() * WORDS.length)];
  }
  return args;
}

function replyWords(random) {
  const count = 8 + Math.floor(random() * 24);
  return Array.from({ length: count }, () => WORDS[Math.floor(random() * WORDS.length)]);
}

/** ~1.3 tokens per word, at least 1: close enough to a tokenizer for usage numbers. */
function countTokens(text) {
  const words = text.split(/\s+/).filter(Boolean).length;
  return Math.max(1, Math.ceil(words * 1.3));
}

function splitEvery(text, size) {
  const parts = [];
  for (let i = 0; i < text.length; i += size) parts.push(text.slice(i, i + size));
  return parts.length > 0 ? parts : [''];
}

function startSse(res) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
}

function writeSse(res, data, event) {
  res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
}

function endWithSseError(res) {
  writeSse(res, { error: { message: 'The server had an error while streaming the response.', type: 'server_error', code: 'server_error', param: null } });
  res.end();
}

function sendJson(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res, status, code, message) {
  const type = status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error';
  sendJson(res, status, { error: { message, type, param: null, code } });
}

function sleep(ms) {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
