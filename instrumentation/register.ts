/**
 * The preload: `node --import agent-otel-bridge/register app.js`.
 *
 * Runs before the application's first import is evaluated. It registers import-in-the-middle's ESM loader hook so
 * ESM imports of `node:http` and friends are patched, starts the SDK (CommonJS `require` is patched by the
 * instrumentations themselves), and waits until the hook has taken every module name the instrumentations gave it
 * (their include list) before the app starts importing.
 *
 * The hook runs in the application's thread (`module.registerHooks`, import-in-the-middle's register-hooks.mjs)
 * where Node supports it (≥ 22.22.3 / ≥ 24.11.1); on older Node it runs on the loader thread of `module.register`,
 * the pattern OpenTelemetry JS documents. On the loader thread every module the application loads costs a round
 * trip between threads: measured 1,644 → 1,237 ms to the first line of a one-line app with a DSN (issue 18).
 * A truthy `OTEL_SDK_DISABLED` (true/1/yes/on, read by the same parser as the configuration) turns all of it off:
 * nothing but this file and the parser is loaded, no hook is registered. The bridge's modules load with V8's young
 * generation held at its size (./young-generation-hold.ts): idle RSS −5 MB, −10 MB with a DSN.
 */
import { register } from 'node:module';
import { parseBooleanEnv } from '../src/agent/boolean-env.js';
import { withYoungGenerationHeld } from './young-generation-hold.js';

if (parseBooleanEnv(process.env.OTEL_SDK_DISABLED) !== true) {
  try {
    // The bridge's own modules load first, without the loader hook: each module loaded while the off-thread hook is
    // registered makes a round trip to the loader thread (measured: about half a second of start-up for the bridge's
    // graph), and the in-thread hook still runs its resolve/load checks per module. Nothing
    // is lost: the hook wraps only what the instrumentations name (their include list, filled in startBridge), and
    // it redirects each later import of such a module to a wrapper, even when the original was loaded before.
    await withYoungGenerationHeld(async () => {
      const { startBridge } = await import('./bridge.js');
      const { createAddHookMessageChannel } = await import('import-in-the-middle');
      const { registerOptions, waitForAllMessagesAcknowledged } = createAddHookMessageChannel();
      const hooks = await import('import-in-the-middle/register-hooks.mjs');
      if (hooks.supportsSyncHooks()) hooks.register(registerOptions.data);
      else register('import-in-the-middle/hook.mjs', import.meta.url, registerOptions);
      await startBridge();
      await waitForAllMessagesAcknowledged();
    });
  } catch (err) {
    process.stderr.write(`[agent-otel-bridge] error: preload failed, telemetry is off: ${(err as Error).message}\n`);
  }
}
