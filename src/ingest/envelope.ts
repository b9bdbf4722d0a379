/**
 * Sentry envelope parser (https://develop.sentry.dev/sdk/data-model/envelopes/): a JSON header line, then items,
 * each a JSON header line followed by a payload that is either `length` bytes (when the header says so) or the rest
 * of the line. As in Relay (`relay-server/src/envelope/mod.rs` `Envelope::parse_bytes`), only the framing is checked
 * at the HTTP level — an unparseable envelope or item header, or a `length` past the end, is a 400 — while an item
 * payload that is not JSON is accepted and dropped later, so it is returned with `invalid` set instead of failing.
 */
import { HttpError } from './http.js';
import type { EnvelopeItem, JsonObject, JsonValue } from './types.js';

export interface ParsedEnvelope {
  header: JsonObject;
  items: EnvelopeItem[];
}

const MAX_ITEMS = 1000;
const NEWLINE = 0x0a;
/** Item types whose payload is not JSON: kept as `{ size }` only. */
const BINARY_TYPES = new Set(['attachment', 'replay_recording', 'replay_video', 'statsd', 'raw_security']);

export function parseEnvelope(body: Buffer): ParsedEnvelope {
  if (body.length === 0) throw new HttpError(400, 'empty envelope');
  let pos = 0;

  const readLine = (): Buffer => {
    let end = body.indexOf(NEWLINE, pos);
    if (end < 0) end = body.length;
    const line = body.subarray(pos, end);
    pos = Math.min(end + 1, body.length);
    return line;
  };

  const header = parseJsonObject(readLine(), 'envelope header');
  const items: EnvelopeItem[] = [];
  while (pos < body.length) {
    const line = readLine();
    if (isBlank(line)) continue;
    const index = items.length + 1;
    if (index > MAX_ITEMS) throw new HttpError(400, `envelope has more than ${MAX_ITEMS} items`);
    const itemHeader = parseJsonObject(line, `item ${index} header`);
    const type = itemHeader.type;
    if (typeof type !== 'string' || type === '') throw new HttpError(400, `item ${index} header has no "type"`);

    let payloadBytes: Buffer;
    const length = itemHeader.length;
    if (length !== undefined && length !== null) {
      if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
        throw new HttpError(400, `item ${index} (${clip(type)}) has an invalid "length"`);
      }
      if (pos + length > body.length) {
        throw new HttpError(400, `item ${index} (${clip(type)}) length ${length} runs past the end of the envelope`);
      }
      payloadBytes = body.subarray(pos, pos + length);
      pos += length;
      if (body[pos] === NEWLINE) pos += 1;
    } else {
      payloadBytes = readLine();
    }

    const contentType = typeof itemHeader.content_type === 'string' ? itemHeader.content_type : undefined;
    const binary = BINARY_TYPES.has(type) || (contentType !== undefined && !contentType.includes('json'));
    const item: EnvelopeItem = { header: itemHeader as JsonObject & { type: string }, payload: { size: payloadBytes.length }, size: payloadBytes.length };
    if (!binary) {
      try {
        item.payload = parseJson(payloadBytes, `item ${index} (${clip(type)}) payload`);
      } catch (err) {
        item.payload = null;
        item.invalid = (err as Error).message;
      }
    }
    items.push(item);
  }
  return { header, items };
}

function parseJsonObject(bytes: Buffer, what: string): JsonObject {
  const value = parseJson(bytes, what);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new HttpError(400, `${what} is not a JSON object`);
  return value;
}

function parseJson(bytes: Buffer, what: string): JsonValue {
  const text = bytes.toString('utf8');
  if (text.trim() === '') throw new HttpError(400, `${what} is empty`);
  try {
    return JSON.parse(text) as JsonValue;
  } catch (err) {
    throw new HttpError(400, `${what} is not valid JSON: ${(err as Error).message.slice(0, 120)}`);
  }
}

function isBlank(line: Buffer): boolean {
  for (const byte of line) if (byte !== 0x20 && byte !== 0x0d && byte !== 0x09) return false;
  return true;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
