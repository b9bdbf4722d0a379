import { describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { FILTERED, Scrubber, scrubEvent, scrubString } from '../../../src/scrub/index.js';
import { MAYBE_SECRET } from '../../../src/scrub/patterns.js';
import { ScrubSpanProcessor } from '../../../src/processors/scrub.js';
import { MESSAGE_CONTENT_ATTRIBUTES, setCaptureMessageContent } from '../../../src/agent/content.js';

const SECRETS: Array<[string, string]> = [
  ['bearer token', 'Authorization was Bearer eyabc123SECRETtoken'],
  ['OpenAI key', 'using sk-proj-abcdefghijklmnopqrstuvwx for the call'],
  ['Anthropic key', 'key sk-ant-api03-abcdefghijklmnopqrst'],
  ['GitHub token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
  ['AWS key id', 'AKIAIOSFODNN7EXAMPLE in env'],
  ['Slack token', 'xoxb-123456789012-abcdefghij'],
  ['JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'],
  ['URL password', 'postgres://admin:hunter2secret@db.internal:5432/app'],
  ['DSN key', 'https://0123456789abcdef0123456789abcdef@o0.ingest.sentry.io/1'],
  ['query token', 'http://127.0.0.1/cb?page=2&token=qSECRETq&x=1'],
  ['query api_key', 'https://api.local/v1?api_key=aSECRETa'],
  ['e-mail', 'contact jane.doe+ops@example.com now'],
  ['password in prose', 'my password is pSECRETp, remember it'],
  ['secret assignment', 'config secret=sSECRETs loaded'],
];
const PLANTED = ['eyabc123SECRETtoken', 'abcdefghijklmnopqrstuvwx', 'api03-abcdefghijklmnopqrst', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'AKIAIOSFODNN7EXAMPLE', 'xoxb-123456789012-abcdefghij', 'dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'hunter2secret', '0123456789abcdef0123456789abcdef', 'qSECRETq', 'aSECRETa', 'jane.doe+ops@example.com', 'pSECRETp', 'sSECRETs'];

describe('scrubString', () => {
  it.each(SECRETS)('redacts a %s inside free text', (_kind, text) => {
    const clean = scrubString(text);
    expect(clean).toContain(FILTERED);
    for (const secret of PLANTED) expect(clean).not.toContain(secret);
  });

  it('keeps ordinary values untouched (and cheap)', () => {
    for (const value of ['gpt-4o', 'chat claude-sonnet', '/api/tasks/42', 'memory.search notes', 'GET', 'tokens used: 42', 'http://127.0.0.1:8080/healthz']) {
      expect(scrubString(value)).toBe(value);
    }
  });

  it('keeps the readable part of a URL while filtering its secrets', () => {
    expect(scrubString('http://127.0.0.1/cb?page=2&token=abc')).toBe(`http://127.0.0.1/cb?page=2&token=${FILTERED}`);
  });

  it('never throws and never lets a planted secret through (property)', () => {
    fc.assert(
      fc.property(fc.string(), fc.constantFrom(...SECRETS.map(([, text]) => text)), fc.string(), (before, secret, after) => {
        const clean = scrubString(`${before} ${secret} ${after}`);
        for (const planted of PLANTED) if (!`${before}${after}`.includes(planted)) expect(clean).not.toContain(planted);
      }),
      { numRuns: 500 },
    );
  });
});

describe('Scrubber keys', () => {
  const scrubber = new Scrubber(['x-tenant-secret-header']);
  it.each([
    'authorization',
    'http.request.header.authorization',
    'http.request.header.cookie',
    'http.response.header.set-cookie',
    'x-api-key',
    'api_key',
    'llm.api_key_used',
    'db.password',
    'client_secret',
    'refresh_token',
    'private_key',
    'session',
    'x-tenant-secret-header',
  ])('filters the value of %s', (key) => {
    expect(scrubber.attributeValue(key, 'anything')).toBe(FILTERED);
  });
  it.each(['gen_ai.usage.input_tokens', 'gen_ai.request.max_tokens', 'gen_ai.agent.name', 'agent.memory.result_count'])('leaves %s alone', (key) => {
    expect(scrubber.attributeValue(key, 42)).toBe(42);
  });
  it("keeps OpenTelemetry's session.id (an identifier), still redacting secret-shaped values in it; session_id and http headers stay filtered", () => {
    expect(scrubber.attributeValue('session.id', 'sess-42')).toBe('sess-42');
    expect(scrubber.attributeValue('session.id', 'Bearer abcdefSECRET')).toBe(`Bearer ${FILTERED}`);
    expect(scrubber.attributeValue('session_id', 'sess-42')).toBe(FILTERED);
    expect(scrubber.attributeValue('http.request.header.x-session-id', 'sess-42')).toBe(FILTERED);
    expect(new Scrubber(['session.id']).attributeValue('session.id', 'sess-42')).toBe(FILTERED);
    expect(scrubEvent({ tags: { 'session.id': 'sess-42' } })!.tags).toEqual({ 'session.id': 'sess-42' });
  });
});

describe('scrubEvent (Sentry beforeSend)', () => {
  it('walks exception values, request data, extra, contexts, tags and breadcrumbs', () => {
    const event = scrubEvent({
      exception: { values: [{ type: 'Error', value: 'failed with Bearer abcdefSECRET' }] },
      request: { url: 'http://h/x?token=t0kSECRET', headers: { Authorization: 'Basic dXNlcjpwYXNz', cookie: 'sid=1' }, cookies: { sid: 'abc' } },
      extra: { nested: { password: 'p4ss', note: 'mail me at a@b.co' } },
      tags: { apiKey: 'sk-abcdefghijklmnopqrstuvwxyz' },
      breadcrumbs: [{ message: 'called https://user:pw@host/path' }],
    });
    const text = JSON.stringify(event);
    for (const secret of ['abcdefSECRET', 't0kSECRET', 'dXNlcjpwYXNz', 'sid=1', 'p4ss', 'a@b.co', 'sk-abcdefghijklmnopqrstuvwxyz', 'user:pw']) {
      expect(text).not.toContain(secret);
    }
    expect(event!.exception!.values![0]!.value).toBe(`failed with Bearer ${FILTERED}`);
  });
});

describe('Scrubber remembered clean values', () => {
  it('a value seen clean for a key never lets a different, secret value of that key through', () => {
    const scrubber = new Scrubber();
    const attributes: Record<string, string> = { 'gen_ai.request.model': 'gpt-4o-2024-08-06' };
    for (let i = 0; i < 3; i++) {
      scrubber.attributesInPlace(attributes);
      expect(attributes['gen_ai.request.model']).toBe('gpt-4o-2024-08-06');
    }
    for (const [, secret] of SECRETS) {
      const span = { 'gen_ai.request.model': secret };
      scrubber.attributesInPlace(span);
      expect(span['gen_ai.request.model']).toBe(scrubString(secret));
      expect(span['gen_ai.request.model']).toContain(FILTERED);
      // and the clean value again is still clean, the secret again is still filtered
      const again = { 'gen_ai.request.model': 'gpt-4o-2024-08-06', other: secret };
      scrubber.attributesInPlace(again);
      expect(again).toEqual({ 'gen_ai.request.model': 'gpt-4o-2024-08-06', other: scrubString(secret) });
    }
  });

  it('a key with a new value on every span (an id) scrubs each value, secrets among them, as a key whose values repeat', () => {
    const scrubber = new Scrubber();
    const ids = Array.from({ length: 40 }, (_, i) => `chatcmpl-${i}`);
    const sequence = [...ids.slice(0, 20), ...SECRETS.map(([, secret]) => secret), ...ids.slice(20), ids[39]!, ids[39]!, ids[0]!];
    for (const value of sequence) {
      const span = { 'gen_ai.response.id': value, 'gen_ai.request.model': 'gpt-4o' };
      scrubber.attributesInPlace(span);
      expect(span).toEqual({ 'gen_ai.response.id': scrubString(value), 'gen_ai.request.model': 'gpt-4o' });
    }
    for (const [, secret] of SECRETS) expect(scrubString(secret)).toContain(FILTERED);
  });

  it('a key whose value differs by kind of span (a value per kind) is scanned once per value, not on every span', () => {
    const scrubber = new Scrubber();
    const scans = vi.spyOn(MAYBE_SECRET, 'test');
    try {
      const values = ['gen_ai.invoke_agent', 'memory.search', 'gen_ai.chat'];
      for (let i = 0; i < 90; i++) {
        const span = { 'sentry.op': values[i % 3]!, 'gen_ai.operation.name': i % 3 === 2 ? 'chat_completion' : 'invoke_agent' };
        scrubber.attributesInPlace(span);
        expect(span['sentry.op']).toBe(values[i % 3]);
      }
      // With one remembered value per key, each span's value displaced the other's: 128 scans here.
      expect(scans.mock.calls.length).toBeLessThan(20);
    } finally {
      scans.mockRestore();
    }
  });

  it('remembers clean span names without letting a secret name through', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new ScrubSpanProcessor(), new SimpleSpanProcessor({ exporter })] });
    const tracer = provider.getTracer('t');
    for (const name of ['chat gpt-4o', 'GET https://u:hunter2secret@api/x', 'chat gpt-4o', 'GET https://u:hunter2secret@api/x']) tracer.startSpan(name).end();
    await provider.forceFlush();
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['chat gpt-4o', `GET https://${FILTERED}@api/x`, 'chat gpt-4o', `GET https://${FILTERED}@api/x`]);
  });
});

