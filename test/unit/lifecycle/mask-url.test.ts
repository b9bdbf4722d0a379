/** Issue 16 item 8: logs never print credentials of any URL (`check`, invalid-value messages, every log line). */
import { describe, expect, it, vi } from 'vitest';
import { maskUrlCredentials, maskUrlCredentialsInText } from '../../../src/mask-url.js';
import { error, info, warn, warnOnce } from '../../../src/log.js';
import { runCheckCommand } from '../../../src/cli/check.js';
import { loadConfig } from '../../../src/config.js';
import { freePort } from '../../helpers/ports.js';

const SECRETS = ['alice', 's3cretPass', 'tok3nValue', 'sigValue9'];
const URL_WITH_SECRETS = 'http://alice:s3cretPass@127.0.0.1:PORT/v1/traces?token=tok3nValue&sig=sigValue9';

describe('maskUrlCredentials', () => {
  it.each([
    ['http://user:pw@host:4318/v1/traces', 'http://***@host:4318/v1/traces'],
    ['https://host/api/1/?sentry_key=abc&x=1', 'https://host/api/1/?sentry_key=***&x=***'],
    ['not a url user:pw@x', 'not a url user:pw@x'],
    ['http://host/path', 'http://host/path'],
  ])('%s → %s', (input, shown) => {
    expect(maskUrlCredentials(input)).toBe(shown);
  });

  it('is linear on hostile input (a 1 MB run without @ or =)', () => {
    const hostile = `http://${'a:'.repeat(500_000)}`;
    expect(maskUrlCredentials(hostile)).toBe(hostile);
  });
});

describe('every log line', () => {
  it.each([
    ['flush failed: connect ECONNREFUSED for http://alice:s3cretPass@127.0.0.1:4318/v1/traces', 'flush failed: connect ECONNREFUSED for http://***@127.0.0.1:4318/v1/traces'],
    ['dsn (https://0123456789abcdef@o1.ingest.sentry.io/1) and git+ssh://deploy:tok3nValue@host/x.git', 'dsn (https://***@o1.ingest.sentry.io/1) and git+ssh://***@host/x.git'],
    ['already masked: http://***@host/', 'already masked: http://***@host/'],
    ['no URL: alice@example.com, a:b@c', 'no URL: alice@example.com, a:b@c'],
  ])('%s', (text, shown) => {
    expect(maskUrlCredentialsInText(text)).toBe(shown);
  });

  it('is linear on hostile input (runs of "://" without @, long userinfo-like runs)', () => {
    const hostile = `${'a://'.repeat(100_000)} x://${'u'.repeat(1_000_000)}`;
    const start = performance.now();
    expect(maskUrlCredentialsInText(hostile)).toBe(hostile);
    expect(performance.now() - start).toBeLessThan(2_000); // a bound for a loaded machine; quadratic would take minutes
  });

  it('info, warn, warnOnce and error print the URL without its credentials', () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      const message = URL_WITH_SECRETS.replace('PORT', '4318');
      info(message);
      warn(message);
      warnOnce('mask-url-test', message);
      error(message);
    } finally {
      spy.mockRestore();
    }
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line).toContain('http://***@127.0.0.1:4318/v1/traces');
      for (const secret of ['alice', 's3cretPass']) expect(line).not.toContain(secret);
    }
  });
});

describe('agent-otel-bridge check', () => {
  it('prints no userinfo or query value of the collector URL', async () => {
    const url = URL_WITH_SECRETS.replace('PORT', String(await freePort()));
    const lines: string[] = [];
    const code = await runCheckCommand([], { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url, AGENT_BRIDGE_METRICS_ENABLED: 'false' }, (line) => lines.push(line));
    const out = lines.join('\n');
    expect(code).toBe(1);
    expect(out).toMatch(/collector OTLP endpoint http:\/\/\*\*\*@127\.0\.0\.1:\d+\/v1\/traces\?token=\*\*\*&sig=\*\*\*/);
    for (const secret of SECRETS) expect(out).not.toContain(secret);
  });

  it('an invalid URL-valued variable is reported without its credentials', () => {
    const { problems } = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://alice:s3cretPass@host/?token=tok3nValue' });
    expect(problems).toHaveLength(1);
    for (const secret of SECRETS) expect(problems[0]!.message).not.toContain(secret);
  });
});
