/**
 * Time bounds for suites that start bridged processes, sized for a loaded, shared 2-core machine: at load
 * average 22 a bridged Node process took 80 s to print its first line. They stop a hang; they claim no speed.
 */
import { vi } from 'vitest';

/** How long a started process may take to announce itself (READY, RESULT, …). */
export const PROCESS_START_TIMEOUT_MS = 120_000;

/** Raise this file's test and hook timeouts (default 300 s) above the config's 60 s. */
export function allowLoadedMachine(ms = 300_000): void {
  vi.setConfig({ testTimeout: ms, hookTimeout: ms });
}
