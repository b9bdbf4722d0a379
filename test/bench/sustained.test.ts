/**
 * The bench harness in quick mode, sustained regime, start-up, flood and the per-processor timing: checks its
 * accounting, not speed. Every stack's spans are either delivered to the loopback counting sink (its count equals
 * what the stack says it exported and ended) or their drop is counted and reported; the results JSON carries the
 * ratios and targets the README quotes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, assertBuilt } from '../helpers/process.js';

interface SustainedStack {
  label: string;
  cpuUsPerStep: number;
  ratioToOtlp: number;
  ratioToOtlpRange: [number, number];
  samples: number[];
  cpuUsPerDeliveredSpan?: number;
  steps: number;
  warmup: number;
  firstSteps: number;
  firstStepsCpuUsPerStep: number;
  gcPauseUsPerStep: number;
  liveHeapMB: number;
  externalMB: number;
  youngGenerationMB: number;
  ended: number;
  exported?: number;
  dropped?: number;
  failed?: number;
  received: number;
  accounting: { status: string; dropRate: number }[];
}

const dir = mkdtempSync(join(tmpdir(), 'bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench harness, quick mode', () => {
  it('sustained regime: every stack delivers what it ended or reports the drop; the JSON has ratios and targets', async () => {
    assertBuilt();
    const out = join(dir, 'results.json');
    await promisify(execFile)(process.execPath, [`${ROOT}bench/run.js`, '--quick', '--only', 'sustained,startup,flood,processors', '--out', out], {
      cwd: ROOT,
      timeout: 420_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const results = JSON.parse(readFileSync(out, 'utf8')) as {
      sustained: Record<string, SustainedStack>;
      startup: Record<string, { firstLineMs: number; rssMB: number; sentryUpRuns: number; runs: number }>;
      importCost: Record<string, number>;
      flood: { ended: number; evicted: number; kept: number; expired: number; heapGrowthAfterGcMB: number };
      processors: { runs: number; steps: number; processors: Record<string, { usPerStep: number; hooks: Record<string, number> }> };
      targets: { target: string; value: string; met: boolean }[];
    };
    const stacks = results.sustained;
    expect(Object.keys(stacks).sort()).toEqual(['bridge-0.1', 'bridge-1.0', 'bridge-collector', 'helpers', 'nodesdk', 'noop', 'otlp', 'otlp-encoder', 'ratio-0.1', 'sentry'].sort());
    for (const [name, s] of Object.entries(stacks)) {
      for (const a of s.accounting) expect([name, a.status]).not.toEqual([name, 'mismatch']);
      const lost = s.exported === undefined ? s.ended - s.received : (s.dropped ?? 0) + (s.failed ?? 0);
      if (s.exported !== undefined) expect(s.exported + lost, name).toBe(s.ended);
      if (name !== 'noop') expect(s.received, name).toBe(s.exported ?? s.ended - lost);
      if (lost === 0) expect(s.accounting.every((a) => a.status === 'exact'), name).toBe(true);
      else expect(s.accounting.some((a) => a.dropRate > 0), name).toBe(true);
      expect(Number.isFinite(s.ratioToOtlp) && s.ratioToOtlp > 0, name).toBe(true);
      // the ratio within each repetition (each ran every stack once): its spread beside the ratio of medians
      const [low, high] = s.ratioToOtlpRange;
      expect(low, name).toBeGreaterThan(0);
      expect(high, name).toBeGreaterThanOrEqual(low);
      expect(s.samples.length, name).toBe(stacks.otlp!.samples.length);
      expect(s.cpuUsPerStep, name).toBeGreaterThan(0);
      // the first steps (JIT warm-up included) timed apart from the steady state that follows the warm-up
      expect(s.firstSteps, name).toBeGreaterThan(0);
      expect(s.firstSteps, name).toBeLessThanOrEqual(s.warmup);
      expect(s.firstStepsCpuUsPerStep, name).toBeGreaterThan(0);
      expect(s.gcPauseUsPerStep, name).toBeGreaterThanOrEqual(0);
      // what the stack holds after its steps (live heap and external memory after GC) beside the young generation
      // V8 sized under load
      expect(s.liveHeapMB, name).toBeGreaterThan(0);
      expect(s.externalMB, name).toBeGreaterThan(0);
      expect(s.youngGenerationMB, name).toBeGreaterThan(0);
    }
    expect(stacks.otlp!.ratioToOtlp).toBe(1);
    expect(stacks.otlp!.ratioToOtlpRange).toEqual([1, 1]);
    // Sampled stacks end about a tenth of the spans; full ones all 3 per step.
    expect(stacks['bridge-0.1']!.ended).toBeLessThan(stacks['bridge-1.0']!.ended / 3);
    expect(stacks['ratio-0.1']!.ended).toBeLessThan(stacks.otlp!.ended / 3);
    expect(stacks.sentry!.cpuUsPerDeliveredSpan).toBeGreaterThan(0);
    // the bare NodeSDK preload, the memory comparison the issue names, counted like the others: every span it ended
    expect(stacks.nodesdk!.exported).toBe(stacks.nodesdk!.ended);
    expect(stacks.nodesdk!.ended).toBe(stacks.otlp!.ended);
    for (const k of ['none', 'nodesdk', 'bridge', 'bridgeNoDsn']) expect(results.startup[k]!.firstLineMs).toBeGreaterThan(0);
    expect(results.startup.bridgeNoDsn!.sentryUpRuns).toBe(0);
    // the bridge ran with its DSN, and its idle figures include the Sentry SDK it loads after start-up
    expect(results.startup.bridge!.sentryUpRuns).toBe(results.startup.bridge!.runs);
    // the import cost of each part the preload loads, the Sentry SDK last
    expect(Object.keys(results.importCost).length).toBeGreaterThanOrEqual(6);
    expect(Object.keys(results.importCost).at(-1)).toMatch(/Sentry SDK/);
    for (const [part, ms] of Object.entries(results.importCost)) expect(ms, part).toBeGreaterThan(0);
    // the failing-trace buffer under a flood: every span held in turn, the byte bound evicting (counted), none kept
    expect(results.flood.ended).toBeGreaterThan(0);
    expect(results.flood.evicted).toBeGreaterThan(0);
    expect(results.flood.evicted).toBeLessThan(results.flood.ended);
    expect(results.flood.kept).toBe(0);
    expect(Number.isFinite(results.flood.heapGrowthAfterGcMB)).toBe(true);
    // each span processor of the bridge with a DSN, and the sampler, timed in place; the timer's own row is not one
    const timed = results.processors.processors;
    for (const name of ['ScrubSpanProcessor', 'SpanMetricsProcessor', 'SentryErrorsProcessor', 'CountingBatchSpanProcessor', 'sampler']) expect(Object.keys(timed)).toContain(name);
    expect(Object.keys(timed)).not.toContain('(timer)');
    for (const [name, p] of Object.entries(timed)) {
      expect(Number.isFinite(p.usPerStep), name).toBe(true);
      expect(Object.keys(p.hooks).length, name).toBeGreaterThan(0);
    }
    expect(timed.sampler!.usPerStep).toBeGreaterThan(0);
    const targets = results.targets.map((t) => t.target).join('\n');
    expect(targets).toMatch(/bridge 1.0 ≤ 1.0 × bare OTel/);
    expect(results.targets.find((t) => t.target.includes('bridge 1.0 ≤'))!.value).toMatch(/within a repetition \d+\.\d\d–\d+\.\d\d/);
    expect(targets).toMatch(/≥ 8 × the bridge per delivered span/);
    expect(targets).toMatch(/start-up added/);
    for (const bare of ['the bare NodeSDK preload', 'bare OTel SDK']) {
      expect(targets).toContain(`RSS under sustained load ≤ ${bare}`);
      expect(targets).toContain(`live memory (heap + external) after the sustained load ≤ ${bare}`);
    }
    expect(targets).toMatch(/failing-trace buffer under a flood/);
  }, 480_000);
});
