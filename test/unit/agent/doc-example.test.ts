/**
 * The complete example in docs/agent.md is executed as written (only its two import specifiers are pointed at
 * the sources), under a plain SDK, so the documentation cannot drift from the API.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { SpanKind } from '@opentelemetry/api';
import { installSdk, type TestSdk } from './otel-sdk.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

let sdk: TestSdk;
beforeAll(() => {
  sdk = installSdk();
});
afterAll(async () => {
  await sdk.shutdown();
});

function docExample(): string {
  const doc = readFileSync(join(ROOT, 'docs/agent.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Complete example'));
  const block = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error('no ```js block under "## Complete example" in docs/agent.md');
  return block;
}

it('the complete example in docs/agent.md runs and produces one connected trace', async () => {
  const example = docExample();
  const imports = [...example.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
  expect(new Set(imports)).toEqual(new Set(['@opentelemetry/api', 'agent-otel-bridge/agent']));

  const source = example
    .replace(`from 'agent-otel-bridge/agent'`, `from ${JSON.stringify(join(ROOT, 'src/agent/index.ts'))}`)
    .replace(`from '@opentelemetry/api'`, `from ${JSON.stringify(fileURLToPath(import.meta.resolve('@opentelemetry/api')))}`);
  const dir = mkdtempSync(join(tmpdir(), 'agent-doc-example-'));
  const logs: unknown[][] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void logs.push(args));
  try {
    const file = join(dir, 'minimal-agent.mjs');
    writeFileSync(file, source);
    await import(/* @vite-ignore */ file);
  } finally {
    log.mockRestore();
    rmSync(dir, { recursive: true, force: true });
  }

  expect(logs.at(-1)).toEqual(['Summary: Paris is the capital of France. Weather: sunny. All done.']);
  const spans = sdk.spans();
  expect(spans.map((s) => s.name).sort()).toEqual(
    ['chat gpt-4o', 'chat gpt-4o-mini', 'execute_tool get_weather', 'invoke_agent planner', 'invoke_agent researcher', 'memory.search notes', 'process researcher', 'send researcher'].sort(),
  );
  expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
  const root = sdk.span('invoke_agent planner');
  expect(logs[0]).toEqual(['trace id:', root.spanContext().traceId]);
  expect(sdk.span('process researcher').parentSpanContext?.spanId).toBe(sdk.span('send researcher').spanContext().spanId);
  expect(sdk.span('process researcher').kind).toBe(SpanKind.CONSUMER);
  expect(sdk.span('chat gpt-4o').attributes['gen_ai.agent.name']).toBe('researcher');
  expect(sdk.span('chat gpt-4o-mini').attributes['gen_ai.response.time_to_first_chunk']).toEqual(expect.any(Number));
});
