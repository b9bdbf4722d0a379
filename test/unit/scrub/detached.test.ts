/**
 * `detached` is how the bridge remembers strings that came from the application (clean values in the scrubber, clean
 * span names, the OTLP encoder's cached attribute bytes): a remembered substring must not keep its parent — a whole
 * prompt or response body — alive. Checked by what the heap and external memory hold after a GC.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { detached } from '../../../src/scrub/index.js';
import { encodeTraceRequest } from '../../../exporters/otlp-proto-encoder.js';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { resourceFromAttributes } from '@opentelemetry/resources';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function retainedBytes(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external + m.arrayBuffers;
}

const PARENT_BYTES = 32 * 2 ** 20;
/** A large flat string, as a response body read from a socket would be. */
const bigBody = (seed: number) => Buffer.alloc(PARENT_BYTES, 97 + (seed % 26)).toString('latin1') + String(seed);

function rememberSlices(): string[] {
  const kept: string[] = [];
  for (let i = 0; i < 4; i++) kept.push(detached(bigBody(i).slice(1000, 1040)));
  return kept;
}

describe('detached', () => {
  it('is equal to the string it copies', () => {
    for (const value of ['', 'gpt-4o', 'gen_ai.operation.name', '日本語 💥', '__proto__', '123', 'x'.repeat(300)]) {
      expect(detached(value)).toBe(value);
    }
    expect(detached('prefix gen_ai.request.model suffix'.slice(7, 27))).toBe('gen_ai.request.model');
  });

  it('keeps no large parent alive', () => {
    const before = retainedBytes();
    const kept = rememberSlices(); // in a function of its own: this frame's registers would hold the last parent
    expect(retainedBytes() - before).toBeLessThan(PARENT_BYTES / 2);
    expect(kept).toHaveLength(4);
  });
});

describe('OTLP encoder attribute cache', () => {
  it('keeps no large parent of a cached key or value alive', () => {
    const resource = resourceFromAttributes({ 'service.name': 'detached-test' });
    const span = (key: string, value: string): ReadableSpan => ({
      name: 'chat', kind: 0, spanContext: () => ({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', traceFlags: 1 }),
      parentSpanContext: undefined, startTime: [1, 0], endTime: [1, 5], status: { code: 0 }, attributes: { [key]: value },
      links: [], events: [], duration: [0, 5], ended: true, resource, instrumentationScope: { name: 'test' },
      droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0,
    });
    encodeTraceRequest([span('warm.up', 'x')]);
    const before = retainedBytes();
    const encodeSlices = () => {
      for (let i = 0; i < 4; i++) {
        const body = bigBody(i);
        encodeTraceRequest([span(body.slice(0, 40), body.slice(100, 140))]); // a cached key and a cached key-value
      }
    };
    encodeSlices();
    expect(retainedBytes() - before).toBeLessThan(PARENT_BYTES / 2);
  });
});
