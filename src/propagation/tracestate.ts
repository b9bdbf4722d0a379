/**
 * W3C `tracestate`, validated whole. W3C Trace Context (w3c/trace-context `spec/20-http_request_header_format.md`,
 * "tracestate Header Field Values"; `spec/30-processing-model.md`) says a header with more than 32 list-members or
 * any invalid member is discarded; OpenTelemetry JS's TraceState instead drops the bad members and keeps the rest,
 * and validates keys with the old multi-tenant grammar. Here a header is all or nothing, with the current grammar:
 *
 *   key      = ( lcalpha / DIGIT ) 0*255 ( lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@" )
 *   value    = 0*255( %x20 / nblk-chr ) nblk-chr,   nblk-chr = %x21-2B / %x2D-3C / %x3E-7E
 *
 * Empty and whitespace-only members are allowed (and skipped); a repeated key is invalid ("Only one entry per
 * key is allowed"). Serializing keeps to 512 characters by dropping whole entries — those over 128 characters
 * first, then from the end — as the spec's "tracestate Limits" section says.
 */
import type { TraceState } from '@opentelemetry/api';
import { trimOws } from './ows.js';

const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
const MAX_MEMBERS = 32;
/** key (256) + `=` + value (256). */
const MAX_MEMBER_LENGTH = 513;
const MAX_SERIALIZED_LENGTH = 512;
const LONG_ENTRY = 128;

/** A parsed header, or `undefined` when W3C says to discard it. */
export function parseTraceState(header: string): W3CTraceState | undefined {
  const entries: [string, string][] = [];
  const seen = new Set<string>();
  for (const raw of header.split(',')) {
    const member = trimOws(raw);
    if (member === '') continue;
    if (member.length > MAX_MEMBER_LENGTH || entries.length >= MAX_MEMBERS) return undefined;
    const eq = member.indexOf('=');
    const key = member.slice(0, eq);
    const value = member.slice(eq + 1);
    if (eq <= 0 || !KEY.test(key) || !VALUE.test(value) || seen.has(key)) return undefined;
    seen.add(key);
    entries.push([key, value]);
  }
  return new W3CTraceState(entries);
}

/** An immutable TraceState (OTel API interface) over validated entries, leftmost first. */
export class W3CTraceState implements TraceState {
  constructor(private readonly entries: readonly (readonly [string, string])[]) {}

  get(key: string): string | undefined {
    return this.entries.find(([k]) => k === key)?.[1];
  }

  /** W3C: an updated or added key moves to the left; an invalid pair or a 33rd member leaves the state unchanged. */
  set(key: string, value: string): TraceState {
    if (!KEY.test(key) || !VALUE.test(value)) return this;
    const rest = this.entries.filter(([k]) => k !== key);
    if (rest.length >= MAX_MEMBERS) return this;
    return new W3CTraceState([[key, value], ...rest]);
  }

  unset(key: string): TraceState {
    const rest = this.entries.filter(([k]) => k !== key);
    return rest.length === this.entries.length ? this : new W3CTraceState(rest);
  }

  serialize(): string {
    let members = this.entries.map(([k, v]) => `${k}=${v}`);
    let length = members.reduce((sum, m, i) => sum + m.length + (i > 0 ? 1 : 0), 0);
    if (length > MAX_SERIALIZED_LENGTH) {
      members = members.filter((m) => m.length <= LONG_ENTRY);
      length = members.reduce((sum, m, i) => sum + m.length + (i > 0 ? 1 : 0), 0);
      while (length > MAX_SERIALIZED_LENGTH && members.length > 0) {
        const dropped = members.pop()!;
        length -= dropped.length + (members.length > 0 ? 1 : 0);
      }
    }
    return members.join(',');
  }
}
