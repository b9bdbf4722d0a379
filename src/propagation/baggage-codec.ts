/**
 * The W3C `baggage` header, parsed once and serialized once (user members and the Sentry DSC together).
 *
 * Parsing follows OpenTelemetry JS (`W3CBaggagePropagator`): members split on `,`, key and value trimmed and
 * percent-decoded, properties after the first `;` kept as entry metadata, empty keys/values and undecodable members
 * skipped. Serializing percent-encodes keys and values (keys also escape `(` `)`, which are not RFC 9110 token
 * characters) so every emitted member is a valid `key=value[;properties]`, and enforces the limits in `limits.ts`:
 * the DSC goes first and is never dropped for user members; user members are skipped when they do not fit.
 */
import { BAGGAGE_MAX_BYTES, BAGGAGE_MAX_MEMBER_BYTES, BAGGAGE_MAX_MEMBERS } from './limits.js';
import { trimOws } from './ows.js';

export const BAGGAGE_HEADER = 'baggage';

export interface BaggageMember {
  /** Decoded key. */
  key: string;
  /** Decoded value. */
  value: string;
  /** Raw W3C properties (the part after `;`), if any. */
  metadata?: string;
  /** Length of the member as it appeared in the header (for the incoming size limits). */
  rawLength: number;
}

/** Every decodable member of a (bounded) header, in order; later duplicates are kept for the caller to resolve. */
export function parseBaggage(header: string): BaggageMember[] {
  const members: BaggageMember[] = [];
  let start = 0;
  while (start <= header.length) {
    const comma = header.indexOf(',', start);
    const end = comma === -1 ? header.length : comma;
    if (end - start <= BAGGAGE_MAX_MEMBER_BYTES) {
      const member = parseMember(header.slice(start, end));
      if (member !== undefined) members.push(member);
    }
    if (comma === -1) break;
    start = comma + 1;
  }
  return members;
}

function parseMember(entry: string): BaggageMember | undefined {
  const semicolon = entry.indexOf(';');
  const pair = semicolon === -1 ? entry : entry.slice(0, semicolon);
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  const rawKey = pair.slice(0, eq).trim();
  const rawValue = pair.slice(eq + 1).trim();
  if (rawKey === '' || rawValue === '') return undefined;
  let key: string;
  let value: string;
  try {
    key = decodeURIComponent(rawKey);
    value = decodeURIComponent(rawValue);
  } catch {
    return undefined;
  }
  const metadata = semicolon === -1 ? '' : entry.slice(semicolon + 1).trim();
  return metadata === '' ? { key, value, rawLength: entry.length } : { key, value, metadata, rawLength: entry.length };
}

/**
 * Applies OTel's incoming limits to user members (first come, first kept; a later duplicate key replaces the earlier
 * value, as in OTel) and returns them as a record for `propagation.createBaggage`.
 */
export function limitIncomingMembers(members: readonly BaggageMember[]): Map<string, BaggageMember> {
  const kept = new Map<string, BaggageMember>();
  let size = 0;
  for (const member of members) {
    if (kept.size >= BAGGAGE_MAX_MEMBERS) break;
    const added = (kept.size === 0 ? 0 : 1) + member.rawLength;
    if (size + added > BAGGAGE_MAX_BYTES) break;
    kept.set(member.key, member);
    size += added;
  }
  return kept;
}

// RFC 9110 tchar and W3C baggage-octet, for validating properties we pass through verbatim.
const TOKEN = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const OCTETS = '[\\x21\\x23-\\x2B\\x2D-\\x3A\\x3C-\\x5B\\x5D-\\x7E]*';
const PROPERTY = new RegExp(`^${TOKEN}(?:[ \\t]*=[ \\t]*${OCTETS})?$`);

function validMetadata(metadata: string): boolean {
  if (metadata.length > BAGGAGE_MAX_MEMBER_BYTES) return false;
  return metadata.split(';').every((property) => PROPERTY.test(trimOws(property)));
}

function encodeKey(key: string): string {
  return encodeURIComponent(key).replace(/[()]/g, (c) => (c === '(' ? '%28' : '%29'));
}

/** `key=value[;metadata]`, or `undefined` when the member cannot be encoded (lone surrogates) or is too large. */
export function serializeMember(key: string, value: string, metadata?: string): string | undefined {
  if (key === '' || value === '') return undefined;
  let member: string;
  try {
    member = `${encodeKey(key)}=${encodeURIComponent(value)}`;
  } catch {
    return undefined;
  }
  if (metadata !== undefined && metadata !== '' && validMetadata(metadata)) member += `;${metadata}`;
  return member.length <= BAGGAGE_MAX_MEMBER_BYTES ? member : undefined;
}

/**
 * One header value: `priority` (the serialized DSC, already within the limits) first and whole, then as many of the
 * serialized user members as still fit in count and bytes. `undefined` when there is nothing to send.
 */
export function joinBaggage(priority: string | undefined, userMembers: Iterable<string>): string | undefined {
  let header = priority ?? '';
  let count = header === '' ? 0 : header.split(',').length;
  for (const member of userMembers) {
    if (count >= BAGGAGE_MAX_MEMBERS) break;
    const next = header === '' ? member : `${header},${member}`;
    if (next.length > BAGGAGE_MAX_BYTES) continue; // a smaller member further on may still fit, as in OTel
    header = next;
    count++;
  }
  return header === '' ? undefined : header;
}