describe('ScrubSpanProcessor', () => {
  it('redacts in onEnding, before later processors and exporters read the span', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new TracerProvider({ spanProcessors: [new ScrubSpanProcessor(), new SimpleSpanProcessor({ exporter })] });
    const span = provider.getTracer('t').startSpan('GET https://u:hunter2secret@api/x?token=qSECRETq');
    span.setAttribute('http.request.header.authorization', 'Bearer zzzSECRET');
    span.setAttribute('url.full', 'http://h/?api_key=aSECRETa');
    span.recordException(new Error('key sk-proj-abcdefghijklmnopqrstuvwx leaked'));
    span.setStatus({ code: SpanStatusCode.ERROR, message: 'denied for jane.doe+ops@example.com' });
    span.end();
    await provider.forceFlush();
    const [exported] = exporter.getFinishedSpans();
    const text = JSON.stringify({ name: exported!.name, attributes: exported!.attributes, events: exported!.events, status: exported!.status });
    for (const secret of ['hunter2secret', 'qSECRETq', 'zzzSECRET', 'aSECRETa', 'abcdefghijklmnopqrstuvwx', 'jane.doe+ops@example.com']) {
      expect(text).not.toContain(secret);
    }
    expect(exported!.attributes['http.request.header.authorization']).toBe(FILTERED);
  });
});

