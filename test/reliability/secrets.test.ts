/**
 * Issue 12, secrets: a bridged run that puts DSN keys, bearer tokens, provider API keys, passwords, JWTs and e-mail
 * addresses into attributes, prompts, agent messages, URLs, headers and exception messages. Neither the raw bytes
 * the ingest received nor anything the bridge logged may contain any of them.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIngest, type IngestServer } from '../../src/ingest/index.js';
import { ROOT, assertBuilt, cleanEnv, startNode, stopAll } from '../helpers/process.js';
import { allowLoadedMachine } from '../helpers/timeouts.js';

allowLoadedMachine();

const PLANTED = {
  dsn: 'https://f00dfacef00dfacef00dfacef00dface@o1.ingest.example/7',
  bearer: 'Bearer zq9SECRETbearerTOKENzq9',
  openai: 'sk-proj-Zq9SECRETopenaiKEY0123456789',
  github: 'ghp_Zq9SECRETgithubTOKEN0123456789abcd',
  aws: 'AKIAZQ9SECRETAWS1234',
  slack: 'xoxb-999999999-Zq9SECRETslack',
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJacTlTRUNSRVQifQ.Zq9SECRETjwtSIGNATUREabc',
  password: 'Zq9SECRETpassw0rd',
  email: 'zq9.secret.person@example.org',
  queryToken: 'Zq9SECRETquerytoken',
  apiKey: 'Zq9SECRETapikey',
  cookie: 'Zq9SECRETcookie',
};
/** What must never appear (for the DSN: its key; for the bearer: its credential). */
const NEEDLES = [
  'f00dfacef00dfacef00dfacef00dface',
  'zq9SECRETbearerTOKENzq9',
  ...Object.entries(PLANTED)
    .filter(([k]) => k !== 'dsn' && k !== 'bearer')
    .map(([, v]) => v),
];

let ingest: IngestServer;
let dataDir: string;

beforeAll(async () => {
  assertBuilt();
  dataDir = mkdtempSync(join(tmpdir(), 'aob-secrets-'));
  ingest = await startIngest({ dataDir });
});
afterEach(stopAll);
afterAll(async () => {
  await ingest.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('secrets', () => {
  it("never leave the process: not in the ingest's raw bytes, not in anything the bridge logged", async () => {
    const app = startNode([`${ROOT}test/fixtures/reliability/leaky-agent.mjs`], {
      env: cleanEnv({
        SENTRY_DSN: ingest.dsn,
        OTEL_SERVICE_NAME: 'leaky',
        SENTRY_TRACES_SAMPLE_RATE: '1',
        OTEL_BSP_SCHEDULE_DELAY: '100',
        OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'true',
        SENTRY_DEBUG: 'true',
        PLANTED: JSON.stringify(PLANTED),
      }),
    });
    const [, port] = await app.waitFor(/READY (\d+)/);
    const response = await fetch(`http://127.0.0.1:${port}/run?token=${PLANTED.queryToken}`, { headers: { authorization: PLANTED.bearer } });
    expect(response.status).toBe(200);
    await app.stop();
    await ingest.waitFor(() => ingest.events().length > 0 && ingest.spans().some((s) => s.name.startsWith('chat')));

    // the content really was captured (so the scan is meaningful), just scrubbed
    const chat = ingest.spans().find((s) => s.name === 'chat gpt-4o' && s.attributes['gen_ai.input.messages'] !== undefined);
    expect(JSON.stringify(chat?.attributes['gen_ai.input.messages'])).toContain('[Filtered]');

    const files = readdirSync(dataDir).map((file) => readFileSync(join(dataDir, file)));
    const received = files.map((buffer) => buffer.toString('latin1')).join('\n');
    const rawBodies = ingest.raw().map((r) => r.body.toString('latin1'));
    const logs = app.stdout() + app.stderr();
    expect(received.length).toBeGreaterThan(1000);
    for (const needle of NEEDLES) {
      expect(received, `ingest files contain ${needle}`).not.toContain(needle);
      for (const body of rawBodies) expect(body, `a request body contains ${needle}`).not.toContain(needle);
      expect(logs, `the bridge logged ${needle}`).not.toContain(needle);
    }
    // bodies are stored decompressed; make sure no gzip member slipped through unscanned
    for (const buffer of files) expect(buffer.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))).toBe(false);
  });
});
