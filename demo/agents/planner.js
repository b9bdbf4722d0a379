// Planner: receives tasks, plans with an LLM, asks the researcher (HTTP) and then the writer (HTTP) — the trace
// crosses both calls through the auto-instrumented fetch.
import { context, propagation } from '@opentelemetry/api';
import { ATTR_TENANT_ID, aiRequest, invokeAgent } from 'agent-otel-bridge/agent';
import { postJson, startAgentServer } from '../lib/http-agent.js';
import { llm, required } from '../lib/env.js';

const researcherUrl = required('RESEARCHER_URL');
const writerUrl = required('WRITER_URL');

const TENANTS = ['acme', 'globex'];

/** Who and which tenant, in baggage: every span of the task's trace, in all three agents, carries them, and the
 * bug's Sentry event has `user.id` and a `tenant.id` tag (docs/sentry.md, Context). */
function asCustomerOf(task, work) {
  const bag = propagation.createBaggage({ 'user.id': { value: `user-${task.id}` }, [ATTR_TENANT_ID]: { value: TENANTS[task.id % TENANTS.length] } });
  return context.with(propagation.setBaggage(context.active(), bag), work);
}

startAgentServer('planner', {
  '/tasks': (task) =>
    asCustomerOf(task, () => invokeAgent({ name: 'planner' }, async (span) => {
      const traceId = span.span.spanContext().traceId;
      await aiRequest({ provider: 'openai', model: 'gpt-4o' }, () => llm.chat({ model: 'gpt-4o', prompt: `Plan research on ${task.topic}` }));
      const research = await postJson(`${researcherUrl}/research`, task);
      if (research.status !== 200) return { body: { id: task.id, traceId, outcome: 'bug', error: research.body.error } };
      const review = await postJson(`${writerUrl}/review`, { task, draftId: research.body.draftId });
      const outcome = review.status === 429 ? 'rate-limited' : review.status === 200 ? 'ok' : 'failed';
      return { body: { id: task.id, traceId, outcome } };
    })),
});
