/**
 * What a Redis command means for agent memory, from a fixed table of command names: the memory operation
 * (get / put / search / delete) and how to count a read's results. Commands not in the table (PING, INFO, SELECT,
 * MULTI, EVAL, pub/sub, …) are no memory operation. Keys and values are never read, only the reply's shape.
 *
 * Names per https://redis.io/docs/latest/commands/ (RediSearch `FT.*`, RedisJSON `JSON.*`, vector sets `V*`).
 */
import type { MemoryOperation } from '../../src/agent/memory.js';

/** How a read's reply turns into `agent.memory.result_count`. */
type ResultShape =
  /** One value or nil (GET, HGET): found = 1, nil = 0. */
  | 'one'
  /** An array of values, nil for each miss (MGET, HMGET): the non-nil ones. */
  | 'each'
  /** An array of results (LRANGE, SMEMBERS, KEYS): its length. */
  | 'list'
  /** A hash: a RESP3 map (ioredis 6's default protocol: an object or a Map) or a RESP2 flat field/value array. */
  | 'pairs'
  /** A SCAN reply `[cursor, [items]]`: the items' length. */
  | 'scan'
  /** An integer that is itself a count (EXISTS k1 k2 → keys found). */
  | 'integer'
  /** An FT.SEARCH / FT.AGGREGATE reply `[total, …]`: the total. */
  | 'total';

interface MemoryCommand {
  readonly operation: MemoryOperation;
  readonly shape?: ResultShape;
}

const get = (shape: ResultShape): MemoryCommand => ({ operation: 'get', shape });
const search = (shape: ResultShape): MemoryCommand => ({ operation: 'search', shape });
const PUT: MemoryCommand = { operation: 'put' };
const DELETE: MemoryCommand = { operation: 'delete' };

const COMMANDS: ReadonlyMap<string, MemoryCommand> = new Map<string, MemoryCommand>([
  // reads of known keys
  ...(['get', 'getex', 'getdel', 'hget', 'lindex', 'zscore', 'json.get', 'lpop', 'rpop'] as const).map((n) => [n, get('one')] as const),
  ...(['mget', 'hmget', 'json.mget'] as const).map((n) => [n, get('each')] as const),
  ...(['lrange', 'smembers', 'zrange', 'zrevrange', 'xrange', 'xrevrange', 'hkeys', 'hvals'] as const).map((n) => [n, get('list')] as const),
  ['hgetall', get('pairs')],
  ['exists', get('integer')],
  // searches: by pattern, score, or similarity
  ...(['keys', 'zrangebyscore', 'zrevrangebyscore', 'zrangebylex', 'geosearch', 'vsim'] as const).map((n) => [n, search('list')] as const),
  ...(['scan', 'sscan'] as const).map((n) => [n, search('scan')] as const),
  ...(['ft.search', 'ft.aggregate'] as const).map((n) => [n, search('total')] as const),
  // writes
  ...[
    'set', 'setex', 'psetex', 'setnx', 'getset', 'mset', 'msetnx', 'append', 'incr', 'incrby', 'incrbyfloat', 'decr', 'decrby',
    'hset', 'hsetnx', 'hmset', 'hincrby', 'lpush', 'rpush', 'lset', 'linsert', 'sadd', 'zadd', 'xadd', 'json.set', 'vadd',
    'expire', 'pexpire', 'expireat',
  ].map((n) => [n, PUT] as const),
  // deletes
  ...['del', 'unlink', 'hdel', 'srem', 'zrem', 'lrem', 'xdel', 'json.del', 'vrem'].map((n) => [n, DELETE] as const),
]);

/** Longest command name looked up; longer ones are no memory command (and are not lowercased). */
const MAX_COMMAND_LENGTH = 32;

/** The memory meaning of `command` (any case), or undefined. */
export function memoryCommandOf(command: string): MemoryCommand | undefined {
  if (command.length > MAX_COMMAND_LENGTH) return undefined;
  return COMMANDS.get(command.toLowerCase());
}

/**
 * Items inspected when counting (MGET misses, a RESP3 hash's fields): the count saturates there, so a reply of a
 * million fields costs a bounded scan. agent_memory_results' largest bucket is far below.
 */
export const MAX_COUNTED = 10_000;

/**
 * A command queued in a MULTI transaction is answered `QUEUED`; its result comes with EXEC. No count from that
 * (a GET of a value that is literally `QUEUED` loses its count too: rare, and no count is not a wrong count).
 */
const QUEUED = 'QUEUED';

/** `agent.memory.result_count` for a read's raw `reply`, or undefined when the reply has not the expected shape. */
export function resultCountOf(shape: ResultShape, reply: unknown): number | undefined {
  if (reply === QUEUED || (Buffer.isBuffer(reply) && reply.length === QUEUED.length && reply.toString('latin1') === QUEUED)) return undefined;
  switch (shape) {
    case 'one':
      return reply === null || reply === undefined ? 0 : 1;
    case 'each':
      return Array.isArray(reply) ? countPresent(reply) : undefined;
    case 'list':
      return Array.isArray(reply) ? reply.length : undefined;
    case 'pairs':
      return fieldCount(reply);
    case 'scan':
      return Array.isArray(reply) && Array.isArray(reply[1]) ? reply[1].length : undefined;
    case 'integer':
    case 'total': {
      const n = shape === 'total' && Array.isArray(reply) ? reply[0] : reply;
      return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : undefined;
    }
  }
}

function countPresent(items: readonly unknown[]): number {
  const end = Math.min(items.length, MAX_COUNTED);
  let n = 0;
  for (let i = 0; i < end; i++) if (items[i] !== null && items[i] !== undefined) n++;
  return n;
}

function fieldCount(reply: unknown): number | undefined {
  if (Array.isArray(reply)) return Math.floor(reply.length / 2);
  if (reply instanceof Map) return reply.size;
  if (reply === null || reply === undefined) return 0;
  if (typeof reply !== 'object') return undefined;
  let n = 0;
  for (const key in reply) {
    if (!Object.hasOwn(reply, key)) continue;
    if (++n >= MAX_COUNTED) break;
  }
  return n;
}
