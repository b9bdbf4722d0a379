/** What an error event learns from its span and baggage: user.id, id tags, scrubbed span attributes; ids only by default. */
import { propagation } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { EventContextBuilder, MAX_CONTEXT_ATTRIBUTES, MAX_CONTEXT_ATTRIBUTE_LENGTH } from '../../../src/context/event-context.js';
import { DEFAULT_CONTEXT_KEYS } from '../../../src/context/keys.js';

const ids = new EventContextBuilder({ keys: DEFAULT_CONTEXT_KEYS, personalData: false });

describe('EventContextBuilder', () => {
  it('user.id from user.id (else enduser.id), one tag per other id, the span attributes as context', () => {
    const context = ids.build({
      attributes: { 'user.id': 'u-1', 'enduser.id': 'e-1', 'tenant.id': 'acme', 'session.id': 's-1', 'gen_ai.conversation.id': 'c-1', 'gen_ai.agent.name': 'writer' },
    });
    expect(context.user).toEqual({ id: 'u-1' });
    expect(context.tags).toEqual({ 'tenant.id': 'acme', 'session.id': 's-1', 'gen_ai.conversation.id': 'c-1' });
    expect(context.otelAttributes).toMatchObject({ 'gen_ai.agent.name': 'writer', 'tenant.id': 'acme' });
    expect(ids.build({ attributes: { 'enduser.id': 'e-1' } }).user).toEqual({ id: 'e-1' });
  });

  it('falls back to the baggage of the active context (process errors, spans started before the context)', () => {
    const baggage = propagation.createBaggage({ 'user.id': { value: 'u-2' }, 'tenant.id': { value: 'globex' } });
    const context = ids.build({ attributes: { 'tenant.id': 'acme' }, baggage });
    expect(context.user).toEqual({ id: 'u-2' });
    expect(context.tags['tenant.id']).toBe('acme');
  });

  it('ids only by default: personal keys reach neither user, tags nor the span context; with the switch they fill user', () => {
    const attributes = { 'user.id': 'u-1', 'user.email': 'ada@example.com', 'user.name': 'ada', 'client.address': '10.0.0.7' };
    const keys = [...DEFAULT_CONTEXT_KEYS, 'user.email', 'user.name', 'client.address'];
    const off = new EventContextBuilder({ keys, personalData: false }).build({ attributes });
    expect(off.user).toEqual({ id: 'u-1' });
    expect(JSON.stringify(off)).not.toMatch(/ada|10\.0\.0\.7/);
    const on = new EventContextBuilder({ keys, personalData: true }).build({ attributes });
    expect(on.user).toEqual({ id: 'u-1', email: 'ada@example.com', username: 'ada', ip_address: '10.0.0.7' });
    expect(on.tags).toEqual({});
  });

  it('bounds the span context in keys and characters; no attributes, no context', () => {
    const attributes: Record<string, string> = {};
    for (let i = 0; i < MAX_CONTEXT_ATTRIBUTES + 10; i++) attributes[`k${i}`] = i === 0 ? 'x'.repeat(MAX_CONTEXT_ATTRIBUTE_LENGTH * 3) : 'v';
    const context = ids.build({ attributes });
    expect(Object.keys(context.otelAttributes!)).toHaveLength(MAX_CONTEXT_ATTRIBUTES);
    expect((context.otelAttributes!.k0 as string).length).toBe(MAX_CONTEXT_ATTRIBUTE_LENGTH + 1);
    expect(ids.build({}).otelAttributes).toBeUndefined();
    expect(ids.build({}).user).toBeUndefined();
  });
});
