/**
 * Which "who / which tenant / which conversation" keys travel with a trace (docs/sentry.md, Context).
 *
 * An allowlist, never a pattern: only these baggage members and span attributes are copied onto the spans of a
 * trace and onto its Sentry error events. Ids only by default; the keys that may identify a person are honoured
 * only behind an explicit switch (`AGENT_BRIDGE_CONTEXT_PERSONAL_DATA`). None of them is ever a metric label: the
 * span metrics have fixed label sets (src/metrics/catalog.ts), so no allowlisted key can become one.
 */
import type { AttributeValue } from '@opentelemetry/api';
import { ATTR_CLIENT_ADDRESS } from '@opentelemetry/semantic-conventions';
import {
  ATTR_ENDUSER_ID,
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_SESSION_ID,
  ATTR_USER_EMAIL,
  ATTR_USER_FULL_NAME,
  ATTR_USER_ID,
  ATTR_USER_NAME,
} from '../agent/semconv-incubating.js';
import { ATTR_TENANT_ID } from '../agent/attributes.js';

export { ATTR_TENANT_ID };

/** The default allowlist: ids only. */
export const DEFAULT_CONTEXT_KEYS: readonly string[] = [ATTR_USER_ID, ATTR_ENDUSER_ID, ATTR_TENANT_ID, ATTR_SESSION_ID, ATTR_GEN_AI_CONVERSATION_ID];

/** Keys whose values may identify a person: copied only with the personal-data switch on, even when allowlisted. */
export const PERSONAL_KEYS: ReadonlySet<string> = new Set([ATTR_USER_EMAIL, ATTR_USER_NAME, ATTR_USER_FULL_NAME, ATTR_CLIENT_ADDRESS]);

/** The keys that name the user (Sentry `user.id`): the first present wins. */
export const USER_ID_KEYS: readonly string[] = [ATTR_USER_ID, ATTR_ENDUSER_ID];

/** Sentry `user` fields filled from personal keys (only with the switch on). */
export const PERSONAL_USER_FIELDS: ReadonlyArray<readonly [key: string, field: 'email' | 'username' | 'name' | 'ip_address']> = [
  [ATTR_USER_EMAIL, 'email'],
  [ATTR_USER_NAME, 'username'],
  [ATTR_USER_FULL_NAME, 'name'],
  [ATTR_CLIENT_ADDRESS, 'ip_address'],
];

/** At most this many keys in the allowlist: every span start looks each one up. */
export const MAX_CONTEXT_KEYS = 32;

/** A context value longer than this is not an id: it is not copied (and counted). */
export const MAX_CONTEXT_VALUE_LENGTH = 256;

export interface ContextPolicy {
  /** The allowlist (`AGENT_BRIDGE_CONTEXT_KEYS`), at most MAX_CONTEXT_KEYS. */
  readonly keys: readonly string[];
  /** `AGENT_BRIDGE_CONTEXT_PERSONAL_DATA`: honour PERSONAL_KEYS in the allowlist. Default false. */
  readonly personalData: boolean;
}

export const DEFAULT_CONTEXT_POLICY: ContextPolicy = { keys: DEFAULT_CONTEXT_KEYS, personalData: false };

/** The keys actually copied: the allowlist without the personal keys unless the switch is on, bounded. */
export function effectiveContextKeys(policy: ContextPolicy): string[] {
  const keys = policy.keys.filter((key) => policy.personalData || !PERSONAL_KEYS.has(key));
  return [...new Set(keys)].slice(0, MAX_CONTEXT_KEYS);
}

/** An attribute as a context id: a string, or a finite number as its string; anything else is not an id. */
export function contextIdValue(value: AttributeValue | undefined): string | undefined {
  return typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
}