describe('ScrubSpanProcessor and message content', () => {
  const CONTENT = { 'gen_ai.input.messages': '[{"role":"user","content":"my diagnosis"}]', 'ai.prompt': 'the prompt', 'ai.response.text': 'the answer' };
  const KEPT = { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 12 };

  async function exportedAttributes(capture: boolean | undefined, attributes: Record<string, string | number>, name = 'chat gpt-4o') {
    setCaptureMessageContent(capture);
    try {
      const exporter = new InMemorySpanExporter();
      const provider = new TracerProvider({ spanProcessors: [new ScrubSpanProcessor(), new SimpleSpanProcessor({ exporter })] });
      const span = provider.getTracer('t').startSpan(name, { attributes });
      span.setAttribute('ai.response.text', 'set after the start');
      span.end();
      await provider.forceFlush();
      return exporter.getFinishedSpans()[0]!.attributes;
    } finally {
      setCaptureMessageContent(undefined);
    }
  }

  it('removes content attributes from every span while capture is off, GenAI or not, and keeps the rest', async () => {
    for (const name of ['chat gpt-4o', 'GET /api/tasks']) {
      expect(await exportedAttributes(false, { ...CONTENT, ...KEPT }, name)).toEqual(KEPT);
    }
  });

  it('keeps them when capture is on, switched at run time', async () => {
    expect(await exportedAttributes(true, { ...CONTENT, ...KEPT })).toEqual({ ...CONTENT, ...KEPT, 'ai.response.text': 'set after the start' });
    expect(await exportedAttributes(false, { ...CONTENT, ...KEPT })).toEqual(KEPT);
  });

  it('removes them from the filtered copy of attributes that cannot be scrubbed in place', () => {
    const attributes = Object.freeze({ ...CONTENT, ...KEPT, password: 'kSECRETk' });
    const clean = new Scrubber([], MESSAGE_CONTENT_ATTRIBUTES).scrubAttributes(attributes, true);
    expect(clean).toEqual({ ...KEPT, password: FILTERED });
  });
});
