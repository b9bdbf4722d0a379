/**
 * The one owner of the `baggage` field. A CompositePropagator of W3CBaggagePropagator and a Sentry baggage writer
 * sets `baggage` twice and the later write replaces the earlier (user members or the DSC vanish). Here a single
 * propagator parses the header once and writes it once:
 *
 * - user members (`userMembers`): non-`sentry-*` members ⇄ OTel Baggage, with OTel JS's limits;
 * - the DSC (`dsc` options given): `sentry-*` members ⇄ the DSC bound to the continued trace (see dsc.ts); it is
 *   written first and whole, user members fill what is left of the 8192 bytes / 180 members. User baggage entries
 *   named `sentry-*` are not sent in this mode — the prefix belongs to the DSC.
 *
 * With only `userMembers` it behaves like W3CBaggagePropagator (all members, `sentry-*` included, are user members).
 * Extraction must run after the trace-context/sentry-trace propagators: the DSC binds to the parent they set.
 */
import {
  baggageEntryMetadataFromString,
  isSpanContextValid,
  propagation,
  trace,
  type BaggageEntry,
  type Context,
  type TextMapGetter,
  type TextMapPropagator,
  type TextMapSetter,
} from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { warnOnce } from '../log.js';
import { BAGGAGE_HEADER, joinBaggage, limitIncomingMembers, parseBaggage, serializeMember, type BaggageMember } from './baggage-codec.js';
import { describe, readListValue, writeValue } from './carrier.js';
import { SENTRY_BAGGAGE_KEY_PREFIX, dscFromMembers, resolveDynamicSamplingContext, serializeDsc, setIncomingDsc, type DscOptions } from './dsc.js';
import { MAX_INCOMING_BAGGAGE_LENGTH } from './limits.js';

export interface BaggagePropagatorOptions {
  /** Propagate user members (the `baggage` propagator is enabled). */
  userMembers: boolean;
  /** Propagate the Sentry DSC (the `sentry` propagator is enabled); these are the trace head's DSC fields. */
  dsc?: DscOptions;
}

export class BaggagePropagator implements TextMapPropagator {
  private readonly userMembers: boolean;
  private readonly dscOptions: DscOptions | undefined;

  constructor(options: BaggagePropagatorOptions) {
    this.userMembers = options.userMembers;
    this.dscOptions = options.dsc === undefined ? undefined : { ...options.dsc };
  }

  inject(ctx: Context, carrier: unknown, setter: TextMapSetter): void {
    try {
      if (isTracingSuppressed(ctx)) return;
      let dscHeader: string | undefined;
      if (this.dscOptions !== undefined) {
        const spanContext = trace.getSpanContext(ctx);
        if (spanContext !== undefined && isSpanContextValid(spanContext)) {
          dscHeader = serializeDsc(resolveDynamicSamplingContext(ctx, spanContext, this.dscOptions));
        }
      }
      const user = this.userMembers ? this.outgoingUserMembers(ctx) : [];
      const header = joinBaggage(dscHeader, user);
      if (header !== undefined) writeValue(setter, carrier, BAGGAGE_HEADER, header);
    } catch (err) {
      warnOnce('propagation-inject-baggage', `baggage injection failed: ${describe(err)}`);
    }
  }

  extract(ctx: Context, carrier: unknown, getter: TextMapGetter): Context {
    try {
      const header = readListValue(getter, carrier, BAGGAGE_HEADER, MAX_INCOMING_BAGGAGE_LENGTH);
      if (header === undefined) return ctx;
      const members = parseBaggage(header);
      const sentryMode = this.dscOptions !== undefined;
      let next = ctx;
      if (this.userMembers) {
        const user = limitIncomingMembers(sentryMode ? members.filter((m) => !isSentryKey(m.key)) : members);
        if (user.size > 0) next = propagation.setBaggage(next, propagation.createBaggage(toEntries(user)));
      }
      if (sentryMode) {
        const dsc = dscFromMembers(members);
        if (dsc !== undefined) next = setIncomingDsc(next, dsc);
      }
      return next;
    } catch (err) {
      warnOnce('propagation-extract-baggage', `baggage extraction failed: ${describe(err)}`);
      return ctx;
    }
  }

  fields(): string[] {
    return [BAGGAGE_HEADER];
  }

  private *outgoingUserMembers(ctx: Context): Generator<string> {
    const baggage = propagation.getBaggage(ctx);
    if (baggage === undefined) return;
    const skipSentry = this.dscOptions !== undefined;
    for (const [key, entry] of baggage.getAllEntries()) {
      if (typeof key !== 'string' || typeof entry?.value !== 'string' || (skipSentry && isSentryKey(key))) continue;
      const metadata = metadataString(entry);
      const member = serializeMember(key, entry.value, metadata);
      if (member !== undefined) yield member;
    }
  }
}

function isSentryKey(key: string): boolean {
  return key.startsWith(SENTRY_BAGGAGE_KEY_PREFIX);
}

function toEntries(members: Map<string, BaggageMember>): Record<string, BaggageEntry> {
  // fromEntries, not assignment: a member named `__proto__` must stay a member
  return Object.fromEntries(
    Array.from(members, ([key, m]): [string, BaggageEntry] => [
      key,
      m.metadata === undefined ? { value: m.value } : { value: m.value, metadata: baggageEntryMetadataFromString(m.metadata) },
    ]),
  );
}

function metadataString(entry: BaggageEntry): string | undefined {
  const text: unknown = entry.metadata?.toString();
  return typeof text === 'string' ? text : undefined;
}
