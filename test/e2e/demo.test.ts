/**
 * Issue 8 acceptance: `npm start`'s demo, checked through the ingest's API (the test's own ingest, passed as
 * SENTRY_DSN), and no orphan processes — after a normal run and after SIGINT in --serve mode.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startIngest, type IngestServer } from '../../src/ingest/index.js';
import { ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';

let ingest: IngestServer;

beforeAll(async () => {
  assertBuilt();
  ingest = await startIngest();
});
afterEach(stopAll);
afterAll(async () => {
  await ingest.close();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function pidsOf(output: () => string): Promise<number[]> {
  const match = output().match(/PIDS (\[.*\])/);
  if (!match) throw new Error(`no PIDS line in:\n${output()}`);
  return JSON.parse(match[1]!) as number[];
}

describe('demo (npm start)', () => {
  it('runs planner, researcher and writer in one trace per task, with the bug as one linked error event', async () => {
    const demo = startNode([`${ROOT}demo/run.js`, '--tasks', '4', '--seed', '1'], {
      preload: false,
      env: cleanEnv({ SENTRY_DSN: ingest.dsn }),
    });
    const { code } = await demo.exited;
    expect(code, demo.stdout() + demo.stderr()).toBe(0);
    expect(demo.stdout()).toContain('Using SENTRY_DSN from the environment');

    const outcomes = [...demo.stdout().matchAll(/^\s+\d+\s+([0-9a-f]{32})\s+(\S+)/gm)].map((m) => ({ traceId: m[1]!, outcome: m[2]! }));
    expect(outcomes).toHaveLength(4);
    expect(outcomes.filter((o) => o.outcome === 'bug')).toHaveLength(1);

    const ok = outcomes.find((o) => o.outcome === 'ok')!;
    const trace = await ingest.waitFor(() => {
      const t = ingest.trace(ok.traceId);
      return t && new Set(t.spans.map((s) => s.service)).size === 3 ? t : undefined;
    });
    const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
    const roots = trace.spans.filter((s) => !s.parentSpanId || !byId.has(s.parentSpanId));
    expect(roots.map((s) => s.service)).toEqual(['planner']);
    for (const span of trace.spans.filter((s) => s !== roots[0])) expect(byId.has(span.parentSpanId!)).toBe(true);
    // the message hop: writer's process span is the child of researcher's send span
    const send = trace.spans.find((s) => s.service === 'researcher' && s.name === 'send writer')!;
    const processSpan = trace.spans.find((s) => s.service === 'writer' && s.name === 'process writer')!;
    expect(processSpan.parentSpanId).toBe(send.spanId);
    const types = new Set(trace.spans.map((s) => s.attributes['agent.span.type']));
    for (const type of ['ai.request', 'memory.operation', 'agent.communication', 'agent.invocation', 'tool.execution']) expect(types).toContain(type);

    const bug = outcomes.find((o) => o.outcome === 'bug')!;
    await ingest.waitFor(() => ingest.events().length > 0);
    const events = ingest.events();
    expect(events).toHaveLength(1);
    expect(events[0]!.trace_id).toBe(bug.traceId);
    expect(events[0]!.type).toBe('TypeError');
    expect(events[0]!.tags.agent).toBe('writer');
    // who and which tenant, put in baggage by the planner, reached the writer's bug event (issue 23)
    expect((events[0]!.payload.user as { id?: string } | undefined)?.id).toMatch(/^user-\d+$/);
    expect(events[0]!.tags['tenant.id']).toMatch(/^(acme|globex)$/);
    expect(trace.spans.filter((s) => s.attributes['tenant.id'] === undefined).map((s) => `${s.service} ${s.name}`)).toEqual([
      expect.stringMatching(/^planner POST/),
    ]);

    for (const pid of await pidsOf(demo.stdout)) expect(alive(pid), `pid ${pid}`).toBe(false);
  });

  it('--serve keeps the agents running until SIGINT, then stops every child', async () => {
    const demo = startNode([`${ROOT}demo/run.js`, '--serve', '--interval', '300'], { preload: false, env: cleanEnv({}) });
    await demo.waitFor(/task \d+ \w+/, 30_000);
    const pids = await pidsOf(demo.stdout);
    for (const pid of pids) expect(alive(pid)).toBe(true);
    demo.child.kill('SIGINT');
    const { code } = await demo.exited;
    expect(code).toBe(0);
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
  });
});
