/** Property-based fuzzing of all four headers, of message carriers and of outgoing headers (see properties.ts). */
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { FUZZ_RUNS } from './fuzz-runs.js';
import { extractProperty, injectProperty, roundTripProperty } from './properties.js';

describe(`propagation fuzzing (${FUZZ_RUNS} runs per property)`, () => {
  it('extract: never throws, continues a trace only from a valid header, children send valid headers', () => {
    fc.assert(extractProperty, { numRuns: FUZZ_RUNS });
  });

  it('inject: arbitrary span contexts, baggage and DSC options → valid headers, each written once', () => {
    fc.assert(injectProperty, { numRuns: FUZZ_RUNS });
  });

  it('round trip over a JSON message carrier', () => {
    fc.assert(roundTripProperty, { numRuns: FUZZ_RUNS });
  });
});
