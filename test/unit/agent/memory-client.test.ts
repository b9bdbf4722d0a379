// markMemoryClientSpan: a store client's span becomes an agent memory operation only inside an agent and not inside
// the caller's own memoryOperation (which already counts the logical operation); isInMemoryOperation follows the
// memoryOperation callback's context.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trace } from '@opentelemetry/api';
import { invokeAgent, isInMemoryOperation, memoryOperation } from '../../../src/agent/index.js';
import { markMemoryClientSpan, recordMemoryResultCount } from '../../../src/agent/memory-client.js';
import { installSdk, type TestSdk } from './otel-sdk.js';

let sdk: TestSdk;
beforeAll(() => {
  sdk = installSdk();
});
afterAll(() => sdk.shutdown());

/** A client span as a library instrumentation makes it (its own tracer, the active context as parent). */
function clientSpan(name: string, count?: number): boolean {
  const span = trace.getTracer('client-lib').startSpan(name);
  const marked = markMemoryClientSpan(span, 'get', 'redis');
  if (marked && count !== undefined) recordMemoryResultCount(span, count);
  span.end();
  return marked;
}

describe('markMemoryClientSpan', () => {
  it('inside invokeAgent: the memory hint, operation, store and the agent; result count on reads', async () => {
    expect(await invokeAgent({ name: 'planner', id: 'p-1', conversationId: 'c-1' }, async () => clientSpan('in-agent', 0))).toBe(true);
    expect(sdk.span('in-agent').attributes).toEqual({
      'agent.span.type': 'memory.operation',
      'agent.memory.operation': 'get',
      'agent.memory.store': 'redis',
      'gen_ai.agent.name': 'planner',
      'gen_ai.agent.id': 'p-1',
      'gen_ai.conversation.id': 'c-1',
      'agent.memory.result_count': 0,
    });
  });

  it('outside any agent, or inside the caller\'s memoryOperation: left a plain client span', async () => {
    expect(clientSpan('no-agent', 1)).toBe(false);
    expect(sdk.span('no-agent').attributes).toEqual({});
    const inHelper = await invokeAgent({ name: 'planner' }, () =>
      memoryOperation({ operation: 'search', store: 'notes' }, async () => {
        expect(isInMemoryOperation()).toBe(true);
        return clientSpan('in-helper', 1);
      }),
    );
    expect(inHelper).toBe(false);
    expect(sdk.span('in-helper').attributes).toEqual({});
    expect(isInMemoryOperation()).toBe(false);
  });

  it('a result count that is no whole non-negative number is not recorded', async () => {
    await invokeAgent({ name: 'planner' }, async () => {
      for (const [name, n] of [['neg', -1], ['frac', 0.5], ['nan', Number.NaN]] as const) clientSpan(name, n);
    });
    for (const name of ['neg', 'frac', 'nan']) expect(sdk.span(name).attributes['agent.memory.result_count']).toBeUndefined();
  });
});
