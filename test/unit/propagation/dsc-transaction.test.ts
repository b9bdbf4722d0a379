/**
 * Issue 17 item 9: a trace this process heads sends its local root's name as the DSC `transaction`, as a Sentry
 * SDK does (@sentry/core `getDynamicSamplingContextFromSpan`), except a URL-sourced name (an HTTP span without
 * `http.route`). Real SDK spans, the real propagator.
 */
import { ROOT_CONTEXT, context, propagation, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { baggageHeaderToDynamicSamplingContext } from '@sentry/core';
import { ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localRootTransaction } from '../../../src/propagation/index.js';
import { LocalRootsProcessor } from '../../../src/processors/local-roots.js';
import { DSC_OPTIONS, defaultPropagator, extract, inject } from './helpers.js';

const provider = new TracerProvider({ spanProcessors: [new LocalRootsProcessor()] });
const tracer = provider.getTracer('dsc-transaction');
const propagator = defaultPropagator({ ...DSC_OPTIONS, transactionOf: localRootTransaction });
const contextManager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(contextManager.enable());
});
afterAll(() => {
  context.disable();
  propagation.disable();
});

/** The DSC in the outgoing baggage, decoded by Sentry's own parser. */
function dscSentFrom(ctx: Context): Record<string, string> {
  return (baggageHeaderToDynamicSamplingContext(inject(propagator, ctx).headers.baggage) ?? {}) as Record<string, string>;
}

describe('DSC transaction', () => {
  it('an agent root: its name, from any descendant, while it runs and after it ended', () => {
    const root = tracer.startSpan('invoke_agent planner');
    const rootCtx = trace.setSpan(ROOT_CONTEXT, root);
    const child = tracer.startSpan('chat gpt-4o', {}, rootCtx);
    const childCtx = trace.setSpan(rootCtx, child);
    expect(dscSentFrom(childCtx).transaction).toBe('invoke_agent planner');
    root.updateName('invoke_agent planner v2');
    expect(dscSentFrom(childCtx).transaction).toBe('invoke_agent planner v2');
    root.end();
    child.end();
    expect(dscSentFrom(childCtx).transaction).toBe('invoke_agent planner v2');
  });

  it('an HTTP root named from its URL sends none; with a route it does', () => {
    const server = tracer.startSpan('GET /users/*', { attributes: { [ATTR_HTTP_REQUEST_METHOD]: 'GET' } });
    const ctx = trace.setSpan(ROOT_CONTEXT, server);
    expect(dscSentFrom(ctx)).not.toHaveProperty('transaction');
    server.setAttribute(ATTR_HTTP_ROUTE, '/users/:id');
    server.updateName('GET /users/:id');
    expect(dscSentFrom(ctx).transaction).toBe('GET /users/:id');
    server.end();
  });

  it('a trace continued from upstream keeps its frozen DSC: no transaction of ours', () => {
    const T = '0af7651916cd43dd8448eb211c80319c';
    const incoming = extract(propagator, {
      'sentry-trace': `${T}-b7ad6b7169203331-1`,
      baggage: `sentry-trace_id=${T},sentry-public_key=up,sentry-transaction=upstream`,
    });
    const entry = tracer.startSpan('invoke_agent consumer', {}, incoming);
    expect(dscSentFrom(trace.setSpan(incoming, entry)).transaction).toBe('upstream');
    entry.end();
  });

  it('a remote parent without a DSC: this process heads it, the local entry span names it', () => {
    const incoming = extract(propagator, { traceparent: '00-1af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
    const entry = tracer.startSpan('invoke_agent consumer', {}, incoming);
    expect(dscSentFrom(trace.setSpan(incoming, entry)).transaction).toBe('invoke_agent consumer');
    entry.end();
  });

  it('a grandchild finds the root; a span is named by its own local root, not by the trace’s latest one', () => {
    const T = '2af7651916cd43dd8448eb211c80319c';
    const first = tracer.startSpan('invoke_agent first', {}, extract(propagator, { traceparent: `00-${T}-b7ad6b7169203331-01` }));
    const child = tracer.startSpan('memory.search notes', {}, trace.setSpan(ROOT_CONTEXT, first));
    const grandchildCtx = trace.setSpan(ROOT_CONTEXT, tracer.startSpan('chat gpt-4o', {}, trace.setSpan(ROOT_CONTEXT, child)));
    // The same trace arrives again (another request of it): its entry span heads its own part of the tree.
    const second = tracer.startSpan('invoke_agent second', {}, extract(propagator, { traceparent: `00-${T}-c7ad6b7169203331-01` }));
    expect(dscSentFrom(grandchildCtx).transaction).toBe('invoke_agent first');
    expect(dscSentFrom(trace.setSpan(ROOT_CONTEXT, second)).transaction).toBe('invoke_agent second');
    for (const span of [first, child, second]) span.end();
  });

  it('below a span that is not ours (non-recording, not remote) there is no root to name the trace', () => {
    const foreign = trace.wrapSpanContext({ traceId: '3af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 });
    const ctx = trace.setSpan(ROOT_CONTEXT, foreign);
    const inner = tracer.startSpan('chat gpt-4o', {}, ctx);
    expect(dscSentFrom(trace.setSpan(ctx, inner))).not.toHaveProperty('transaction');
    inner.end();
  });

  it('nothing is kept per trace: the link is a symbol-keyed field of the child span, invisible to its readers', () => {
    const root = tracer.startSpan('invoke_agent planner');
    const child = tracer.startSpan('chat gpt-4o', {}, trace.setSpan(ROOT_CONTEXT, root));
    const symbols = Object.getOwnPropertySymbols(child);
    expect(symbols).toHaveLength(1);
    expect(Object.keys(child)).not.toContain(String(symbols[0]));
    expect(Object.getOwnPropertySymbols(root)).toHaveLength(0);
    child.end();
    root.end();
  });

  it('a long name is cut at 200 characters (Relay’s limit)', () => {
    const root = tracer.startSpan(`invoke_agent ${'x'.repeat(500)}`);
    expect(dscSentFrom(trace.setSpan(ROOT_CONTEXT, root)).transaction).toHaveLength(200);
    root.end();
  });
});
