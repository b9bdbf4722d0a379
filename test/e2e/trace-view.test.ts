/**
 * Issue 20 acceptance: the ingest's trace view in a real browser (Debian's chromium driven by playwright-core),
 * fed by the demo's three bridged agent processes. Screenshots go to test-artifacts/ (gitignored).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { ATTR_GEN_AI_AGENT_NAME, ATTR_GEN_AI_OPERATION_NAME, ATTR_MESSAGING_OPERATION_TYPE } from '@opentelemetry/semantic-conventions/incubating';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startIngest, type IngestServer, type TraceDetail } from '../../src/ingest/index.js';
import { ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';
import { waitUntil } from '../helpers/wait.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = `${ROOT}test-artifacts/`;

let ingest: IngestServer;
let browser: Browser;
let page: Page;
let okTrace: TraceDetail;
let bugTrace: TraceDetail;
/** The trace ids the demo printed, one per task. */
let demoTraceIds: string[];

/** A failed setup (no build, no browser) fails every test, rather than leaving them reported as skipped. */
let setupError: unknown;
beforeAll(async () => {
  try {
    await setUp();
  } catch (err) {
    setupError = err;
  }
}, 120_000);
beforeEach(() => {
  if (setupError !== undefined) throw setupError;
});

async function setUp(): Promise<void> {
  assertBuilt();
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: install it (\`apt-get install chromium\`) or set CHROMIUM_PATH`);
  mkdirSync(ARTIFACTS, { recursive: true });
  ingest = await startIngest();
  const demo = startNode([`${ROOT}demo/run.js`, '--tasks', '4', '--seed', '1'], { preload: false, env: cleanEnv({ SENTRY_DSN: ingest.dsn }) });
  const { code } = await demo.exited;
  expect(code, demo.stdout() + demo.stderr()).toBe(0);
  const outcomes = [...demo.stdout().matchAll(/^\s+\d+\s+([0-9a-f]{32})\s+(\S+)/gm)].map((m) => ({ traceId: m[1]!, outcome: m[2]! }));
  demoTraceIds = outcomes.map((o) => o.traceId);
  expect(demoTraceIds).toHaveLength(4);
  const complete = (id: string, services: number) =>
    ingest.waitFor(() => {
      const trace = ingest.trace(id);
      return trace && new Set(trace.spans.map((s) => s.service)).size === services && trace.spans.every((s) => !s.parentMissing) ? trace : undefined;
    });
  okTrace = await complete(outcomes.find((o) => o.outcome === 'ok')!.traceId, 3);
  bugTrace = await complete(outcomes.find((o) => o.outcome === 'bug')!.traceId, 3);
  await ingest.waitFor(() => ingest.trace(bugTrace.traceId)!.events.length > 0);
  bugTrace = ingest.trace(bugTrace.traceId)!;
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

afterEach(async () => {
  await page?.close();
  await stopAll();
});
afterAll(async () => {
  await browser?.close();
  await ingest?.close();
});

async function open(hash = ''): Promise<Page> {
  page = await browser.newPage({ viewport: { width: 1400, height: 1300 } });
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  // everything comes from the ingest itself: no CDN, works offline
  page.on('request', (req) => {
    if (!req.url().startsWith(`${ingest.url}/`) && !req.url().startsWith('data:')) problems.push(`request to ${req.url()}`);
  });
  await page.goto(`${ingest.url}/?sentry_key=${ingest.key}${hash}`);
  (page as Page & { problems: string[] }).problems = problems;
  return page;
}

/**
 * Waits until `selector` matches exactly `n` elements. Polled from the test side: the page's CSP (rightly) refuses
 * the string evaluation that a waitForFunction with an expression would need.
 */
function waitForCount(p: Page, selector: string, n: number, timeoutMs = 15_000) {
  return waitUntil(async () => (await p.$$(selector)).length === n, timeoutMs);
}

const rowsOf = (p: Page) => p.$$eval('[data-testid=span-row]', (rows) => rows.map((r) => ({ id: r.getAttribute('data-span-id'), service: r.getAttribute('data-service') })));

describe('trace view (GET /?sentry_key=…)', () => {
  it('is key-protected: no key or a wrong key gets 401 and no page script', async () => {
    for (const query of ['', '?sentry_key=wrong']) {
      const res = await fetch(`${ingest.url}/${query}`);
      expect(res.status).toBe(401);
      expect(await res.text()).not.toContain('app.js');
    }
    const ok = await fetch(`${ingest.url}/?sentry_key=${ingest.key}`);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('lists the traces with agents, span counts and error badges, and filters them', async () => {
    // every demo trace involves all three agents: one more trace, of an agent alone, gives the agent filter work —
    // and, an LLM call naming no model (Relay types it ai_client), the problems badge (demo traces have none)
    await postOtlp(otlpTrace(1, 'a', 'triage', { [ATTR_GEN_AI_AGENT_NAME]: 'triage', [ATTR_GEN_AI_OPERATION_NAME]: 'chat' }).request);
    const p = await open();
    const expected = ingest.traces();
    await waitForCount(p, '[data-testid=trace-row]', expected.length);
    const rows = await p.$$eval('[data-testid=trace-row]', (trs) =>
      trs.map((tr) => ({
        id: tr.getAttribute('data-trace-id'),
        root: tr.querySelector('[data-testid=trace-link]')!.textContent,
        startMs: Number(tr.querySelector('[data-testid=trace-start]')!.getAttribute('data-ms')),
        start: tr.querySelector('[data-testid=trace-start]')!.textContent,
        durationMs: Number(tr.querySelector('[data-testid=trace-duration]')!.getAttribute('data-ms')),
        duration: tr.querySelector('[data-testid=trace-duration]')!.textContent,
        agents: tr.querySelector('[data-testid=trace-agents]')!.textContent,
        spans: Number(tr.querySelector('[data-testid=trace-spans]')!.textContent),
        errors: Number(tr.querySelector('[data-testid=trace-errors]')!.textContent),
        badges: [...tr.querySelectorAll('[data-testid=badge]')].map((b) => b.textContent),
      })),
    );
    expect(rows.map((r) => r.id)).toEqual(expected.map((t) => t.traceId));
    for (const id of demoTraceIds) expect(rows.map((r) => r.id)).toContain(id);
    for (const [i, row] of rows.entries()) {
      const summary = expected[i]!;
      expect(row).toMatchObject({ root: summary.rootName, startMs: summary.startMs, durationMs: summary.durationMs });
      expect(row.start).toMatch(/\d:\d\d:\d\d.*\.\d{3}$/);
      expect(row.duration).toMatch(/^\d[\d.]* m?s$/);
      // the problems badge counts what the terminal waterfall prints under ⚠, and spans missing their parent
      const problems = ingest.problems(summary.traceId).length + summary.missingParents;
      expect(row.badges.filter((b) => /problem/.test(b ?? ''))).toEqual(problems > 0 ? [`${problems} problem${problems > 1 ? 's' : ''}`] : []);
    }
    expect(rows.some((r) => r.badges.some((b) => /problem/.test(b ?? '')))).toBe(true);
    const ok = rows.find((r) => r.id === okTrace.traceId)!;
    expect(ok.spans).toBe(okTrace.spans.length);
    for (const agent of ['planner', 'researcher', 'writer']) expect(ok.agents).toContain(agent);
    expect(ok.badges).toContain('sampled');
    const bug = rows.find((r) => r.id === bugTrace.traceId)!;
    expect(bug.errors).toBeGreaterThan(0);
    expect(bug.badges.some((b) => b?.includes('error'))).toBe(true);
    await p.screenshot({ path: `${ARTIFACTS}trace-list.png`, fullPage: true });

    await p.check('[data-testid=filter-errors]');
    await waitForCount(p, `[data-trace-id="${okTrace.traceId}"]`, 0);
    expect(await p.$(`[data-trace-id="${bugTrace.traceId}"]`)).not.toBeNull();
    await p.uncheck('[data-testid=filter-errors]');
    await p.selectOption('[data-testid=filter-model]', 'claude-sonnet');
    await waitForCount(p, '[data-testid=trace-row]', expected.filter((t) => t.models.includes('claude-sonnet')).length);
    await p.selectOption('[data-testid=filter-model]', '');
    const withAgent = (agent: string) => expected.filter((t) => t.agents.includes(agent)).length;
    for (const agent of ['triage', 'writer']) {
      await p.selectOption('[data-testid=filter-agent]', agent);
      await waitForCount(p, '[data-testid=trace-row]', withAgent(agent));
      const shown = await p.$$eval('[data-testid=trace-row]', (trs) => trs.map((tr) => tr.getAttribute('data-trace-id')));
      expect(shown).toEqual(expected.filter((t) => t.agents.includes(agent)).map((t) => t.traceId));
    }
    expect(withAgent('triage')).toBe(1);
    expect(withAgent('writer')).toBe(expected.length - 1);
    expect((p as Page & { problems: string[] }).problems).toEqual([]);
  });

  it('shows every span of the three-agent trace in parent order with its service, its attributes on click, and the agent graph', async () => {
    const p = await open(`#/trace/${okTrace.traceId}`);
    await waitForCount(p, '[data-testid=span-row]', okTrace.spans.length);
    expect(await rowsOf(p)).toEqual(okTrace.spans.map((s) => ({ id: s.spanId, service: s.service })));
    const rows = await rowsOf(p);
    expect(new Set(rows.map((r) => r.service))).toEqual(new Set(['planner', 'researcher', 'writer']));
    expect(rows[0]!.service).toBe('planner');
    // the hierarchy: each row indented by its depth and labelled with its agent (its own gen_ai.agent.name, else
    // its parent's within the same service)
    const drawn = await p.$$eval('[data-testid=span-row]', (rs) => rs.map((r) => ({ depth: Number(r.getAttribute('data-depth')), agent: r.getAttribute('data-agent') })));
    const agentBy = new Map<string, string>();
    const expectedRows = okTrace.spans.map((s) => {
      const parent = okTrace.spans.find((x) => x.spanId === s.parentSpanId);
      const agent = (s.attributes[ATTR_GEN_AI_AGENT_NAME] as string | undefined) ?? (parent && parent.service === s.service ? agentBy.get(parent.spanId) : undefined) ?? '';
      agentBy.set(s.spanId, agent);
      return { depth: s.depth, agent };
    });
    expect(drawn).toEqual(expectedRows);
    expect(new Set(drawn.map((r) => r.agent))).toEqual(new Set(['planner', 'researcher', 'writer', '']));
    // parent order: every span's parent is drawn above it
    const order = new Map(okTrace.spans.map((s, i) => [s.spanId, i]));
    for (const [i, s] of okTrace.spans.entries()) if (s.parentSpanId) expect(order.get(s.parentSpanId)!).toBeLessThan(i);

    const llm = okTrace.spans.find((s) => s.service === 'researcher' && s.attributes['gen_ai.request.model'] === 'claude-sonnet')!;
    await p.click(`[data-testid=span-row][data-span-id="${llm.spanId}"]`);
    await p.waitForSelector('[data-testid=detail] [data-testid=attr][data-key="gen_ai.request.model"]');
    expect(await p.textContent('[data-testid=detail-name]')).toBe(llm.name);
    expect(await p.textContent('[data-testid=detail] [data-testid=attr][data-key="gen_ai.request.model"] td:last-child')).toBe('claude-sonnet');
    expect(await p.$('[data-testid=detail] [data-testid=genai][data-key="gen_ai.usage.input_tokens"]')).not.toBeNull();

    // the message hop researcher → writer is drawn on the writer's process span
    const processSpan = okTrace.spans.find((s) => s.service === 'writer' && s.name === 'process writer')!;
    expect(await p.getAttribute(`[data-span-id="${processSpan.spanId}"] [data-testid=hop]`, 'data-kind')).toBe('message');

    const edges = await p.$$eval('[data-testid=graph-edge]', (gs) => gs.map((g) => ({ edge: `${g.getAttribute('data-from')}->${g.getAttribute('data-to')}:${g.getAttribute('data-kind')}x${g.getAttribute('data-count')}`, ms: Number(g.getAttribute('data-ms')) })));
    expect(edges.map((e) => e.edge).sort()).toEqual(['planner->researcher:callx1', 'planner->writer:callx1', 'researcher->writer:messagex1']);
    // how often and how long, by the documented rule: an edge B → A per span named for agent A whose nearest
    // agent above is B (a message hop when it processes a message), its duration summed
    type Span = (typeof okTrace.spans)[number];
    const byId = new Map(okTrace.spans.map((s) => [s.spanId, s]));
    const agentOf = (s: Span | undefined) => s?.attributes[ATTR_GEN_AI_AGENT_NAME] as string | undefined;
    const callerOf = (s: Span): string | undefined => {
      for (let up = byId.get(s.parentSpanId ?? ''); up; up = byId.get(up.parentSpanId ?? '')) if (agentOf(up)) return agentOf(up);
      return undefined;
    };
    const isMessage = (s: Span) => ['process', 'receive'].includes(String(s.attributes[ATTR_MESSAGING_OPERATION_TYPE])) || s.kind === 'consumer';
    const expected = new Map<string, { count: number; ms: number }>();
    for (const s of okTrace.spans) {
      const to = agentOf(s), from = callerOf(s);
      if (!to || !from || to === from) continue;
      const key = `${from}->${to}:${isMessage(s) ? 'message' : 'call'}`;
      const e = expected.get(key) ?? { count: 0, ms: 0 };
      expected.set(key, { count: e.count + 1, ms: e.ms + s.durationMs });
    }
    expect([...expected].map(([key, e]) => `${key}x${e.count}`).sort()).toEqual(edges.map((e) => e.edge).sort());
    for (const e of edges) {
      const want = expected.get(e.edge.replace(/x\d+$/, ''))!;
      expect(want.ms).toBeGreaterThan(0);
      expect(e.ms, e.edge).toBeCloseTo(want.ms, 6);
    }
    await p.screenshot({ path: `${ARTIFACTS}trace-page.png`, fullPage: true });
    expect((p as Page & { problems: string[] }).problems).toEqual([]);
  });

  it('links the error event to the span it came from and shows its stack', async () => {
    const event = bugTrace.events[0]!;
    expect(event.span_id).toBeDefined();
    const p = await open(`#/trace/${bugTrace.traceId}`);
    const link = await p.waitForSelector('[data-testid=error-event] [data-testid=error-span-link]');
    expect(await link.getAttribute('data-span-id')).toBe(event.span_id);
    expect(bugTrace.spans.some((s) => s.spanId === event.span_id)).toBe(true);
    expect(await p.textContent('[data-testid=errors] [data-testid=stack]')).toMatch(/TypeError: .*\n\s+at parseOutline \(/);
    // anonymous frames print as Node prints them: "at file:line:col", never "at ? (…)"
    // (the SDK records those as "?", a method of one as "Socket.?": Node's "Socket.<anonymous>")
    expect(await p.textContent('[data-testid=errors] [data-testid=stack]')).not.toMatch(/^\s+at (\S+\.)?\?[ (]/m);
    expect(bugTrace.events[0]!.frames.some((f) => f.function === '?' || f.function?.endsWith('.?'))).toBe(true);
    await link.click();
    await p.waitForSelector(`[data-testid=span-row].selected[data-span-id="${event.span_id}"]`);
    expect(await p.textContent('[data-testid=detail-name]')).toBe(bugTrace.spans.find((s) => s.spanId === event.span_id)!.name);
    expect(await p.$('[data-testid=detail] [data-testid=error-event]')).not.toBeNull();
    const errorSpan = bugTrace.spans.find((s) => s.spanId === event.span_id)!;
    expect(await p.textContent('[data-testid=detail] [data-testid=summary][data-key=status] td:last-child')).toBe(`${errorSpan.status.code}${errorSpan.status.message ? `: ${errorSpan.status.message}` : ''}`);
    expect(errorSpan.status.code).toBe('error');
    expect(errorSpan.events.length).toBeGreaterThan(0);
    expect(await p.$$eval('[data-testid=detail] [data-testid=span-event]', (evs) => evs.map((e) => e.querySelector('strong')!.textContent))).toEqual(errorSpan.events.map((e) => e.name));
    // the trace's problems, as the terminal waterfall prints them under ⚠ (the demo's traces have none)
    const problemCodes = (page: Page) => page.$$eval('[data-testid=problem]', (ps) => ps.map((x) => x.getAttribute('data-code')));
    expect(await problemCodes(p)).toEqual(ingest.problems(bugTrace.traceId).map((x) => x.code));
    await p.screenshot({ path: `${ARTIFACTS}trace-error.png`, fullPage: true });
    await p.setViewportSize({ width: 1280, height: 800 });
    await p.screenshot({ path: `${ARTIFACTS}trace-error-viewport.png` }); // the README's picture (docs/trace-view.png)
    // a trace with a problem lists it: an LLM call naming no model
    const flawed = otlpTrace(2, 'd', 'triage', { [ATTR_GEN_AI_OPERATION_NAME]: 'chat' });
    await postOtlp(flawed.request);
    await waitUntil(() => ingest.problems(flawed.traceId).length > 0, 10_000);
    const q = await open(`#/trace/${flawed.traceId}`);
    await q.waitForSelector('[data-testid=problem]');
    expect(await problemCodes(q)).toEqual(ingest.problems(flawed.traceId).map((x) => x.code));
    expect(await problemCodes(q)).toContain('ai_client_without_model');
  });

  it('updates while traces arrive, and keeps a 5,000-span trace usable (rows drawn only around the viewport)', async () => {
    const p = await open();
    await waitForCount(p, '[data-testid=trace-row]', ingest.traces().length);
    const big = otlpTrace(5000, 'b', 'big', {});
    await postOtlp(big.request);
    // no reload: the open list picks the new trace up by itself
    const link = await p.waitForSelector(`[data-trace-id="${big.traceId}"] [data-testid=trace-link]`, { timeout: 15_000 });
    expect(await p.textContent(`[data-trace-id="${big.traceId}"] [data-testid=trace-spans]`)).toBe('5000');
    const started = performance.now();
    await link.click();
    await p.waitForSelector('[data-testid=waterfall][data-span-count="5000"] [data-testid=span-row]');
    console.log(`trace view: 5,000-span trace drawn ${Math.round(performance.now() - started)} ms after the click`);
    const drawn = await p.$$eval('[data-testid=span-row]', (rows) => rows.length);
    expect(drawn).toBeGreaterThan(0);
    expect(drawn).toBeLessThan(200);
    // the last span is reachable by scrolling, and selectable
    const last = ingest.trace(big.traceId)!.spans.at(-1)!;
    await p.$eval('[data-testid=waterfall]', (el) => el.scrollTo(0, el.scrollHeight));
    await p.click(`[data-testid=span-row][data-span-id="${last.spanId}"]`);
    await waitUntil(async () => (await p.textContent('[data-testid=detail-name]').catch(() => null)) === last.name);
    expect(await p.$$eval('[data-testid=span-row]', (rows) => rows.length)).toBeLessThan(200);

    // an open trace page picks up a span that arrives later, without a reload
    const live = otlpTrace(2, 'c', 'live', {});
    const part = (from: number, to: number) => {
      const request = structuredClone(live.request);
      const scope = request.resourceSpans[0]!.scopeSpans[0]!;
      scope.spans = scope.spans.slice(from, to);
      return request;
    };
    await postOtlp(part(0, 1));
    await p.goto(`${ingest.url}/?sentry_key=${ingest.key}#/trace/${live.traceId}`);
    await waitForCount(p, '[data-testid=span-row]', 1);
    await postOtlp(part(1, 2));
    await waitForCount(p, '[data-testid=span-row]', 2);
    expect((p as Page & { problems: string[] }).problems).toEqual([]);
  });
});

describe('npm start (no SENTRY_DSN)', () => {
  it('prints the trace view URL of each trace it shows, and the bug\'s frames as Node prints them', async () => {
    const demo = startNode([`${ROOT}demo/run.js`, '--tasks', '4', '--seed', '1'], { preload: false, env: cleanEnv({}) });
    const { code } = await demo.exited;
    const out = demo.stdout();
    expect(code, out + demo.stderr()).toBe(0);
    const [, origin, key] = /^No SENTRY_DSN: started the local Sentry-compatible ingest at (http:\S+) \(DSN http:\/\/([0-9a-f]{32})@/m.exec(out)!;
    // each waterfall, then the link to the same trace in the browser
    const shown = [...out.matchAll(/^── trace ([0-9a-f]{32}) [\s\S]*?^In the browser .*: (\S+)$/gm)].map((m) => ({ traceId: m[1]!, url: m[2]! }));
    expect(shown).toHaveLength(2);
    for (const { traceId, url } of shown) expect(url).toBe(`${origin}/?sentry_key=${key}#/trace/${traceId}`);
    // the writer's bug: parseOutline, called from the anonymous message handler ("?" in the SDK's frames)
    expect(out).toMatch(/^ {6}at parseOutline \(\S+demo\/agents\/writer\.js:\d+:\d+\)$/m);
    expect(out).toMatch(/^ {6}at \S+demo\/agents\/writer\.js:\d+:\d+$/m);
    expect(out).not.toContain('at ?');
  }, 180_000);
});

describe('npm start --serve (no SENTRY_DSN)', () => {
  it('prints a trace view URL per task that opens that trace, across the three agents', async () => {
    const demo = startNode([`${ROOT}demo/run.js`, '--serve', '--interval', '300'], { preload: false, env: cleanEnv({}) });
    const [, listUrl] = await demo.waitFor(/^Trace view: (http:\S+)/m, 90_000);
    expect((await fetch(listUrl!)).status).toBe(200);
    const [, url] = await demo.waitFor(/^task \d+ ok [0-9a-f]{32}\s+(http:\S+#\/trace\/[0-9a-f]{32})$/m, 60_000);
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(url!);
    // spans keep arriving for a moment: the open page picks them up by itself
    const services = () => page.$$eval('[data-testid=span-row]', (rows) => new Set(rows.map((r) => r.getAttribute('data-service'))).size);
    await waitUntil(async () => (await services()) === 3, 30_000);
    await demo.stop('SIGINT');
  }, 240_000);
});

async function postOtlp(request: unknown): Promise<void> {
  const posted = await fetch(`${ingest.url}/api/1/integration/otlp/v1/traces/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-sentry-auth': `Sentry sentry_version=7, sentry_key=${ingest.key}` },
    body: JSON.stringify(request),
  });
  expect(posted.status).toBe(202);
}

/** One OTLP/JSON request holding a `count`-span trace of one service: a 4-ary tree, 1 ms apart, `attributes` on its root. */
function otlpTrace(count: number, idChar: string, service: string, attributes: Record<string, string>) {
  const traceId = idChar.repeat(32);
  const hex = (i: number) => (i + 1).toString(16).padStart(16, '0');
  const t0 = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: count }, (_, i) => ({
    traceId,
    spanId: hex(i),
    ...(i > 0 ? { parentSpanId: hex(Math.floor((i - 1) / 4)) } : {}),
    name: `step ${i}`,
    kind: 1,
    startTimeUnixNano: String(t0 + BigInt(i) * 1_000_000n),
    endTimeUnixNano: String(t0 + BigInt(i) * 1_000_000n + 500_000n),
    attributes: [{ key: 'step', value: { intValue: String(i) } }, ...(i === 0 ? Object.entries(attributes).map(([key, value]) => ({ key, value: { stringValue: value } })) : [])],
    status: {},
  }));
  return {
    traceId,
    request: { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ scope: { name: 'test' }, spans }] }] },
  };
}
