// isInAiRequest: true inside an ai.request span's callback / run (where a library instrumentation must not add a
// second span for the same call), false elsewhere — including after the callback, and inside other helpers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aiRequest, executeTool, isInAiRequest, startAiRequest } from '../../../src/agent/index.js';
import { installSdk, type TestSdk } from './otel-sdk.js';

let sdk: TestSdk;
beforeAll(() => {
  sdk = installSdk();
});
afterAll(() => sdk.shutdown());

describe('isInAiRequest', () => {
  it('follows the ai.request span context, sync and async', async () => {
    expect(isInAiRequest()).toBe(false);
    expect(aiRequest({ model: 'm' }, () => isInAiRequest())).toBe(true);
    expect(await aiRequest({ model: 'm' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return isInAiRequest();
    })).toBe(true);
    const handle = startAiRequest({ model: 'm' });
    expect(handle.run(() => isInAiRequest())).toBe(true);
    expect(isInAiRequest(handle.context)).toBe(true);
    handle.end();
    expect(isInAiRequest()).toBe(false);
    expect(executeTool({ name: 'search' }, () => isInAiRequest())).toBe(false);
  });
});
