/**
 * Short names of the instrumentations the preload can register, as OTEL_NODE_ENABLED_INSTRUMENTATIONS /
 * OTEL_NODE_DISABLED_INSTRUMENTATIONS spell them (the OpenTelemetry convention: the package name after
 * `@opentelemetry/instrumentation-`, so `openai` also names the bridge's own instrumentation of the openai package,
 * and `fastify` names `@fastify/otel`, the instrumentation the Fastify project maintains since OpenTelemetry
 * deprecated `@opentelemetry/instrumentation-fastify`).
 */
export const INSTRUMENTATION_NAMES = ['http', 'undici', 'express', 'fastify', 'koa', 'openai', 'openai-agents', 'ioredis'] as const;
export type InstrumentationName = (typeof INSTRUMENTATION_NAMES)[number];

export function isInstrumentationName(name: string): name is InstrumentationName {
  return (INSTRUMENTATION_NAMES as readonly string[]).includes(name);
}
