// The ioredis settings without a server: db.query.text never carries an argument (bounded, whatever the command),
// the command table maps commands (any case) to memory operations, and a read's raw reply — RESP2 or RESP3 shape —
// to a bounded result count; a server error's text never reaches the span.
import { describe, expect, it } from 'vitest';
import { MAX_COUNTED, memoryCommandOf, resultCountOf } from '../../../instrumentation/ioredis/commands.js';
import { redisStatement } from '../../../instrumentation/ioredis/instrumentation.js';
import { redactServerError, redactServerErrorsOn, redisErrorCode } from '../../../instrumentation/ioredis/reply-errors.js';
import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';

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
    // inside MULTI each command is answered QUEUED: no count (not a hit)
    expect(resultCountOf('one', 'QUEUED')).toBeUndefined();
    expect(resultCountOf('one', Buffer.from('QUEUED'))).toBeUndefined();
  });

  it('a huge reply is scanned only up to MAX_COUNTED items', () => {
    const many = Array.from({ length: MAX_COUNTED * 3 }, () => 'v');
    expect(resultCountOf('each', many)).toBe(MAX_COUNTED);
    const fields = Object.fromEntries(many.map((v, i) => [`f${i}`, v]));
    expect(resultCountOf('pairs', fields)).toBe(MAX_COUNTED);
  });
});

describe('server errors on the span (reply-errors.ts)', () => {
  class ReplyError extends Error {
    override get name() {
      return 'ReplyError';
    }
  }

  it('a reply error keeps its code and frames, never its text; other errors stay whole', () => {
    const echo = new ReplyError("ERR unknown command 'JSON.SET', with args beginning with: 'user:42' '$' '\"secret\"'");
    const redacted = redactServerError(echo) as Error;
    expect(redacted.name).toBe('ReplyError');
    expect(redacted.message).toBe('ERR');
    expect(redacted.stack!.split('\n')[0]).toBe('ReplyError: ERR');
    expect(redacted.stack).not.toContain('secret');
    expect(redacted.stack!.split('\n').length).toBeGreaterThan(1); // the frames stay
    expect((redactServerError(new ReplyError('WRONGTYPE Operation against a key holding the wrong kind of value')) as Error).message).toBe('WRONGTYPE');
    expect((redactServerError(new ReplyError('secret text first')) as Error).message).toBe('ERR');
    const own = new Error('Connection is closed.');
    expect(redactServerError(own)).toBe(own);
    expect(redactServerError('a string')).toBe('a string');
  });

  it('redisErrorCode reads a bounded prefix', () => {
    expect(redisErrorCode('MOVED 3999 127.0.0.1:6381')).toBe('MOVED');
    expect(redisErrorCode('NOSCRIPT No matching script')).toBe('NOSCRIPT');
    expect(redisErrorCode('A'.repeat(100_000))).toBe('ERR');
    expect(redisErrorCode('')).toBe('ERR');
  });

  it('on a real span: the exception event and the status message carry the code only', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    const span = provider.getTracer('t').startSpan('json.set');
    redactServerErrorsOn(span);
    const error = new ReplyError("ERR unknown command 'JSON.SET', with args beginning with: 'user:42'");
    span.recordException(error); // what the package's endSpan does
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
    span.end();
    const [ended] = exporter.getFinishedSpans();
    expect(ended!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'ERR' });
    expect(ended!.events[0]!.attributes).toMatchObject({ 'exception.type': 'ReplyError', 'exception.message': 'ERR' });
    expect(JSON.stringify(ended!.events)).not.toContain('user:42');
    expect(error.message).toContain('user:42'); // the application's error is untouched
  });
});
