/** The bench harness runs and produces well-formed results (seconds; asserts nothing about speed). */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { ROOT, assertBuilt } from '../helpers/process.js';

describe('bench smoke', () => {
  it.each(['a', 'b'])('per-op scenario (%s) reports a positive ns/op', (scenario) => {
    assertBuilt();
    const out = execFileSync(process.execPath, [`${ROOT}bench/per-op.js`, scenario], {
      cwd: ROOT,
      env: { ...process.env, BENCH_BATCHES: '2', BENCH_BATCH_SIZE: '200', BENCH_WARMUP_BATCHES: '2' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    const result = JSON.parse(out.trim().split('\n').pop()!) as { scenario: string; nsPerOp: number; batches: number[] };
    expect(result.scenario).toBe(scenario);
    expect(result.nsPerOp).toBeGreaterThan(0);
    expect(result.batches).toHaveLength(2);
  });
});
