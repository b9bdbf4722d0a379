/** sample_rand from the trace id agrees with OTel's TraceIdRatioBasedSampler for every rate. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sampleRandForDecision, sampleRandFromTraceId } from '../../../src/propagation/index.js';
import { FUZZ_RUNS } from './fuzz-runs.js';
import { ratioSamples } from './helpers.js';

const hexTraceId = fc
  .stringMatching(/^[0-9a-f]{32}$/)
  .filter((id) => id !== '0'.repeat(32));
const rate = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.constantFrom(0, 1, 0.1, 0.5, 0.25, 1e-9, 1 - 2 ** -53, 2 ** -32, 1 / 0xffffffff),
);

/** Largest double below x > 0, to probe the exact boundary. */
function below(x: number): number {
  const f = new Float64Array([x]);
  const b = new BigUint64Array(f.buffer);
  b[0] = (b[0] ?? 0n) - 1n;
  return f[0] ?? 0;
}

describe('sampleRandFromTraceId', () => {
  it('is in [0, 1) and deterministic', () => {
    fc.assert(
      fc.property(hexTraceId, (id) => {
        const r = sampleRandFromTraceId(id);
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThan(1);
        expect(sampleRandFromTraceId(id)).toBe(r);
        expect(Number(String(r))).toBe(r); // survives the trip through the DSC string
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('sampled === (sample_rand < rate) for TraceIdRatioBasedSampler at any rate', () => {
    fc.assert(
      fc.property(hexTraceId, rate, (id, r) => {
        expect(ratioSamples(id, r)).toBe(sampleRandFromTraceId(id) < r);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('holds exactly at the boundary: rates just above / at / just below the threshold', () => {
    fc.assert(
      fc.property(hexTraceId, (id) => {
        const r = sampleRandFromTraceId(id);
        for (const probe of [r, below(r), Math.min(1, r + Number.EPSILON), Math.min(1, r * (1 + 2 ** -52))]) {
          if (probe < 0) continue;
          expect(ratioSamples(id, probe)).toBe(r < probe);
        }
        // the next double above r is the smallest rate that samples this trace
        const f = new Float64Array([r]);
        const b = new BigUint64Array(f.buffer);
        b[0] = (b[0] ?? 0n) + 1n;
        expect(ratioSamples(id, f[0] ?? 1)).toBe(true);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('handles the extremes of the accumulated word and upper-case ids', () => {
    const maxAcc = 'ffffffff' + '0'.repeat(24); // XOR of words = 0xffffffff: only rate 1 samples it
    expect(ratioSamples(maxAcc, 1 - 2 ** -53)).toBe(false);
    expect(sampleRandFromTraceId(maxAcc) < 1 - 2 ** -53).toBe(false);
    expect(sampleRandFromTraceId(maxAcc) < 1).toBe(true);
    const zeroAcc = '00000001000000010000000000000000'; // XOR = 0: every rate > 0 samples it
    expect(sampleRandFromTraceId(zeroAcc) < 2 ** -40).toBe(ratioSamples(zeroAcc, 2 ** -40));
    expect(sampleRandFromTraceId(zeroAcc)).toBeGreaterThanOrEqual(0);
    expect(sampleRandFromTraceId(maxAcc.toUpperCase())).toBe(sampleRandFromTraceId(maxAcc));
    expect(sampleRandFromTraceId('not a trace id')).toBeLessThan(1);
  });
});

describe('sampleRandForDecision', () => {
  it('keeps the trace-id value when the ratio sampler made the decision', () => {
    fc.assert(
      fc.property(hexTraceId, rate, (id, r) => {
        expect(sampleRandForDecision(id, ratioSamples(id, r), r)).toBe(sampleRandFromTraceId(id));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('always agrees with the actual decision when agreement is possible', () => {
    fc.assert(
      fc.property(hexTraceId, fc.boolean(), rate, (id, sampled, r) => {
        const value = sampleRandForDecision(id, sampled, r);
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThan(1);
        const possible = sampled ? r > 0 : r < 1;
        if (possible) expect(value < r).toBe(sampled);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('without a usable rate returns the trace-id value', () => {
    const id = 'a'.repeat(32);
    for (const bad of [undefined, NaN, -0.1, 1.5, Infinity]) expect(sampleRandForDecision(id, true, bad)).toBe(sampleRandFromTraceId(id));
  });
});
