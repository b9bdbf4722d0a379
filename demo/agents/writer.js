// Writer: receives the researcher's notes as messages (continuing their trace) and drafts with an agent built on
// the OpenAI Agents SDK — a `writer` agent with a tool that saves the draft, handing off to an `editor` agent —
// then reviews drafts for the planner over HTTP with a plain `openai` chat completion. It holds the demo's scripted
// failures: one real bug and the rate limits (a 429 the local LLM server answers when asked to).
//
// The Agents SDK talks to the demo's LLM through the default OpenAI client set here; its model calls are `openai`
// calls, which the preload's openai instrumentation traces. Its own tracing stays on, as a user would have it: the
// default exporter to OpenAI's servers finds no key (see llm-endpoint.js) and skips each batch with one stderr line,
// and nothing leaves the machine.
import OpenAI from 'openai';
import { z } from 'zod';
import { Agent, run, setDefaultOpenAIClient, tool } from '@openai/agents';
import { invokeAgent, memoryOperation, receiveFromAgent } from 'agent-otel-bridge/agent';
import { startAgentServer } from '../lib/http-agent.js';
import { listenForMessages } from '../lib/message-channel.js';
import { VectorMemory } from '../lib/vector-memory.js';
import { LOCAL_API_KEY, llmEndpoint } from '../lib/llm-endpoint.js';

// No retries: a rate limit reaches the planner as a 429 at once (the demo's operational error).
const openai = new OpenAI({ baseURL: (await llmEndpoint()).url, apiKey: LOCAL_API_KEY, maxRetries: 0 });
setDefaultOpenAIClient(openai);

const drafts = new VectorMemory();

const saveDraft = tool({
  name: 'save_draft',
  description: 'Save the draft of the current task',
  parameters: z.object({ title: z.string() }),
  execute: ({ title }, runContext) =>
    memoryOperation({ operation: 'put', store: 'drafts' }, async () => {
      const { task, notes } = runContext.context;
      drafts.put(`draft-${task.id}`, `${title}: ${notes}`);
      return `saved draft-${task.id}`;
    }),
});
const editor = new Agent({ name: 'editor', model: 'gpt-4o-mini', instructions: 'Polish the draft you are handed.' });
const writer = new Agent({
  name: 'writer',
  model: 'gpt-4o',
  instructions: 'Write a short article from the notes, save it with save_draft, then hand it to the editor.',
  tools: [saveDraft],
  handoffs: [editor],
});

/** The scripted bug: an outline parser that assumes every note has sections. */
function parseOutline(notes) {
  return notes.sections.map((section) => section.title);
}

const messages = listenForMessages(Number(process.env.MESSAGE_PORT ?? 0), (message) =>
  receiveFromAgent({ message, agent: 'writer' }, async () => {
    const { task, notes } = message;
    await memoryOperation({ operation: 'put', store: 'drafts' }, async () => drafts.put(`notes-${task.id}`, notes));
    const outline = task.bug ? parseOutline(undefined) : ['intro', 'body', 'conclusion'];
    // The local model follows the prompt: save_draft, then the handoff to the editor, who answers with text.
    await run(writer, `Write about ${task.topic} with ${outline.join(', ')}: use save_draft then transfer_to_editor.`, { context: { task, notes } });
    return { ok: true, draftId: `draft-${task.id}` };
  }).catch((err) => ({ ok: false, error: `${err.name}: ${err.message}` })),
);

const http = startAgentServer('writer', {
  '/review': ({ task, draftId }) =>
    invokeAgent({ name: 'writer' }, async () => {
      const draft = await memoryOperation({ operation: 'get', store: 'drafts' }, async (span) => {
        const text = drafts.get(draftId);
        span.recordResultCount(text === undefined ? 0 : 1);
        return text ?? '';
      });
      try {
        const review = await openai.chat.completions.create(
          { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Review: ${draft}` }] },
          // The scripted rate limit: the local server answers this request with a 429.
          { headers: task.rateLimited ? { 'x-fault': '429' } : {} },
        );
        return { body: { ok: true, review: review.choices[0]?.message.content } };
      } catch (err) {
        if (err instanceof OpenAI.RateLimitError) return { status: 429, body: { ok: false, error: err.message } };
        throw err;
      }
    }),
});

// Importing @openai/agents adds SIGTERM/SIGINT listeners: its trace provider flushes on them and calls process.exit
// only if it is the last listener left. The bridge keeps its own listener until its flush is over, so the SDK does
// not end the process mid-flush (instrumentation/shutdown.ts); seeing a listener of the application's, the bridge
// only flushes. The writer ends itself: it closes its servers, and the process exits once the flushes are done.
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    http.close();
    messages.close();
  });
}
