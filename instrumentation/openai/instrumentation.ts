/**
 * OpenTelemetry instrumentation of the `openai` package, 7.x — the versions the official
 * `@opentelemetry/instrumentation-openai` (openai >=4 <7) does not cover.
 *
 * Patches `create` on the prototypes of `OpenAI.Chat.Completions`, `OpenAI.Responses` and `OpenAI.Embeddings`,
 * reached from the package's main export (CommonJS `require('openai')` through require-in-the-middle, ESM
 * `import 'openai'` through import-in-the-middle — both via `InstrumentationBase`). Every client instance and the
 * SDK's own helpers (`chat.completions.stream`, `responses.stream`, `@openai/agents`' models) go through them.
 *
 * Each call is one GenAI client span made by the same code as `aiRequest` (`startAiRequestOn`,
 * src/agent/ai-request.ts) on the instrumentation's own tracer (its scope; `setTracerProvider` honoured): same name (`chat gpt-4o`), kind, `gen_ai.*` attributes, `sentry.op`, error recording
 * and content-capture switch. Only the OpenTelemetry API and that helper are used, so the class can move into an
 * upstream package together with the helper.
 *
 * How a call's outcome is observed without changing what the caller sees (architecture §4.1): `create` returns
 * the SDK's `APIPromise`, whose body is parsed only when someone awaits it (`asResponse()` must still return an
 * unread body). The same object is returned; on it, the response promise is replaced by one that records a
 * failed request and rejects exactly as before, and the parser by one that hands the parsed value to the span
 * (usage, response model and id, finish reasons, output) or, for `stream: true`, decorates the `Stream`'s
 * iterator: the span ends when the stream ends, fails, or the consumer stops early, records the time to the first
 * chunk, and takes usage from the final chunk. A caller reading only `asResponse()` ends the span at the headers.
 *
 * A call made inside the caller's own `aiRequest` (code written before the preload traced openai) gets no second
 * span: one call, one span, counted once.
 */
import { InstrumentationBase, InstrumentationNodeModuleDefinition, isWrapped, type InstrumentationConfig } from '@opentelemetry/instrumentation';
import { context, diag, type Tracer } from '@opentelemetry/api';
import { isInAiRequest, startAiRequestOn, type AiRequestHandle } from '../../src/agent/ai-request.js';
import { agentsSdkModelCallMirror, isInAgentsSdkModelCall } from '../openai-agents/model-call.js';
import { isStreamRequest, providerOf, requestModelOf, requestOptions, type OpenAiEndpoint } from './request-options.js';

/** Versions patched: 7.x (the official instrumentation-openai covers >=4 <7). */
export const SUPPORTED_OPENAI_VERSIONS = ['>=7.0.0 <8'];

export const OPENAI_INSTRUMENTATION_NAME = 'agent-otel-bridge/instrumentation-openai';
const OPENAI_INSTRUMENTATION_VERSION = '0.1.0';

/** No options of its own yet: content capture follows `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT`, as for `aiRequest`. */
export type OpenAIInstrumentationConfig = InstrumentationConfig;

type Create = (this: unknown, body: unknown, ...rest: unknown[]) => unknown;
interface Patchable {
  create: Create;
}

/** Where each traced `create` lives on the main export (openai 7.x client.mjs: `OpenAI.Chat = Chat`, …). */
function targets(moduleExports: unknown): [OpenAiEndpoint, Patchable][] {
  const OpenAI = read(moduleExports, 'OpenAI') ?? read(moduleExports, 'default');
  const prototypes: [OpenAiEndpoint, unknown][] = [
    ['chat.completions', read(read(read(OpenAI, 'Chat'), 'Completions'), 'prototype')],
    ['responses', read(read(OpenAI, 'Responses'), 'prototype')],
    ['embeddings', read(read(OpenAI, 'Embeddings'), 'prototype')],
  ];
  return prototypes.filter((entry): entry is [OpenAiEndpoint, Patchable] => typeof read(entry[1], 'create') === 'function');
}

export class OpenAIInstrumentation extends InstrumentationBase<OpenAIInstrumentationConfig> {
  constructor(config: OpenAIInstrumentationConfig = {}) {
    super(OPENAI_INSTRUMENTATION_NAME, OPENAI_INSTRUMENTATION_VERSION, config);
  }

  protected init(): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      'openai',
      SUPPORTED_OPENAI_VERSIONS,
      (moduleExports: unknown) => {
        for (const [endpoint, prototype] of targets(moduleExports)) {
          if (isWrapped(prototype.create)) this._unwrap(prototype, 'create');
          this._wrap(prototype, 'create', (original) => tracedCreate(endpoint, original, () => this.tracer));
        }
        return moduleExports;
      },
      (moduleExports: unknown) => {
        for (const [, prototype] of targets(moduleExports)) if (isWrapped(prototype.create)) this._unwrap(prototype, 'create');
      },
    );
  }
}

function tracedCreate(endpoint: OpenAiEndpoint, original: Create, tracer: () => Tracer): Create {
  return function (this: unknown, body: unknown, ...rest: unknown[]): unknown {
    // Already inside the caller's own aiRequest, or an Agents SDK model call the bridge mirrors as a chat span
    // (instrumentation/openai-agents/): that span records it (one call, one span).
    if (isInAiRequest()) return original.call(this, body, ...rest);
    if (isInAgentsSdkModelCall()) return inAgentsSdkModelCall(body, () => original.call(this, body, ...rest));
    const handle = guarded('start span', () => startAiRequestOn(tracer(), requestOptions(endpoint, body, providerOf(this))));
    if (handle === undefined) return original.call(this, body, ...rest);
    let result: unknown;
    try {
      result = handle.run(() => original.call(this, body, ...rest));
    } catch (err) {
      handle.fail(err);
      throw err;
    }
    observe(handle, result, isStreamRequest(body));
    return result;
  };
}

