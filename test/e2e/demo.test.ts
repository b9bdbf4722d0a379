/**
 * Issue 8 and issue 19 (item 6) acceptance: `npm start`'s demo, checked through the ingest's API (the test's own
 * ingest, passed as SENTRY_DSN), and no orphan processes — after a normal run and after SIGINT in --serve mode.
 *
 * The agents call the demo's local OpenAI-compatible server through real SDKs and carry no tracing code for those
 * calls: the planner through `openai` (streaming chat completions), the researcher through the AI SDK
 * (`generateText` with tools, @ai-sdk/otel registered), the writer through the OpenAI Agents SDK (a tool, then a
 * handoff to the editor) and `openai` for its reviews. What is asserted of the AI SDK and the Agents SDK is what
 * the bridge produces for them without an integration of its own: the AI SDK's own OpenTelemetry spans, and the
 * Agents SDK's model calls as `openai` calls.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ATTR_GEN_AI_AGENT_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from '@opentelemetry/semantic-conventions/incubating';
import { ATTR_HTTP_RESPONSE_STATUS_CODE } from '@opentelemetry/semantic-conventions';
import { startIngest, type IngestServer } from '../../src/ingest/index.js';
import type { IngestSpan, TraceDetail } from '../../src/ingest/types.js';
import { ATTR_SENTRY_OP } from '../../src/agent/attributes.js';
import { agentSpanTypeOf } from '../../src/agent/span-type.js';
import { ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';
import { ingestSettled } from '../helpers/ingest-settled.js';
import { allowLoadedMachine } from '../helpers/timeouts.js';

// Three bridged processes loading openai, the AI SDK and the Agents SDK: slow to start on a loaded machine.
allowLoadedMachine();

const OPENAI_SCOPE = 'agent-otel-bridge/instrumentation-openai';
const HELPERS_SCOPE = 'agent-otel-bridge/agent';
const AGENTS_SCOPE = 'agent-otel-bridge/instrumentation-openai-agents';

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

/** The agents' process ids, from the line that names each agent's pid. */
function pidsOf(output: () => string): number[] {
  const line = output().match(/^Started the agents, each under the bridge's preload: (.*)\.$/m);
  if (!line) throw new Error(`no line naming the agents in:\n${output()}`);
  const pids = [...line[1]!.matchAll(/(planner|researcher|writer) \(pid (\d+)\)/g)].map((m) => [m[1]!, Number(m[2])] as const);
  expect(pids.map(([name]) => name)).toEqual(['planner', 'researcher', 'writer']);
  return pids.map(([, pid]) => pid);
}

/** The one span matching `predicate` (fails with the trace's span names otherwise). */
function only(trace: TraceDetail, what: string, predicate: (s: IngestSpan) => boolean): IngestSpan {
  const found = trace.spans.filter(predicate);
  expect(found, `${what} in ${trace.spans.map((s) => `${s.service}:${s.name}`).join(', ')}`).toHaveLength(1);
  return found[0]!;
}

/** The LLM-call figures the demo prints per agent from its Prometheus endpoint. */
function printedLlmCalls(stdout: string): Record<string, number> {
  return Object.fromEntries([...stdout.matchAll(/^\s+(planner|researcher|writer)\s+http:\S+\s+LLM calls (\d+),/gm)].map((m) => [m[1]!, Number(m[2])]));
}

describe('demo (npm start)', () => {
  it('runs planner, researcher and writer on real SDKs in one trace per task, with the bug as one linked error event', async () => {
    const demo = startNode([`${ROOT}demo/run.js`, '--tasks', '4', '--seed', '1'], {
      preload: false,
      // A key in the environment must not reach the agents: the Agents SDK would export its traces to OpenAI.
      // No NODE_ENV=test (vitest sets it): @openai/agents-core turns its tracing off under it, and the demo runs
      // as `npm start` runs it.
      env: cleanEnv({ SENTRY_DSN: ingest.dsn, OPENAI_API_KEY: 'sk-demo-test-not-for-export', NODE_ENV: undefined }),
    });
    const { code } = await demo.exited;
    expect(code, demo.stdout() + demo.stderr()).toBe(0);
    expect(demo.stdout()).toContain('Using SENTRY_DSN from the environment');
    expect(demo.stdout()).toMatch(/^Started the local OpenAI-compatible LLM server at http:\/\/127\.0\.0\.1:\d+\/v1 \(seed 1\)/m);
    // The Agents SDK's default exporter never tried OpenAI's servers (here a try fails: no route out; it would
    // log "[non-fatal] Tracing: request failed" or a client error, and retry for seconds).
    expect(demo.stderr()).not.toMatch(/\[non-fatal\] Tracing|Tracing: failed to export/);
    // …while its tracing stayed on (a trace processor of the bridge's would see its spans): the exporter ran and
    // skipped for want of a key (@openai/agents-openai openaiTracingExporter.ts).
    expect(demo.stderr()).toContain('No API key provided for OpenAI tracing exporter. Exports will be skipped');
    // Off a terminal, progress is one line per task (not `tasks 1/4tasks 2/4…`); no bare pid list.
    expect(demo.stderr().match(/tasks \d+\/\d+.*/g)).toEqual(['tasks 1/4', 'tasks 2/4', 'tasks 3/4', 'tasks 4/4']);
    expect(demo.stdout()).not.toMatch(/PIDS/);
    await ingestSettled(ingest);

    const outcomes = [...demo.stdout().matchAll(/^\s+\d+\s+([0-9a-f]{32})\s+(\S+)/gm)].map((m) => ({ traceId: m[1]!, outcome: m[2]! }));
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(['bug', 'ok', 'ok', 'rate-limited']);

    const ok = outcomes.find((o) => o.outcome === 'ok')!;
    const trace = ingest.trace(ok.traceId)!;
    expect(new Set(trace.spans.map((s) => s.service))).toEqual(new Set(['planner', 'researcher', 'writer']));
    const byId = new Map(trace.spans.map((s) => [s.spanId, s]));
    const parentOf = (span: IngestSpan) => byId.get(span.parentSpanId ?? '');
    const roots = trace.spans.filter((s) => !parentOf(s));
    expect(roots.map((s) => s.service)).toEqual(['planner']);
    // the message hop: writer's process span is the child of researcher's send span
    const send = only(trace, 'send writer', (s) => s.service === 'researcher' && s.name === 'send writer');
    const processSpan = only(trace, 'process writer', (s) => s.service === 'writer' && s.name === 'process writer');
    expect(processSpan.parentSpanId).toBe(send.spanId);
    // one classification (GenAI conventions, agent.span.type a hint): helper spans and SDK spans alike
    const types = new Set(trace.spans.map((s) => agentSpanTypeOf(s.attributes as never)));
    for (const type of ['ai.request', 'memory.operation', 'agent.communication', 'agent.invocation', 'tool.execution']) expect(types).toContain(type);

    // planner — openai, streaming: the preload's instrumentation makes the GenAI client span, under the invocation
    const plan = only(trace, 'the planner chat span', (s) => s.service === 'planner' && s.name === 'chat gpt-4o');
    expect(plan.kind).toBe('client');
    expect(plan.scope?.name).toBe(OPENAI_SCOPE);
    expect(plan.status.code).toBe('unset');
    expect(plan.attributes).toMatchObject({
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
      [ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o',
      [ATTR_GEN_AI_RESPONSE_MODEL]: 'gpt-4o',
      [ATTR_GEN_AI_REQUEST_STREAM]: true,
      [ATTR_GEN_AI_AGENT_NAME]: 'planner',
      [ATTR_SENTRY_OP]: 'gen_ai.chat',
    });
    expect(plan.attributes[ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK]).toBeGreaterThan(0);
    expect(plan.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBeGreaterThan(0);
    expect(plan.attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]).toBeGreaterThan(0);
    expect(parentOf(plan)?.name).toBe('invoke_agent planner');

    // writer — the Agents SDK, mirrored by the preload's trace processor (the openai instrumentation skips the calls
    // the SDK makes): a workflow under the message, the writer agent's turns (its model calls, its tool call, its
    // handoff) and the editor agent it hands off to; then the review, a plain openai chat completion
    const agents = new Set(trace.spans.filter((s) => s.service === 'writer' && s.scope?.name === AGENTS_SCOPE).map((s) => s.spanId));
    const named = (name: string) => only(trace, name, (s) => agents.has(s.spanId) && s.name === name);
    const workflow = only(trace, 'the Agents SDK workflow', (s) => agents.has(s.spanId) && parentOf(s) === processSpan);
    const writerAgent = named('invoke_agent writer');
    const editorAgent = named('invoke_agent editor');
    expect(parentOf(writerAgent)).toBe(workflow);
    expect(parentOf(editorAgent)).toBe(workflow);
    const agentRun = trace.spans.filter((s) => agents.has(s.spanId) && s.name.startsWith('chat '));
    expect(agentRun.map((s) => [s.name, s.attributes[ATTR_GEN_AI_AGENT_NAME]])).toEqual([
      ['chat gpt-4o', 'writer'],
      ['chat gpt-4o', 'writer'],
      ['chat gpt-4o-mini', 'editor'],
    ]);
    for (const span of agentRun) {
      expect(span.kind).toBe('client');
      expect(span.attributes).toMatchObject({ [ATTR_GEN_AI_OPERATION_NAME]: 'chat', [ATTR_GEN_AI_RESPONSE_MODEL]: span.name.slice('chat '.length) });
      expect(span.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBeGreaterThan(0);
      // the model client's request runs in the mirrored chat span's context: its HTTP span is the chat span's child
      expect(trace.spans.filter((s) => parentOf(s) === span && s.kind === 'client'), span.name).toHaveLength(1);
    }
    expect(named('execute_tool save_draft').attributes[ATTR_GEN_AI_TOOL_NAME]).toBe('save_draft');
    const handoff = named('send editor');
    expect(handoff.kind).toBe('producer');
    expect(handoff.attributes[ATTR_GEN_AI_AGENT_NAME]).toBe('writer');
    expect(trace.spans.filter((s) => s.service === 'writer' && s.scope?.name === OPENAI_SCOPE && parentOf(s) === processSpan)).toEqual([]);
    const drafted = trace.spans.filter((s) => s.service === 'writer' && s.name === 'memory.put drafts');
    expect(drafted).toHaveLength(2); // the notes, then the draft saved by the agent's tool
    const review = only(trace, 'the review chat span', (s) => s.service === 'writer' && parentOf(s)?.name === 'invoke_agent writer' && s.scope?.name === OPENAI_SCOPE);
    expect(review.name).toBe('chat gpt-4o-mini');
    expect(review.attributes[ATTR_GEN_AI_REQUEST_STREAM]).not.toBe(true);

    // researcher — the AI SDK's own spans, through the bridge as they are: the agent, a chat per step, the tools
    const research = only(trace, 'the AI SDK agent span', (s) => s.service === 'researcher' && s.name === 'invoke_agent researcher' && s.scope?.name !== HELPERS_SCOPE);
    expect(research.attributes).toMatchObject({ [ATTR_GEN_AI_OPERATION_NAME]: 'invoke_agent', [ATTR_GEN_AI_AGENT_NAME]: 'researcher', [ATTR_GEN_AI_REQUEST_MODEL]: 'claude-sonnet' });
    // inside the researcher's own invocation, which also encloses (and names the sender of) the message
    const invocation = parentOf(research)!;
    expect([invocation.name, invocation.scope?.name]).toEqual(['invoke_agent researcher', HELPERS_SCOPE]);
    expect(send.parentSpanId).toBe(invocation.spanId);
    expect(send.attributes[ATTR_GEN_AI_AGENT_NAME]).toBe('researcher');
    const chats = trace.spans.filter((s) => s.service === 'researcher' && s.name === 'chat claude-sonnet');
    expect(chats).toHaveLength(3);
    for (const chat of chats) {
      expect(chat.kind).toBe('client');
      expect(chat.attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS]).toBeGreaterThan(0);
    }
    const tools = trace.spans.filter((s) => s.service === 'researcher' && s.attributes[ATTR_GEN_AI_OPERATION_NAME] === 'execute_tool');
    expect(tools.map((s) => s.attributes[ATTR_GEN_AI_TOOL_NAME])).toEqual(['search_knowledge', 'web_search']);
    const search = only(trace, 'the memory search', (s) => s.name === 'memory.search knowledge');
    expect(parentOf(search)).toBe(tools[0]);

    // the scripted rate limit: a 429 from the local server on the review call, an error span but no issue
    const limited = ingest.trace(outcomes.find((o) => o.outcome === 'rate-limited')!.traceId)!;
    const refused = only(limited, 'the rate-limited review', (s) => s.service === 'writer' && s.name === 'chat gpt-4o-mini' && s.status.code === 'error');
    expect(refused.attributes[ATTR_HTTP_RESPONSE_STATUS_CODE]).toBe(429);

    // span metrics count the SDK calls: one streamed plan per task; per task that got past the bug, three Agents SDK
    // model calls and one review; three AI SDK steps per task
    const past = outcomes.filter((o) => o.outcome !== 'bug').length;
    expect(printedLlmCalls(demo.stdout())).toEqual({ planner: 4, researcher: 3 * 4, writer: past * 3 + past });

    // nothing Sentry would show other than what happened — no LLM call without a model (the AI SDK's steps, the
    // Agents SDK's model calls), no span without its sample rate, no error without its trace's DSC
    for (const o of outcomes) expect(ingest.problems(o.traceId), `${o.outcome} ${o.traceId}`).toEqual([]);

    const bug = outcomes.find((o) => o.outcome === 'bug')!;
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

    for (const pid of pidsOf(demo.stdout)) expect(alive(pid), `pid ${pid}`).toBe(false);
  });

  it('says why there is no complete trace (or no bug) to show when no task gives one', async () => {
    // One task (no scripted bug below two), rate-limited for sure: nothing completes and nothing hits the bug.
    const demo = startNode([`${ROOT}demo/run.js`, '--tasks', '1', '--failure-rate', '1'], { preload: false, env: cleanEnv({ NODE_ENV: undefined }) });
    const { code } = await demo.exited;
    expect(code, demo.stdout() + demo.stderr()).toBe(0);
    expect(demo.stdout()).toMatch(/^\s+1\s+[0-9a-f]{32}\s+rate-limited/m);
    expect(demo.stdout()).toContain('No task completed without a failure in this run, so there is no complete trace to show');
    expect(demo.stdout()).toContain('No task hit the scripted bug in this run (it needs --tasks 2 or more).');
    expect(demo.stdout()).not.toContain('One complete cross-agent trace');
  });

  it('--serve keeps the agents running until SIGINT, then stops every child', async () => {
    const demo = startNode([`${ROOT}demo/run.js`, '--serve', '--interval', '300'], { preload: false, env: cleanEnv({ NODE_ENV: undefined }) });
    const [, first] = await demo.waitFor(/task (\d+) \w+/, 120_000);
    expect(first).toBe('1');
    const pids = pidsOf(demo.stdout);
    for (const pid of pids) expect(alive(pid)).toBe(true);
    demo.child.kill('SIGINT');
    const { code } = await demo.exited;
    expect(code).toBe(0);
    for (const pid of pids) expect(alive(pid), `pid ${pid}`).toBe(false);
  });
});
