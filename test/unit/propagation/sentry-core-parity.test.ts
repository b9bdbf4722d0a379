/**
 * The Sentry formats the bridge reads and writes without loading @sentry/core at start (src/propagation/sentry-trace.ts,
 * src/propagation/dsc.ts, src/sentry-dsn.ts) stay equal to @sentry/core's own functions, over generated input:
 * `extractTraceparentData` / `generateSentryTraceHeader`, `dynamicSamplingContextToSentryBaggageHeader`,
 * `dsnFromString`.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { TraceFlags } from '@opentelemetry/api';
import { dsnFromString, dynamicSamplingContextToSentryBaggageHeader, extractTraceparentData, generateSentryTraceHeader } from '@sentry/core';
import { formatSentryTrace, parseSentryTrace } from '../../../src/propagation/sentry-trace.js';
import { serializeDsc } from '../../../src/propagation/dsc.js';
import { parseSentryDsn } from '../../../src/sentry-dsn.js';
import { FUZZ_RUNS } from './fuzz-runs.js';

const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`));
const blanks = fc.stringMatching(/^[ \t]{0,2}$/);

describe('sentry-trace', () => {
  it('parses every well-formed header as extractTraceparentData does', () => {
    fc.assert(
      fc.property(blanks, hex(32), hex(16), fc.constantFrom('', '-0', '-1'), blanks, (before, traceId, spanId, flag, after) => {
        const header = `${before}${traceId}-${spanId}${flag}${after}`;
        const ours = parseSentryTrace(header);
        const sentry = extractTraceparentData(header);
        if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return expect(ours).toBeUndefined(); // W3C: all-zero ids are invalid
        expect(ours).toEqual({ traceId: sentry?.traceId, spanId: sentry?.parentSpanId, sampled: sentry?.parentSampled });
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('accepts nothing that is not the full shape (Sentry would start a new trace from partial ids)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (header) => {
        const ours = parseSentryTrace(header);
        if (ours === undefined) return;
        expect(header.trim()).toMatch(/^[0-9a-f]{32}-[0-9a-f]{16}(-[01])?$/);
        expect(extractTraceparentData(header)).toEqual({ traceId: ours.traceId, parentSpanId: ours.spanId, parentSampled: ours.sampled });
      }),
      { numRuns: FUZZ_RUNS },
    );
    for (const partial of ['-', `${'a'.repeat(32)}`, `${'a'.repeat(32)}-`, `-${'b'.repeat(16)}-1`, `${'a'.repeat(32)}${'b'.repeat(16)}1`]) {
      expect(parseSentryTrace(partial)).toBeUndefined();
    }
  });

  it('formats as generateSentryTraceHeader', () => {
    fc.assert(
      fc.property(hex(32), hex(16), fc.boolean(), (traceId, spanId, sampled) => {
        const header = formatSentryTrace({ traceId, spanId, traceFlags: sampled ? TraceFlags.SAMPLED : TraceFlags.NONE });
        expect(header).toBe(generateSentryTraceHeader(traceId, spanId, sampled));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('DSC baggage members', () => {
  const key = fc.stringMatching(/^[A-Za-z0-9_.-]{1,20}$/);
  const value = fc.string({ minLength: 1, maxLength: 3000, size: 'max', unit: fc.constantFrom('a', 'Z', '9', ' ', ',', '=', ';', '%', 'é', '→', '/') });

  it('serializes as dynamicSamplingContextToSentryBaggageHeader, 8192-character cap included', () => {
    fc.assert(
      fc.property(fc.dictionary(key, value, { minKeys: 1, maxKeys: 12 }), (dsc) => {
        // Sentry's writer starts the header with a comma when the first member alone is over the cap; ours leaves it out.
        fc.pre(`sentry-${Object.keys(dsc)[0]}=${encodeURIComponent(Object.values(dsc)[0]!)}`.length <= 8192);
        expect(serializeDsc(dsc)).toBe(dynamicSamplingContextToSentryBaggageHeader(dsc) || undefined);
      }),
      { numRuns: FUZZ_RUNS, endOnFailure: true }, // shrinking kilobyte values takes minutes: report the first failure
    );
  });

  it('writes nothing for an empty DSC, as Sentry does', () => {
    expect(serializeDsc({})).toBeUndefined();
    expect(dynamicSamplingContextToSentryBaggageHeader({}) || undefined).toBeUndefined();
  });
});

describe('DSN', () => {
  let silence: ReturnType<typeof vi.spyOn>;
  beforeAll(() => {
    silence = vi.spyOn(console, 'error').mockImplementation(() => {}); // dsnFromString logs what it cannot parse
  });
  afterAll(() => silence.mockRestore());

  const project = (dsn: ReturnType<typeof dsnFromString>) =>
    dsn === undefined ? undefined : { protocol: dsn.protocol, publicKey: dsn.publicKey, host: dsn.host, port: dsn.port, path: dsn.path, projectId: dsn.projectId };

  it('reads the parts dsnFromString reads, for generated and odd DSNs', () => {
    const dsn = fc.tuple(
      fc.constantFrom('http', 'https', 'ftp', 'h2'),
      fc.stringMatching(/^[0-9a-f]{0,32}$/),
      fc.constantFrom('', ':', ':secret'),
      fc.constantFrom('127.0.0.1', 'o1.ingest.sentry.io', '[::1]', 'bad host', 'x_y'),
      fc.constantFrom('', ':9000', ':abc'),
      fc.constantFrom('/1', '/42', '/path/to/7', '/', '/abc', '/12abc', '/p/'),
    ).map(([scheme, key, pass, host, port, path]) => `${scheme}://${key}${pass}@${host}${port}${path}`);
    fc.assert(
      fc.property(fc.oneof(dsn, fc.string({ maxLength: 60 })), (value) => {
        expect(parseSentryDsn(value)).toEqual(project(dsnFromString(value)));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