/**
 * An Agents SDK model call: its chat span (the trace processor's mirror) learns the requested model — the SDK's
 * span data leaves it out when the run traces no data or the call fails — and a failed request's error; the request
 * runs in that span's context, so its HTTP span is the chat span's child (the SDK keeps its own context store, not
 * OpenTelemetry's).
 */
function inAgentsSdkModelCall(body: unknown, call: () => unknown): unknown {
  const mirror = guarded('agents model call', () => {
    const found = agentsSdkModelCallMirror();
    const model = requestModelOf(body);
    if (found !== undefined && model !== undefined) found.noteRequestModel(model);
    return found;
  });
  if (mirror === undefined) return call();
  const result = context.with(mirror.context, call);
  guarded('observe agents model call', () => {
    if (!isApiPromise(result)) return;
    // as observeApiPromise: the replacement rejects with the same error
    result.responsePromise = result.responsePromise.then(undefined, (err: unknown) => {
      guarded('agents model call failure', () => mirror.noteFailure(err));
      throw err;
    });
  });
  return result;
}

const reported = new Set<string>();

/**
 * Our own failure (an SDK shape we did not expect, a frozen object…) never reaches the caller and never marks the
 * call failed: one diag line per place, then `undefined`.
 */
function guarded<T>(where: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (!reported.has(where)) {
      reported.add(where);
      diag.warn(`${OPENAI_INSTRUMENTATION_NAME}: ${where} failed, the call is not traced further: ${err instanceof Error ? err.message : String(err)}`);
    }
    return undefined;
  }
}

/** The SDK's APIPromise as far as it is read here (openai 7.x core/api-promise.mjs). */
interface ApiPromiseLike {
  responsePromise: Promise<unknown>;
  parseResponse: (...args: unknown[]) => Promise<unknown>;
  parse: () => Promise<unknown>;
  asResponse: () => Promise<unknown>;
}

function isApiPromise(value: unknown): value is ApiPromiseLike {
  return (
    value instanceof Promise &&
    read(value, 'responsePromise') instanceof Promise &&
    typeof read(value, 'parseResponse') === 'function' &&
    typeof read(value, 'parse') === 'function' &&
    typeof read(value, 'asResponse') === 'function'
  );
}

function observe(handle: AiRequestHandle, result: unknown, stream: boolean): void {
  const observed = guarded('observe result', () => {
    if (isApiPromise(result)) observeApiPromise(handle, result, stream);
    // Another thenable (not what openai 7.x returns): observed like aiRequest observes one.
    else if (result instanceof Promise) result.then((value) => settle(handle, value, stream), (err: unknown) => handle.fail(err));
    else settle(handle, result, stream);
    return true;
  });
  if (observed === undefined) handle.end(); // end the span rather than leave it open
}

function observeApiPromise(handle: AiRequestHandle, promise: ApiPromiseLike, stream: boolean): void {
  let parsing = false;
  let settled = false;
  const { responsePromise, parseResponse, parse, asResponse } = promise;
  // A failed request (HTTP error after retries, connection error) rejects the response promise. The replacement
  // rejects with the same error, so a caller that never awaits still gets the unhandled rejection it would have.
  promise.responsePromise = responsePromise.then(undefined, (err: unknown) => {
    handle.fail(err);
    throw err;
  });
  promise.parseResponse = async function (this: unknown, ...args: unknown[]): Promise<unknown> {
    parsing = true;
    let value: unknown;
    try {
      value = await parseResponse.apply(this, args);
    } catch (err) {
      handle.fail(err); // the SDK's own failure (a body it cannot parse): recorded, passed on unchanged
      throw err;
    }
    if (!settled) {
      settled = true;
      if (guarded('read result', () => settle(handle, value, stream)) === undefined) handle.end();
    }
    return value;
  };
  promise.parse = function (this: unknown): Promise<unknown> {
    parsing = true; // withResponse() parses and reads the raw response: the parsed value ends the span
    return parse.call(this);
  };
  promise.asResponse = function (this: unknown): Promise<unknown> {
    const response = asResponse.call(this);
    response.then(
      () => {
        if (!parsing) handle.end(); // raw access only: the body is the caller's, the span ends at the headers
      },
      () => {}, // already recorded through the response promise; the caller handles its own rejection
    );
    return response;
  };
}

/** A parsed result: a stream gets its iterator decorated, anything else is harvested and ends the span. */
function settle(handle: AiRequestHandle, value: unknown, stream: boolean): true {
  if (!stream || !decorateStream(handle, value)) handle.end(value);
  return true;
}

/**
 * The SDK's `Stream` reads events through its `iterator()` (`for await`, `tee()` and `toReadableStream()` all do,
 * openai 7.x core/streaming.mjs; the SDK itself decorates it the same way in `__betaTransformIterator`).
 */
function decorateStream(handle: AiRequestHandle, value: unknown): boolean {
  const iterator = read(value, 'iterator');
  if (typeof iterator !== 'function') return false;
  const source = value as { iterator: () => AsyncIterator<unknown> };
  source.iterator = function (this: unknown): AsyncIterator<unknown> {
    const events = { [Symbol.asyncIterator]: () => iterator.call(this) as AsyncIterator<unknown> };
    return handle.observeStream(events)[Symbol.asyncIterator]();
  };
  return true;
}

function read(value: unknown, key: string): unknown {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  try {
    return (value as Record<string, unknown>)[key];
  } catch {
    return undefined;
  }
}
