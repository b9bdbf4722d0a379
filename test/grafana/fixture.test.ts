// The backfill fixture must be valid OpenMetrics for promtool at any wall-clock time: one sample per series
// and timestamp. (A CI run once failed with "duplicate sample for timestamp": two error counters of one agent
// wrote the same series with different values; whether promtool noticed depended on the block split.)
import { describe, expect, it } from 'vitest';
import { generateFixture } from './fixture-metrics.js';

describe('grafana backfill fixture', () => {
  // The end that failed in CI, plus ends around 2 h block boundaries.
  it.each([1795408560, 1795406340, 1795406400, 1795413600 - 60])('end %i: every series has one sample per timestamp, in order', (end) => {
    const fixture = generateFixture({ end, step: 60, duration: 9000 });
    const last = new Map<string, number>();
    for (const line of fixture.text.split('\n')) {
      if (line === '' || line.startsWith('#')) continue;
      const cut = line.lastIndexOf(' ');
      const ts = Number(line.slice(cut + 1));
      const series = line.slice(0, line.lastIndexOf(' ', cut - 1));
      const previous = last.get(series);
      if (previous !== undefined) expect(ts, series).toBeGreaterThan(previous);
      last.set(series, ts);
    }
    expect(last.size).toBeGreaterThan(1000);
  });
});
