/**
 * The one reading of a boolean environment variable, shared by the configuration (`src/config.ts`), the log
 * (`AGENT_BRIDGE_QUIET`) and the preload (`OTEL_SDK_DISABLED`, read before anything else is loaded): the preload
 * and the configuration must never disagree on whether the bridge is off — and by the agent helpers' content switch
 * (./content.ts). Dependency-free on purpose, and kept in src/agent because the helpers may import nothing but the
 * OpenTelemetry API and semantic conventions (test/unit/agent/imports.test.ts).
 */
const TRUTHY = ['true', '1', 'yes', 'on'];
const FALSY = ['false', '0', 'no', 'off'];

/** `true` / `false` for a recognised value (case-insensitive, trimmed), `undefined` when unset or unrecognised. */
export function parseBooleanEnv(raw: string | undefined): boolean | undefined {
  const value = raw?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  if (TRUTHY.includes(value)) return true;
  if (FALSY.includes(value)) return false;
  return undefined;
}
