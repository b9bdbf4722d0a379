/**
 * The bridge lists the Sentry SDK's default integrations instead of filtering `getDefaultIntegrations()` (which
 * reaches every integration the SDK ships: exporters/sentry-integrations.ts). The list must stay the installed SDK's
 * defaults — same names, same order, same behaviour where the bridge keeps the SDK's options — less the ones it leaves
 * out, or a default a newer SDK adds would silently go missing.
 */
import * as Sentry from '@sentry/node';
import { describe, expect, it } from 'vitest';
import { LEFT_OUT_DEFAULT_INTEGRATIONS, bridgeSentryIntegrations } from '../../../exporters/sentry-integrations.js';

/** The options `initSentry` passes that decide the defaults: tracing off (`tracesSampleRate: null`). */
const OPTIONS = { dsn: 'http://0123456789abcdef0123456789abcdef@127.0.0.1:9/1', tracesSampleRate: null as unknown as undefined };
const BRIDGE_OWN = ['Dedupe', 'OpenTelemetry'];

describe("the bridge's Sentry integrations", () => {
  const defaults = Sentry.getDefaultIntegrations(OPTIONS);
  const ours = bridgeSentryIntegrations();

  it('are the SDK defaults in their order, less the left-out ones, then the bridge\'s own', () => {
    const kept = defaults.map((integration) => integration.name).filter((name) => !LEFT_OUT_DEFAULT_INTEGRATIONS.has(name));
    expect(ours.map((integration) => integration.name)).toEqual([...kept, ...BRIDGE_OWN]);
  });

  it('leave out only names the SDK has as defaults (a renamed default would otherwise be kept twice)', () => {
    const names = new Set(defaults.map((integration) => integration.name));
    for (const name of LEFT_OUT_DEFAULT_INTEGRATIONS) expect(names.has(name), name).toBe(true);
  });

  it("are each made by the SDK's own factory: the same hooks as the default of that name", () => {
    const byName = new Map(defaults.map((integration) => [integration.name, integration]));
    for (const integration of ours) {
      const sdk = byName.get(integration.name);
      if (sdk === undefined) continue; // the OpenTelemetry integration, not a default
      const hooks = (i: object) => Object.keys(i).filter((key) => typeof (i as Record<string, unknown>)[key] === 'function').sort();
      expect(hooks(integration), integration.name).toEqual(hooks(sdk));
    }
  });

  it('a default the SDK adds fails the first check (the check can fail)', () => {
    const withNew = [...defaults.slice(0, 3), { name: 'SomethingNew' }, ...defaults.slice(3)];
    const kept = withNew.map((integration) => integration.name).filter((name) => !LEFT_OUT_DEFAULT_INTEGRATIONS.has(name));
    expect(ours.map((integration) => integration.name)).not.toEqual([...kept, ...BRIDGE_OWN]);
  });
});
