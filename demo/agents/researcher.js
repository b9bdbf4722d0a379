// Researcher: searches its knowledge memory, runs a search tool, summarises with an LLM, then hands the notes to
// the writer as a message over a plain TCP channel (the trace travels inside the message).
import { aiRequest, executeTool, invokeAgent, memoryOperation, sendToAgent } from 'agent-otel-bridge/agent';
import { startAgentServer } from '../lib/http-agent.js';
import { sendMessage } from '../lib/message-channel.js';
import { VectorMemory } from '../lib/vector-memory.js';
import { llm, required } from '../lib/env.js';

const writerAddress = required('WRITER_MESSAGE_ADDR');
const knowledge = new VectorMemory();
for (const [id, text] of Object.entries({
  otel: 'OpenTelemetry traces spans context propagation exporters collectors',
  sentry: 'Sentry errors issues performance traces releases environments',
  prometheus: 'Prometheus metrics scrape histograms counters PromQL alerts',
  agents: 'multi agent systems planner researcher writer LLM tools memory',
  vectors: 'vector memory embeddings cosine similarity retrieval',
})) knowledge.put(id, text);

function webSearch(topic) {
  return [`${topic}: overview`, `${topic}: best practices`, `${topic}: pitfalls`];
}

startAgentServer('researcher', {
  '/research': (task) =>
    invokeAgent({ name: 'researcher' }, async () => {
      const hits = await memoryOperation({ operation: 'search', store: 'knowledge' }, async (span) => {
        const found = knowledge.search(task.topic);
        span.recordResultCount(found.length);
        return found;
      });
      const results = await executeTool({ name: 'web_search' }, async () => webSearch(task.topic));
      const summary = await aiRequest({ provider: 'anthropic', model: 'claude-sonnet' }, () =>
        llm.chat({ model: 'claude-sonnet', prompt: `Summarise ${task.topic} from ${hits.map((h) => h.id).join(' ')} ${results.join(' ')}` }),
      );
      const message = { type: 'notes', task, notes: summary.text };
      const reply = await sendToAgent({ to: 'writer', from: 'researcher', message }, () => sendMessage(writerAddress, message));
      // A failure downstream is reported by status, not rethrown: the writer already reported its own error.
      return reply.ok ? { body: { ok: true, draftId: reply.draftId } } : { status: 502, body: { ok: false, error: reply.error } };
    }),
});
