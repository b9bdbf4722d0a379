// Planner: receives tasks, streams a plan from the LLM through the `openai` SDK, asks the researcher (HTTP) and
// then the writer (HTTP) — the trace crosses both calls through the auto-instrumented fetch. The chat call has no
// tracing code: the preload's openai instrumentation makes its `chat gpt-4o` span (streaming: time to first chunk,
// usage from the last chunk).
import { context, propagation } from '@opentelemetry/api';
import OpenAI from 'openai';
import { ATTR_TENANT_ID, invokeAgent } from 'agent-otel-bridge/agent';
import { postJson, startAgentServer } from '../lib/http-agent.js';
import { required } from '../lib/env.js';
import { LOCAL_API_KEY, llmEndpoint } from '../lib/llm-endpoint.js';

const researcherUrl = required('RESEARCHER_URL');
const writerUrl = required('WRITER_URL');
const openai = new OpenAI({ baseURL: (await llmEndpoint()).url, apiKey: LOCAL_API_KEY });
const TENANTS = ['acme', 'globex'];

/** Who and which tenant, in baggage: every span of the task's trace, in all three agents, carries them, and the
 * bug's Sentry event has `user.id` and a `tenant.id` tag (docs/sentry.md, Context). */
function asCustomerOf(task, work) {
  const bag = propagation.createBaggage({ 'user.id': { value: `user-${task.id}` }, [ATTR_TENANT_ID]: { value: TENANTS[task.id % TENANTS.length] } });
  return context.with(propagation.setBaggage(context.active(), bag), work);
}

async function plan(topic) {
  const stream = await openai.chat.completions.create({
    model: 'gpt-4o',
    stream: true,
    stream_options: { include_usage: true },
    messages: [
      { role: 'system', content: 'You plan research for a team of agents.' },
      { role: 'user', content: `Plan research on ${topic}` },
    ],
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  return text;
}

startAgentServer('planner', {
  '/tasks': (task) =>
    asCustomerOf(task, () => invokeAgent({ name: 'planner' }, async (span) => {
      const traceId = span.span.spanContext().traceId;
      await plan(task.topic);
      const research = await postJson(`${researcherUrl}/research`, task);
      if (research.status !== 200) return { body: { id: task.id, traceId, outcome: 'bug', error: research.body.error } };
      const review = await postJson(`${writerUrl}/review`, { task, draftId: research.body.draftId });
      const outcome = review.status === 429 ? 'rate-limited' : review.status === 200 ? 'ok' : 'failed';
      return { body: { id: task.id, traceId, outcome } };
    })),
});
