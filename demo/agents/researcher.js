// Researcher: researches with an AI SDK agent — `generateText` with two tools through the openai-compatible provider
// pointed at the demo's LLM — and hands the notes to the writer as a message over a plain TCP channel (the trace
// travels inside the message).
//
// The AI SDK traces itself once a telemetry integration is registered — the one line below (its docs' line; the
// option names the agent span after `functionId`, `invoke_agent researcher`, instead of the model) — and its
// OpenTelemetry spans (`invoke_agent`, `chat`, `execute_tool`) go through the bridge like any other. The helpers add
// what the SDK does not know: the memory search, the message to the writer, and the researcher's invocation around
// both — which also makes it the sender of the message (`gen_ai.agent.name` on the send span comes from the
// enclosing invocation). The SDK's agent span nests inside it under the same agent name.
import { OpenTelemetry } from '@ai-sdk/otel';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, registerTelemetry, stepCountIs, tool } from 'ai';
import { z } from 'zod';
import { invokeAgent, memoryOperation, sendToAgent } from 'agent-otel-bridge/agent';
import { startAgentServer } from '../lib/http-agent.js';
import { sendMessage } from '../lib/message-channel.js';
import { VectorMemory } from '../lib/vector-memory.js';
import { required } from '../lib/env.js';
import { LOCAL_API_KEY, llmEndpoint } from '../lib/llm-endpoint.js';

registerTelemetry(new OpenTelemetry({ agentSpanName: 'functionId' }));

const writerAddress = required('WRITER_MESSAGE_ADDR');
const llm = createOpenAICompatible({ name: 'local', baseURL: (await llmEndpoint()).url, apiKey: LOCAL_API_KEY, includeUsage: true });
const knowledge = new VectorMemory();
for (const [id, text] of Object.entries({
  otel: 'OpenTelemetry traces spans context propagation exporters collectors',
  sentry: 'Sentry errors issues performance traces releases environments',
  prometheus: 'Prometheus metrics scrape histograms counters PromQL alerts',
  agents: 'multi agent systems planner researcher writer LLM tools memory',
  vectors: 'vector memory embeddings cosine similarity retrieval',
})) knowledge.put(id, text);

/** The researcher's tools. The demo's model picks arguments at random, so they search the task's topic. */
function researchTools(topic) {
  return {
    search_knowledge: tool({
      description: 'Search the team knowledge base',
      inputSchema: z.object({ query: z.string() }),
      // A memory operation the SDK does not know about: the helper's span sits inside the SDK's tool span.
      execute: () =>
        memoryOperation({ operation: 'search', store: 'knowledge' }, async (span) => {
          const found = knowledge.search(topic);
          span.recordResultCount(found.length);
          return found.map((hit) => hit.text);
        }),
    }),
    web_search: tool({
      description: 'Search the web',
      inputSchema: z.object({ query: z.string() }),
      execute: async () => [`${topic}: overview`, `${topic}: best practices`, `${topic}: pitfalls`],
    }),
  };
}

startAgentServer('researcher', {
  '/research': (task) =>
    invokeAgent({ name: 'researcher' }, async () => {
      // The local model calls the tools the prompt names, in order, then answers: two tool steps and a summary.
      const { text } = await generateText({
        model: llm('claude-sonnet'),
        tools: researchTools(task.topic),
        stopWhen: stepCountIs(3),
        prompt: `Research ${task.topic}: use search_knowledge then web_search, then summarise.`,
        // gen_ai.agent.name on the SDK's spans
        telemetry: { functionId: 'researcher' },
      });
      const message = { type: 'notes', task, notes: text };
      const reply = await sendToAgent({ to: 'writer', from: 'researcher', message }, () => sendMessage(writerAddress, message));
      // A failure downstream is reported by status, not rethrown: the writer already reported its own error.
      return reply.ok ? { body: { ok: true, draftId: reply.draftId } } : { status: 502, body: { ok: false, error: reply.error } };
    }),
});
