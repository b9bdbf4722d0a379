// Writer: receives the researcher's notes as messages (continuing their trace), drafts with an LLM, and reviews
// drafts for the planner over HTTP. It holds the demo's scripted failures: one real bug and the rate limits.
import { aiRequest, invokeAgent, memoryOperation, receiveFromAgent } from 'agent-otel-bridge/agent';
import { startAgentServer } from '../lib/http-agent.js';
import { listenForMessages } from '../lib/message-channel.js';
import { VectorMemory } from '../lib/vector-memory.js';
import { RateLimitError } from '../lib/fake-llm.js';
import { llm } from '../lib/env.js';

const drafts = new VectorMemory();

/** The scripted bug: an outline parser that assumes every note has sections. */
function parseOutline(notes) {
  return notes.sections.map((section) => section.title);
}

listenForMessages(Number(process.env.MESSAGE_PORT ?? 0), (message) =>
  receiveFromAgent({ message, agent: 'writer' }, async () => {
    const { task, notes } = message;
    await memoryOperation({ operation: 'put', store: 'drafts' }, async () => drafts.put(`notes-${task.id}`, notes));
    const draft = await aiRequest({ provider: 'openai', model: 'gpt-4o' }, async () => {
      const outline = task.bug ? parseOutline(undefined) : ['intro', 'body', 'conclusion'];
      return llm.chat({ model: 'gpt-4o', prompt: `Write about ${task.topic} with ${outline.join(', ')}: ${notes}` });
    });
    await memoryOperation({ operation: 'put', store: 'drafts' }, async () => drafts.put(`draft-${task.id}`, draft.text));
    return { ok: true, draftId: `draft-${task.id}` };
  }).catch((err) => ({ ok: false, error: `${err.name}: ${err.message}` })),
);

startAgentServer('writer', {
  '/review': ({ task, draftId }) =>
    invokeAgent({ name: 'writer' }, async () => {
      const draft = await memoryOperation({ operation: 'get', store: 'drafts' }, async (span) => {
        const text = drafts.get(draftId);
        span.recordResultCount(text === undefined ? 0 : 1);
        return text ?? '';
      });
      try {
        const review = await aiRequest({ provider: 'openai', model: 'gpt-4o-mini' }, () =>
          llm.chat({ model: 'gpt-4o-mini', prompt: `Review: ${draft}`, rateLimited: task.rateLimited }),
        );
        return { body: { ok: true, review: review.text } };
      } catch (err) {
        if (err instanceof RateLimitError) return { status: 429, body: { ok: false, error: err.message } };
        throw err;
      }
    }),
});
