import { describe, expect, it } from 'vitest';
import { runIngestCommand } from '../../../src/cli/ingest.js';
import { envelope, errorEvent } from './payloads.js';

const KEY = 'clikey0123456789abcdef0123456789';

describe('agent-otel-bridge ingest', () => {
  it('prints the DSN, ingests, applies --fault, and stops cleanly when asked', async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    const done = runIngestCommand(['--port', '0', '--key', KEY, '--project', '3', '--fault', 'status:503,count=1', '--quiet-ms', '50', '--width', '80'], {
      print: (line) => lines.push(line),
      signal: stop.signal,
    });
    const deadline = Date.now() + 10_000;
    while (!lines.some((line) => line.startsWith('SENTRY_DSN=')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const dsn = lines.find((line) => line.startsWith('SENTRY_DSN='))!.slice('SENTRY_DSN='.length);
    const match = new RegExp(`^http://${KEY}@127\\.0\\.0\\.1:(\\d+)/3$`).exec(dsn);
    expect(match).not.toBeNull();
    const url = `http://127.0.0.1:${match![1]}/api/3/envelope/?sentry_key=${KEY}`;
    const body = envelope({}, [[{ type: 'event' }, errorEvent()]]);
    expect((await fetch(url, { method: 'POST', body })).status).toBe(503);
    expect((await fetch(url, { method: 'POST', body })).status).toBe(200);
    // the waterfall printer reports the event's trace once quiet
    while (!lines.some((line) => line.includes('✖ TypeError: boom')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(lines.some((line) => line.includes('✖ TypeError: boom'))).toBe(true);
    stop.abort();
    expect(await done).toBe(0);
    expect(lines.at(-1)).toBe('agent-otel-bridge ingest stopped');
    await expect(fetch(url, { method: 'POST', body })).rejects.toThrow();
  });

  it.each([[['--bogus']], [['--port', 'x']], [['--fault', 'status:200']], [['--key', 'has space']], [['--key', 'short']]])('fails with a usage error for %j', async (argv) => {
    const errors: string[] = [];
    const code = await runIngestCommand(argv, { print: () => {}, error: (line) => errors.push(line) });
    expect(code).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(/agent-otel-bridge ingest/);
  });
});
