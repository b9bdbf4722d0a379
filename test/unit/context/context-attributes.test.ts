/**
 * The allowlisted context reaches every span of the trace at start, through the real SDK: from baggage, from the
 * local parent's attributes, never overriding the span's own; personal keys only behind the switch; a value too
 * long to be an id is not copied and is counted.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContextAttributesProcessor } from '../../../src/processors/context-attributes.js';
import { DEFAULT_CONTEXT_KEYS, type ContextPolicy } from '../../../src/context/keys.js';
import { countContextDrops, type DropCounter } from './drops.js';

let exporter: InMemorySpanExporter;
let provider: TracerProvider;
let drops: DropCounter;

function setup(policy: ContextPolicy): void {
  exporter = new InMemorySpanExporter();
  provider = new TracerProvider({ spanProcessors: [new ContextAttributesProcessor(policy), new SimpleSpanProcessor({ exporter })] });
}

beforeEach(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  drops = countContextDrops();
});
afterEach(async () => {
  await provider.shutdown();
  await drops.close();
  context.disable();
});

const withBaggage = (entries: Record<string, string>) =>
  propagation.setBaggage(context.active(), propagation.createBaggage(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, { value: v }]))));

describe('ContextAttributesProcessor', () => {
  it('copies allowlisted baggage members onto every span of the trace, nested ones included; others stay out', () => {
    setup({ keys: DEFAULT_CONTEXT_KEYS, personalData: false });
    const tracer = provider.getTracer('t');
    context.with(withBaggage({ 'user.id': 'u-1', 'tenant.id': 'acme', 'gen_ai.conversation.id': 'conv-9', 'x-other': 'no' }), () => {
      tracer.startActiveSpan('root', (root) => {
        tracer.startActiveSpan('child', (child) => {
          tracer.startSpan('grandchild').end();
          child.end();
        });
        root.end();
      });
    });
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(3);
    for (const span of spans) {
      expect(span.attributes['user.id'], span.name).toBe('u-1');
      expect(span.attributes['tenant.id'], span.name).toBe('acme');
      expect(span.attributes['gen_ai.conversation.id'], span.name).toBe('conv-9');
      expect(span.attributes['x-other'], span.name).toBeUndefined();
    }
  });

  it("an id set on the local root reaches the spans started under it; a span's own value wins", () => {
    setup({ keys: DEFAULT_CONTEXT_KEYS, personalData: false });
    const tracer = provider.getTracer('t');
    tracer.startActiveSpan('root', { attributes: { 'tenant.id': 'from-root' } }, (root) => {
      root.setAttribute('user.id', 'set-later-on-root');
      tracer.startSpan('child').end();
      tracer.startSpan('own', { attributes: { 'tenant.id': 'own' } }).end();
      root.end();
    });
    const byName = new Map(exporter.getFinishedSpans().map((s) => [s.name, s]));
    expect(byName.get('child')!.attributes['tenant.id']).toBe('from-root');
    expect(byName.get('child')!.attributes['user.id']).toBe('set-later-on-root');
    expect(byName.get('own')!.attributes['tenant.id']).toBe('own');
  });

  it('personal keys are ignored without the switch, copied with it', () => {
    const keys = [...DEFAULT_CONTEXT_KEYS, 'user.email', 'user.name'];
    for (const personalData of [false, true]) {
      setup({ keys, personalData });
      context.with(withBaggage({ 'user.id': 'u-1', 'user.email': 'ada@example.com', 'user.name': 'ada' }), () => provider.getTracer('t').startSpan('s').end());
      const [span] = exporter.getFinishedSpans();
      expect(span!.attributes['user.id']).toBe('u-1');
      expect(span!.attributes['user.name']).toBe(personalData ? 'ada' : undefined);
      expect(span!.attributes['user.email']).toBe(personalData ? 'ada@example.com' : undefined);
      void provider.shutdown();
    }
  });

  it('a value longer than an id may be is not copied, and is counted', async () => {
    setup({ keys: DEFAULT_CONTEXT_KEYS, personalData: false });
    context.with(withBaggage({ 'user.id': 'x'.repeat(257), 'tenant.id': 'acme' }), () => provider.getTracer('t').startSpan('s').end());
    const [span] = exporter.getFinishedSpans();
    expect(span!.attributes['user.id']).toBeUndefined();
    expect(span!.attributes['tenant.id']).toBe('acme');
    expect(await drops.count('value_too_long')).toBe(1);
  });

  it('an empty allowlist copies nothing', () => {
    setup({ keys: [], personalData: false });
    context.with(withBaggage({ 'user.id': 'u-1' }), () => provider.getTracer('t').startSpan('s').end());
    expect(exporter.getFinishedSpans()[0]!.attributes['user.id']).toBeUndefined();
    expect(trace.getActiveSpan()).toBeUndefined();
  });
});
