// Where the demo agents' LLM is: the local OpenAI-compatible server (openai-server.js) that `npm start` runs in its
// own process and names in OPENAI_BASE_URL — the variable the openai SDK itself reads. An agent started alone (a
// Kubernetes pod, by hand) without OPENAI_BASE_URL starts the same seeded server in its own process instead.
//
// The API key is a placeholder the local server ignores. It is passed to each SDK client explicitly and never set
// as OPENAI_API_KEY: the OpenAI Agents SDK's default trace exporter sends to api.openai.com whenever it finds a key
// there (@openai/agents-openai defaults.ts getTracingExportApiKey), and the demo's traces must not leave the machine.
import { startOpenAiServer } from './openai-server.js';
import { seed } from './env.js';

export const LOCAL_API_KEY = 'local-demo-key';

/**
 * The base URL an OpenAI client takes (`…/v1`), and how to stop the server if this call started one.
 * @param {Record<string, string | undefined>} [env]
 * @returns {Promise<{ url: string, started: boolean, close: () => Promise<void> }>}
 */
export async function llmEndpoint(env = process.env) {
  if (env.OPENAI_BASE_URL) return { url: env.OPENAI_BASE_URL, started: false, close: async () => {} };
  const server = await startOpenAiServer({ seed: Number(env.DEMO_SEED ?? seed) });
  return { url: server.url, started: true, close: server.close };
}
