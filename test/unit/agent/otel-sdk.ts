/**
 * A plain OpenTelemetry SDK for the agent helper tests (no bridge): TracerProvider + SimpleSpanProcessor into an
 * InMemorySpanExporter, AsyncLocalStorage context manager, W3C trace-context + baggage propagators, all
 * registered globally through @opentelemetry/api exactly as an application would.
 */
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';

export interface TestSdk {
  exporter: InMemorySpanExporter;
  spans(): ReadableSpan[];
  span(name: string): ReadableSpan;
  shutdown(): Promise<void>;
}

export function installSdk(): TestSdk {
  disableGlobals();
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
  trace.setGlobalTracerProvider(provider);
  return {
    exporter,
    spans: () => exporter.getFinishedSpans(),
    span(name: string) {
      const matches = exporter.getFinishedSpans().filter((s) => s.name === name);
      if (matches.length !== 1) throw new Error(`expected one span named "${name}", found ${matches.length}: ${exporter.getFinishedSpans().map((s) => s.name).join(', ')}`);
      return matches[0]!;
    },
    async shutdown() {
      await provider.shutdown();
      disableGlobals();
    },
  };
}

export function disableGlobals(): void {
  trace.disable();
  context.disable();
  propagation.disable();
}
