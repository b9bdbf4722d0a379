/**
 * `ioredis` through the maintained `@opentelemetry/instrumentation-ioredis` (ioredis `>=2 <7`, 6.x included), with
 * the bridge's settings:
 *
 * - `db.query.text` is the command name and one `?` per argument (`set ? ?`), never a key or a value: the
 *   package's default serializer keeps keys and some values (`@opentelemetry/redis-common`: every argument of
 *   GET, DEL, …), and keys carry user ids, session ids, prompts. Privacy fails closed: nothing of the arguments is
 *   read but their number.
 * - A command run for an agent (inside `invokeAgent`, not inside the caller's own `memoryOperation`) is an agent
 *   memory operation (src/agent/memory-client.ts): get / put / search / delete from the command table
 *   (commands.ts), store `redis`, and a read's result count from the reply's shape — so it feeds
 *   `agent_memory_operation_duration_seconds` / `agent_memory_results` like `memoryOperation`. Outside an agent it
 *   stays a plain Redis client span.
 * - `requireParentSpan` stays true (the package default): a command with no active span (a background job, a
 *   connection's health check) makes no span, so idle clients do not fill traces.
 * - A server error is recorded on the span as its code only (`ERR`, `WRONGTYPE`): Redis quotes arguments in some
 *   error texts (reply-errors.ts).
 * - A command ioredis sends twice (offline queue, reconnect) is one span (one-span-per-command.ts).
 */
import type { Span } from '@opentelemetry/api';
import type { CommandArgs, IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { DB_SYSTEM_NAME_VALUE_REDIS } from '../../src/agent/semconv-incubating.js';
import { markMemoryClientSpan, recordMemoryResultCount } from '../../src/agent/memory-client.js';
import { memoryCommandOf, resultCountOf } from './commands.js';
import { OneSpanPerCommandIORedisInstrumentation } from './one-span-per-command.js';
import { redactServerErrorsOn } from './reply-errors.js';

/** Placeholders written before `…`: enough to tell `set ? ?` from `set ? ? ? ?` (EX), bounded for MSET of thousands. */
const MAX_PLACEHOLDERS = 8;
/** Longest command name copied into `db.query.text` (names come from the app's code, but are not trusted). */
const MAX_COMMAND_LENGTH = 32;
/** The store label of every Redis memory operation: bounded, unlike a key prefix an attacker may choose. */
export const REDIS_MEMORY_STORE = DB_SYSTEM_NAME_VALUE_REDIS;

/** `db.query.text`: the command and one `?` per argument (at most MAX_PLACEHOLDERS, then `…`); no argument is read. */
export function redisStatement(command: string, args: CommandArgs): string {
  const name = command.length > MAX_COMMAND_LENGTH ? `${command.slice(0, MAX_COMMAND_LENGTH)}…` : command;
  const n = Array.isArray(args) ? args.length : 0;
  if (n === 0) return name;
  return n <= MAX_PLACEHOLDERS ? `${name}${' ?'.repeat(n)}` : `${name}${' ?'.repeat(MAX_PLACEHOLDERS)} …`;
}

export function createIoRedisInstrumentation(): IORedisInstrumentation {
  // Spans tagged as reads, waiting for their reply's count (weak: a span whose command never settles is collected).
  const reads = new WeakMap<Span, (reply: unknown) => number | undefined>();
  return new OneSpanPerCommandIORedisInstrumentation({
    // Explicit: the resend guard (one-span-per-command.ts) relies on it.
    requireParentSpan: true,
    dbStatementSerializer: redisStatement,
    // Runs synchronously in the caller's context (the command's method → sendCommand), where the agent is known.
    requestHook: (span, { cmdName }) => {
      redactServerErrorsOn(span);
      const command = memoryCommandOf(cmdName);
      if (command === undefined || !markMemoryClientSpan(span, command.operation, REDIS_MEMORY_STORE)) return;
      const shape = command.shape;
      if (shape !== undefined) reads.set(span, (reply) => resultCountOf(shape, reply));
    },
    responseHook: (span, _cmdName, _cmdArgs, reply) => {
      const countOf = reads.get(span);
      if (countOf === undefined) return;
      reads.delete(span);
      const n = countOf(reply);
      if (n !== undefined) recordMemoryResultCount(span, n);
    },
  });
}
