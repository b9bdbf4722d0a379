/** Issue 16 item 8: logs never print credentials of any URL (`check`, invalid-value messages). */
import { describe, expect, it } from 'vitest';
import { maskUrlCredentials } from '../../../src/mask-url.js';
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
