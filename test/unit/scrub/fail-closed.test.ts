/**
 * Redaction fails closed: whatever cannot be scrubbed — a throwing getter, a cycle, nesting deeper than the
 * limit, a value longer than the scan bound — is filtered (or the span/event not sent), counted in
 * agent_bridge_scrub_failures_total{reason}, never passed on as it was. On spans through the real SDK and the
 * scrub processor; on Sentry events through scrubEvent (the beforeSend hook).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import type { Event } from '@sentry/core';
import { createPrometheusMeterProvider } from '../../../exporters/prometheus.js';
import { ScrubSpanProcessor } from '../../../src/processors/scrub.js';
import { FILTERED, MAX_SCRUB_LENGTH, scrubBreadcrumb, scrubEvent } from '../../../src/scrub/index.js';
import { bindSelfMetrics, unbindSelfMetrics, type ScrubFailureReason } from '../../../src/self-metrics.js';
import { parseExposition, total } from '../../helpers/exposition.js';

const SECRET = 'hunter2SECRET';
const SECRET_URL = `postgres://admin:${SECRET}@db/app`;

let metrics: ReturnType<typeof createPrometheusMeterProvider>;
/** Everything the bridge wrote to stderr during this file (its warnings). */
const stderrLines: string[] = [];
beforeAll(() => {
  metrics = createPrometheusMeterProvider();
  bindSelfMetrics(metrics.meterProvider);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderrLines.push(...String(chunk).split('\n').filter((line) => line !== ''));
    return true;
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  unbindSelfMetrics(metrics.meterProvider);
  await metrics.meterProvider.shutdown();
});

async function failures(reason: ScrubFailureReason): Promise<number> {
  const exposition = new PrometheusSerializer().serialize((await metrics.reader.collect()).resourceMetrics);
  return total(parseExposition(exposition), 'agent_bridge_scrub_failures_total', { reason });
}

/** `run` must add exactly `expected` failures with `reason`. */
async function expectCounted(reason: ScrubFailureReason, expected: number, run: () => Promise<void> | void): Promise<void> {
  const before = await failures(reason);
  await run();
  expect((await failures(reason)) - before).toBe(expected);
}

/** One span through the real SDK: `tamper` runs on the live span just before `end()`. */
async function exportOne(tamper: (span: ReadableSpan & { attributes: Record<string, unknown> }) => void): Promise<ReadableSpan[]> {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new ScrubSpanProcessor(), new SimpleSpanProcessor({ exporter })] });
  const span = provider.getTracer('t').startSpan('op');
  span.setAttribute('url.full', SECRET_URL);
  tamper(span as unknown as ReadableSpan & { attributes: Record<string, unknown> });
  span.end();
  await provider.forceFlush();
  const spans = exporter.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

function throwingGetter(target: object, key: string): void {
  Object.defineProperty(target, key, {
    enumerable: true,
    get() {
      throw new Error('getter');
    },
  });
}

describe('spans (ScrubSpanProcessor)', () => {
  it('a throwing attribute getter: that attribute is [Filtered], the others still scrubbed', async () => {
    await expectCounted('error', 1, async () => {
      const [span] = await exportOne((s) => throwingGetter(s.attributes, 'db.statement'));
      expect(span!.attributes['db.statement']).toBe(FILTERED);
      expect(span!.attributes['url.full']).toBe(`postgres://${FILTERED}@db/app`);
    });
  });

  it('a throwing getter in an event’s attributes: [Filtered] there too', async () => {
    await expectCounted('error', 1, async () => {
      const [span] = await exportOne((s) => {
        (s as unknown as { addEvent(name: string, attributes: Record<string, string>): void }).addEvent('log', { message: SECRET_URL });
        throwingGetter(s.events[0]!.attributes!, 'detail');
      });
      expect(span!.events[0]!.attributes).toEqual({ message: `postgres://${FILTERED}@db/app`, detail: FILTERED });
    });
  });

  it('a cyclic or nested value written past the SDK’s checks: [Filtered]', async () => {
    await expectCounted('unsupported', 3, async () => {
      const [span] = await exportOne((s) => {
        const cyclic: unknown[] = ['ok'];
        cyclic.push(cyclic);
        s.attributes.cyclic = cyclic;
        s.attributes.nested = [[[SECRET_URL]]];
        s.attributes.object = { password: SECRET };
      });
      expect(span!.attributes.cyclic).toEqual(['ok', FILTERED]);
      expect(span!.attributes.nested).toEqual([FILTERED]);
      expect(span!.attributes.object).toBe(FILTERED);
      expect(JSON.stringify(span!.attributes)).not.toContain(SECRET);
    });
  });

  it('a value longer than the scan bound: cut and marked, nothing beyond the bound kept', async () => {
    await expectCounted('truncated', 1, async () => {
      const [span] = await exportOne((s) => {
        s.attributes['gen_ai.prompt'] = `${'lorem '.repeat(MAX_SCRUB_LENGTH / 6 + 10)} ${SECRET_URL}`;
      });
      const prompt = span!.attributes['gen_ai.prompt'] as string;
      expect(prompt).not.toContain(SECRET);
      expect(prompt.endsWith('(truncated)')).toBe(true);
      expect(prompt.length).toBeLessThan(MAX_SCRUB_LENGTH + 40);
    });
  });

  it('a span whose own fields throw is not exported at all', async () => {
    await expectCounted('error', 1, async () => {
      const spans = await exportOne((s) => throwingGetter(s, 'events'));
      expect(spans).toEqual([]);
    });
  });
});

