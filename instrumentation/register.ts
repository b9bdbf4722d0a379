/**
 * The preload: `node --import agent-otel-bridge/register app.js`.
 *
 * Runs before the application's first import is evaluated. It registers import-in-the-middle's ESM loader hook
 * with `module.register` (the pattern OpenTelemetry JS documents for `--import`) so ESM imports of `node:http`
 * and friends are patched, starts the SDK (CommonJS `require` is patched by the instrumentations themselves),
 * and waits until the loader thread has acknowledged every hook before the app starts importing.
 * A truthy `OTEL_SDK_DISABLED` (true/1/yes/on, read by the same parser as the configuration) turns all of it off:
 * nothing but this file and the parser is loaded, no hook is registered.
 */
import { register } from 'node:module';
import { parseBooleanEnv } from '../src/agent/boolean-env.js';

if (parseBooleanEnv(process.env.OTEL_SDK_DISABLED) !== true) {
  try {
    // The bridge's own modules load first, without the loader hook: each module loaded while it is registered makes
    // a round trip to the loader thread (measured: about half a second of start-up for the bridge's graph). Nothing
    // is lost: the hook wraps only what the instrumentations name (their include list, filled in startBridge), and
    // it redirects each later import of such a module to a wrapper, even when the original was loaded before.
    const { startBridge } = await import('./bridge.js');
    const { createAddHookMessageChannel } = await import('import-in-the-middle');
    const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
    register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
    await startBridge();
    await waitForAllMessagesAcknowledged();
  } catch (err) {
    process.stderr.write(`[agent-otel-bridge] error: preload failed, telemetry is off: ${(err as Error).message}\n`);
  }
}
