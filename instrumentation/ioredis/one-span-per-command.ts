/**
 * `@opentelemetry/instrumentation-ioredis` with one span per command, even when ioredis sends a command twice.
 *
 * ioredis passes a command through `sendCommand` again when it flushes its offline queue (commands issued before
 * the connection was ready) and when it resends after a reconnect (ioredis 6 built/Redis.js: "Commands may pass
 * through sendCommand multiple times"). The package's wrapper starts a span on every pass; when the resend runs in
 * a traced context — a client created inside a request or an agent, whose socket callbacks keep that context — the
 * command gets a second span, and a memory operation is counted twice (seen with ioredis 6.0, package 0.72; open
 * upstream since 2020: open-telemetry/opentelemetry-js-contrib#288. Elastic's agent (elastic/apm-agent-nodejs#2446)
 * and Sentry's channel integration (getsentry/sentry-javascript#22279) dedupe the same way, per command object).
 *
 * The guard sits outside the package's wrapper and remembers the commands it has passed on (a WeakSet: a command
 * object lives as long as ioredis holds it). A command's later passes run in the same context minus its span, where
 * the wrapper — `requireParentSpan: true`, which createIoRedisInstrumentation fixes — starts none and calls
 * ioredis directly. Only the public OpenTelemetry API is used. The guard is set by plain assignment, not the base
 * class's `_wrap` (which would first unwrap the package's wrapper), and taken off before the package re-patches, so
 * the package still finds, and replaces, its own wrapper.
 */
import { context, trace } from '@opentelemetry/api';
import type { InstrumentationNodeModuleDefinition } from '@opentelemetry/instrumentation';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';

interface RedisPrototype {
  sendCommand(this: unknown, command: unknown, ...rest: unknown[]): unknown;
}

export class OneSpanPerCommandIORedisInstrumentation extends IORedisInstrumentation {
  override init(): InstrumentationNodeModuleDefinition[] {
    // Called from the base constructor: no class fields of ours exist yet, so the state lives in this closure.
    const passed = new WeakSet<object>();
    // Each guard → the function it wraps, to take it off again.
    const guards = new WeakMap<object, RedisPrototype['sendCommand']>();
    const guard = (traced: RedisPrototype['sendCommand']): RedisPrototype['sendCommand'] => {
      const guarded = function sendCommand(this: unknown, command: unknown, ...rest: unknown[]): unknown {
        if (typeof command !== 'object' || command === null) return traced.call(this, command, ...rest);
        if (!passed.has(command)) {
          passed.add(command);
          return traced.call(this, command, ...rest);
        }
        return context.with(trace.deleteSpan(context.active()), () => traced.call(this, command, ...rest));
      };
      guards.set(guarded, traced);
      return guarded;
    };
    const unguard = (proto: RedisPrototype): void => {
      const traced = guards.get(proto.sendCommand);
      if (traced !== undefined) proto.sendCommand = traced;
    };
    return super.init().map((definition) => {
      const { patch, unpatch } = definition;
      // A module is patched once per loader that sees it (require-in-the-middle for the CommonJS exports,
      // import-in-the-middle for an ESM namespace of the same prototype). The package's patch unwraps its own
      // wrapper before wrapping again; ours is taken off first, so it finds its own and the layers stay single.
      definition.patch = (exports: unknown, version?: string): unknown => {
        const before = prototypeOf(exports);
        if (before !== undefined) unguard(before);
        const patched = patch === undefined ? exports : patch(exports, version);
        const proto = prototypeOf(patched);
        if (proto !== undefined) proto.sendCommand = guard(proto.sendCommand);
        return patched;
      };
      definition.unpatch = (exports: unknown, version?: string): void => {
        const proto = prototypeOf(exports);
        if (proto !== undefined) unguard(proto);
        unpatch?.(exports, version);
      };
      return definition;
    });
  }
}

/** Redis.prototype from the module's exports, CommonJS or an ESM namespace (as the package reads it). */
function prototypeOf(exports: unknown): RedisPrototype | undefined {
  if (exports === null || exports === undefined) return undefined;
  const namespace = exports as { [Symbol.toStringTag]?: unknown; default?: { prototype?: RedisPrototype }; prototype?: RedisPrototype };
  const main = namespace[Symbol.toStringTag] === 'Module' ? namespace.default : namespace;
  const proto = main?.prototype;
  return proto !== undefined && typeof proto.sendCommand === 'function' ? proto : undefined;
}
