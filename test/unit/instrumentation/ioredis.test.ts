// The ioredis settings without a server: db.query.text never carries an argument (bounded, whatever the command),
// the command table maps commands (any case) to memory operations, and a read's raw reply — RESP2 or RESP3 shape —
// to a bounded result count.
import { describe, expect, it } from 'vitest';
import { MAX_COUNTED, memoryCommandOf, resultCountOf } from '../../../instrumentation/ioredis/commands.js';
import { redisStatement } from '../../../instrumentation/ioredis/instrumentation.js';

describe('redisStatement (db.query.text)', () => {
  it('the command and one ? per argument, nothing of the arguments', () => {
    expect(redisStatement('ping', [])).toBe('ping');
    expect(redisStatement('set', ['user:42:secret', 'password', 'EX', 10])).toBe('set ? ? ? ?');
    expect(redisStatement('mset', Array.from({ length: 5000 }, (_, i) => `k${i}`))).toBe('mset ? ? ? ? ? ? ? ? …');
    expect(redisStatement('x'.repeat(100), ['a'])).toBe(`${'x'.repeat(32)}… ?`);
    expect(redisStatement('get', undefined as never)).toBe('get');
  });
});

describe('memoryCommandOf', () => {
  it('reads, searches, writes and deletes by name, in any case; other commands are no memory operation', () => {
    expect(memoryCommandOf('GET')).toEqual({ operation: 'get', shape: 'one' });
    expect(memoryCommandOf('hgetall')).toEqual({ operation: 'get', shape: 'pairs' });
    expect(memoryCommandOf('FT.SEARCH')).toEqual({ operation: 'search', shape: 'total' });
    expect(memoryCommandOf('scan')).toEqual({ operation: 'search', shape: 'scan' });
    expect(memoryCommandOf('set')).toEqual({ operation: 'put' });
    expect(memoryCommandOf('Unlink')).toEqual({ operation: 'delete' });
    for (const other of ['ping', 'info', 'select', 'multi', 'exec', 'eval', 'subscribe', 'hello', 'x'.repeat(10_000)]) expect(memoryCommandOf(other), other).toBeUndefined();
  });
});

describe('resultCountOf', () => {
  it('counts by the reply shape; an unexpected shape gives no count', () => {
    expect(resultCountOf('one', 'value')).toBe(1);
    expect(resultCountOf('one', null)).toBe(0);
    expect(resultCountOf('each', ['a', null, 'b'])).toBe(2);
    expect(resultCountOf('list', ['a', 'b', 'c'])).toBe(3);
    expect(resultCountOf('pairs', ['f1', 'v1', 'f2', 'v2'])).toBe(2); // RESP2
    expect(resultCountOf('pairs', { f1: 'v1', f2: 'v2', f3: 'v3' })).toBe(3); // RESP3, as ioredis 6 parses a map
    expect(resultCountOf('pairs', new Map([['f', 'v']]))).toBe(1);
    expect(resultCountOf('scan', ['0', ['k1', 'k2']])).toBe(2);
    expect(resultCountOf('integer', 2)).toBe(2);
    expect(resultCountOf('total', [7, 'doc:1', []])).toBe(7);
    expect(resultCountOf('list', 'OK')).toBeUndefined();
    expect(resultCountOf('integer', -1)).toBeUndefined();
    expect(resultCountOf('scan', ['0', 'nope'])).toBeUndefined();
  });

  it('a huge reply is scanned only up to MAX_COUNTED items', () => {
    const many = Array.from({ length: MAX_COUNTED * 3 }, () => 'v');
    expect(resultCountOf('each', many)).toBe(MAX_COUNTED);
    const fields = Object.fromEntries(many.map((v, i) => [`f${i}`, v]));
    expect(resultCountOf('pairs', fields)).toBe(MAX_COUNTED);
  });
});
