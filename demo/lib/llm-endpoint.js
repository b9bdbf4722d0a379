// Where the demo agents' LLM is: the local OpenAI-compatible server (openai-server.js) that `npm start` runs in its
// own process and names in OPENAI_BASE_URL — the variable the openai SDK itself reads. An agent started alone (a
// Kubernetes pod, by hand) without OPENAI_BASE_URL starts the same seeded server in its own process instead.
//
// The API key is a placeholder the local server ignores. It is passed to each SDK client explicitly and never set
// as OPENAI_API_KEY: the OpenAI Agents SDK's default trace exporter sends to api.openai.com whenever it finds a key
// there (@openai/agents-openai getTracingExportApiKey), and the demo's traces must not leave the machine.
import { startOpenAiServer } from './openai-server.js';
import { seed } from './env.js';

export const LOCAL_API_KEY = 'local-demo-key';

/** The base URL an OpenAI client takes (`…/v1`). */
export async function llmBaseUrl() {
  if (process.env.OPENAI_BASE_URL) return process.env.OPENAI_BASE_URL;
  const server = await startOpenAiServer({ seed });
  return server.url;
}
