import { context, createContextKey, propagation, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { isTracingSuppressed, suppressTracing } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../helpers/random.js';
import { linkable, MAX_LINKS } from '../../../src/agent/linked-context.js';

const KEYS = Array.from({ length: 6 }, (_, i) => createContextKey(`linked-context-test-${i}`));

/** How many links `getValue` walks before it reaches a context that is not linked. */
function chainLength(ctx: Context): number {
  let n = 0;
  for (let c = ctx as Context & { parent?: Context }; c.parent !== undefined; c = c.parent as Context & { parent?: Context }) n++;
  return n;
}

describe('linked contexts', () => {
  it('read like the API context under any sequence of setValue and deleteValue, from any branch point', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const next = seededRandom(seed);
      // The same operations on the API's context and on a linked one, with branches kept and revisited.
      const pairs: [Context, Context][] = [[ROOT_CONTEXT.setValue(KEYS[0]!, 'base'), linkable(ROOT_CONTEXT.setValue(KEYS[0]!, 'base'))]];
      for (let op = 0; op < 60; op++) {
        const [expected, actual] = pairs[Math.floor(next() * pairs.length)]!;
        const key = KEYS[Math.floor(next() * KEYS.length)]!;
        const pair: [Context, Context] =
          next() < 0.2 ? [expected.deleteValue(key), actual.deleteValue(key)] : [expected.setValue(key, op), actual.setValue(key, op)];
        pairs.push(pair);
        for (const k of KEYS) expect(pair[1].getValue(k), `seed ${seed}, op ${op}`).toBe(pair[0].getValue(k));
      }
      for (const [expected, actual] of pairs) for (const k of KEYS) expect(actual.getValue(k)).toBe(expected.getValue(k));
    }
  });

  it('never walks more than MAX_LINKS links, however deep the nesting', () => {
    let ctx = linkable(ROOT_CONTEXT);
    for (let i = 0; i < 1000; i++) {
      ctx = ctx.setValue(KEYS[i % KEYS.length]!, i);
      expect(chainLength(ctx)).toBeLessThanOrEqual(MAX_LINKS + 1); // its values and the adapter of its base
    }
    expect(ctx.getValue(KEYS[999 % KEYS.length]!)).toBe(999);
    expect(ctx.getValue(KEYS[998 % KEYS.length]!)).toBe(998);
  });

  it('leaves its parent unchanged', () => {
    const parent = ROOT_CONTEXT.setValue(KEYS[0]!, 'parent');
    const child = linkable(parent).setValue(KEYS[0]!, 'child').setValue(KEYS[1]!, 'x');
    expect(parent.getValue(KEYS[0]!)).toBe('parent');
    expect(parent.getValue(KEYS[1]!)).toBeUndefined();
    expect(child.getValue(KEYS[0]!)).toBe('child');
  });

  it('carries the API values: active span, baggage, tracing suppression, and works as the active context', () => {
    const span = trace.wrapSpanContext({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    const baggage = propagation.createBaggage({ 'user.id': { value: 'u-1' } });
    const ctx = suppressTracing(propagation.setBaggage(trace.setSpan(linkable(ROOT_CONTEXT), span), baggage));
    expect(trace.getSpan(ctx)).toBe(span);
    expect(propagation.getBaggage(ctx)?.getEntry('user.id')?.value).toBe('u-1');
    expect(isTracingSuppressed(ctx)).toBe(true);
    expect(trace.getSpan(trace.deleteSpan(ctx))).toBeUndefined();
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      expect(context.with(ctx, () => trace.getSpan(context.active()))).toBe(span);
    } finally {
      context.disable();
    }
  });
});