describe('Sentry events (scrubEvent / scrubBreadcrumb)', () => {
  it('a throwing getter: that property is [Filtered], the rest of the event scrubbed and kept', async () => {
    await expectCounted('error', 1, () => {
      const extra: Record<string, unknown> = { url: SECRET_URL };
      throwingGetter(extra, 'lazy');
      const event = scrubEvent({ message: 'failed', extra });
      expect(event?.extra).toEqual({ url: `postgres://${FILTERED}@db/app`, lazy: FILTERED });
      expect(event?.message).toBe('failed');
    });
  });

  it('a cycle: [Filtered] where the value repeats', async () => {
    await expectCounted('cycle', 1, () => {
      const node: Record<string, unknown> = { url: SECRET_URL };
      node.self = node;
      const event = scrubEvent({ extra: { node } });
      expect(event?.extra).toEqual({ node: { url: `postgres://${FILTERED}@db/app`, self: FILTERED } });
    });
  });

  it('nesting deeper than the limit: [Filtered] below it, no secret passes', async () => {
    await expectCounted('depth', 1, () => {
      let deep: Record<string, unknown> = { url: SECRET_URL, secretObject: { note: 'x' } };
      for (let i = 0; i < 20; i++) deep = { level: deep };
      const event = scrubEvent({ extra: { deep } });
      const text = JSON.stringify(event);
      expect(text).not.toContain(SECRET);
      expect(text).toContain(FILTERED);
    });
  });

  it('a huge value: cut to the scan bound and marked', async () => {
    await expectCounted('truncated', 1, () => {
      const event = scrubEvent({ message: `${'x'.repeat(MAX_SCRUB_LENGTH)} ${SECRET_URL}` });
      expect(event?.message).not.toContain(SECRET);
      expect(event?.message?.endsWith('(truncated)')).toBe(true);
    });
  });

  it('class instances other than Date are [Filtered]: their fields cannot be vouched for', async () => {
    await expectCounted('unsupported', 1, () => {
      class Connection {
        url = SECRET_URL;
      }
      const when = new Date(0);
      const event = scrubEvent({ extra: { connection: new Connection(), when } });
      expect(event?.extra).toEqual({ connection: FILTERED, when });
    });
  });

  it('an event that cannot be read at all is dropped (null), not sent as it was', async () => {
    await expectCounted('event_dropped', 2, () => {
      const hostile = new Proxy({ message: SECRET_URL } as Event, {
        ownKeys() {
          throw new Error('ownKeys');
        },
      });
      expect(scrubEvent(hostile)).toBeNull();
      expect(scrubBreadcrumb(hostile as never)).toBeNull();
    });
  });

  it('leaves the SDK’s working state intact but scrubs the sampling context sent in the envelope header', () => {
    class Scope {}
    const scope = new Scope();
    const event = scrubEvent({
      sdkProcessingMetadata: { capturedSpanScope: scope as never, dynamicSamplingContext: { trace_id: 'a'.repeat(32), transaction: `GET ${SECRET_URL}` } },
    });
    expect(event?.sdkProcessingMetadata?.capturedSpanScope).toBe(scope);
    expect(event?.sdkProcessingMetadata?.dynamicSamplingContext?.transaction).toBe(`GET postgres://${FILTERED}@db/app`);
  });
});

describe('warnings', () => {
  // Runs last (tests in a file run in order): every reason above failed at least once, most of them several times.
  it('each failure reason is warned exactly once, however often it happens', async () => {
    const reasons: ScrubFailureReason[] = ['error', 'cycle', 'depth', 'truncated', 'unsupported', 'event_dropped'];
    for (const reason of reasons) {
      expect(await failures(reason), reason).toBeGreaterThanOrEqual(1);
      const warned = stderrLines.filter((line) => line.startsWith('[agent-otel-bridge] warn: scrubbing:') && line.includes(`{reason="${reason}"}`));
      expect(warned, reason).toHaveLength(1);
    }
    // the reasons that recurred above: a warning per failure would have shown here
    expect(await failures('error')).toBeGreaterThan(1);
    expect(await failures('truncated')).toBeGreaterThan(1);
  });
});
