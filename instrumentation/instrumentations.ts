/**
 * The instrumentations the preload registers, chosen by name (config.instrumentations: OTEL_NODE_ENABLED_INSTRUMENTATIONS
 * / OTEL_NODE_DISABLED_INSTRUMENTATIONS). A library instrumentation is imported only when it is enabled *and* its
 * library resolves from the application, so an app without `openai` loads neither the package nor our patching
 * code (checked by test/e2e/openai-instrumentation.test.ts through the module list; for the web frameworks by
 * test/e2e/framework-errors.test.ts).
 */
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import type { InstrumentationName } from '../src/instrumentation-names.js';
import { isTelemetryRequest } from '../src/telemetry-requests.js';
import { warn } from '../src/log.js';
import { nameHttpServerSpan } from '../src/naming/http-server-span-name.js';

export interface InstrumentationOptions {
  /** Requests to the bridge's own endpoints (/metrics, /healthz): no span, not an entry point of the app. */
  isOwnEndpoint?: (request: IncomingMessage) => boolean;
}

export async function createInstrumentations(names: readonly InstrumentationName[], options: InstrumentationOptions = {}): Promise<Instrumentation[]> {
  const instrumentations: Instrumentation[] = [];
  if (names.includes('http')) {
    instrumentations.push(
      new HttpInstrumentation({
        ignoreOutgoingRequestHook: (request) => isTelemetryRequest(request.path ?? ''),
        ...(options.isOwnEndpoint === undefined ? {} : { ignoreIncomingRequestHook: options.isOwnEndpoint }),
        requestHook: nameHttpServerSpan,
      }),
    );
  }
  if (names.includes('undici')) {
    instrumentations.push(new UndiciInstrumentation({ ignoreRequestHook: (request) => isTelemetryRequest(request.path) }) as never);
  }
  for (const framework of WEB_FRAMEWORKS) {
    if (!names.includes(framework.name) || !isInstalled(framework.library)) continue;
    try {
      instrumentations.push(await framework.create());
    } catch (err) {
      // a framework's instrumentation failing to start: that framework untraced, never the whole preload
      warn(`the ${framework.name} instrumentation could not start, ${framework.library} is not traced: ${(err as Error).message}`);
    }
  }
  if (names.includes('openai') && isInstalled('openai')) {
    const { OpenAIInstrumentation } = await import('./openai/instrumentation.js');
    instrumentations.push(new OpenAIInstrumentation());
  }
  // The Agents SDK is hooked on @openai/agents-core (what @openai/agents re-exports; with pnpm only the latter may
  // resolve from the app).
  if (names.includes('openai-agents') && (isInstalled('@openai/agents') || isInstalled('@openai/agents-core'))) {
    const { createOpenAiAgentsInstrumentation } = await import('./openai-agents/instrumentation.js');
    instrumentations.push(createOpenAiAgentsInstrumentation());
  }
  // Redis through the maintained package, with a statement that carries no key or value and agent memory
  // mapping (instrumentation/ioredis/instrumentation.ts).
  if (names.includes('ioredis') && isInstalled('ioredis')) {
    const { createIoRedisInstrumentation } = await import('./ioredis/instrumentation.js');
    instrumentations.push(createIoRedisInstrumentation());
  }
  return instrumentations;
}

/**
 * Web frameworks: their layer/handler spans carry the route and the exception the framework's error handler
 * answered; the framework-spans processor hands both to the request's server span (src/processors/framework-spans.ts).
 */
const WEB_FRAMEWORKS: readonly { name: InstrumentationName; library: string; create: () => Promise<Instrumentation> }[] = [
  {
    name: 'express',
    library: 'express',
    create: async () => new (await import('@opentelemetry/instrumentation-express')).ExpressInstrumentation(),
  },
  {
    name: 'fastify',
    library: 'fastify',
    // @fastify/otel on Fastify's `fastify.initialization` diagnostics channel: every instance gets the plugin, no
    // `app.register(...)` in the app. The package itself is loaded with the app's first instance (./fastify.ts).
    create: async () => new (await import('./fastify.js')).LazyFastifyInstrumentation(),
  },
  {
    name: 'koa',
    library: 'koa',
    create: async () => new (await import('@opentelemetry/instrumentation-koa')).KoaInstrumentation(),
  },
];

/**
 * Whether `name` resolves from the application: its main script's folder or the working directory (the library
 * is the application's dependency, not the bridge's). Resolution only: nothing is loaded.
 */
function isInstalled(name: string): boolean {
  const main = process.argv[1];
  const bases = [...(main === undefined ? [] : [main]), join(process.cwd(), 'index.js')];
  for (const base of bases) {
    try {
      createRequire(base).resolve(name);
      return true;
    } catch {
      // not found from here
    }
  }
  return false;
}
