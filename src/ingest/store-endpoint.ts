/**
 * The legacy store endpoint `POST /api/{project}/store/` that older SDKs (sentry-python 1.x, raven) still use: one
 * JSON event per request, wrapped into an envelope with one `event` item (or `transaction` when the event says
 * `"type": "transaction"`), as Relay does (getsentry/relay `relay-server/src/endpoints/store.rs` `parse_event`):
 * a body not starting with `{` is base64 (and then possibly zlib) encoded; an empty body or one whose minimal
 * event does not parse is a 400.
 */
import { inflateSync } from 'node:zlib';
import type { ParsedEnvelope } from './envelope.js';
import { HttpError } from './http.js';
import { MAX_EVENT_SIZE } from './limits.js';
import type { JsonObject, JsonValue } from './types.js';

const OPEN_BRACE = 0x7b;

export function parseStoreBody(body: Buffer): ParsedEnvelope {
  const decoded = decodeBytes(body);
  if (decoded.length === 0) throw new HttpError(400, 'empty event body');
  let event: JsonValue;
  try {
    event = JSON.parse(decoded.toString('utf8')) as JsonValue;
  } catch (err) {
    throw new HttpError(400, `invalid event JSON: ${(err as Error).message.slice(0, 120)}`);
  }
  if (event === null || typeof event !== 'object' || Array.isArray(event)) throw new HttpError(400, 'invalid event JSON: not an object');
  const type = event.type === 'transaction' ? 'transaction' : 'event';
  const header: JsonObject = typeof event.event_id === 'string' ? { event_id: event.event_id } : {};
  return { header, items: [{ header: { type }, payload: event, size: decoded.length }] };
}

function decodeBytes(body: Buffer): Buffer {
  if (body.length === 0 || body[0] === OPEN_BRACE) return body;
  const binary = Buffer.from(body.toString('latin1'), 'base64');
  if (binary[0] === OPEN_BRACE) return binary;
  try {
    return inflateSync(binary, { maxOutputLength: MAX_EVENT_SIZE });
  } catch (err) {
    throw new HttpError(400, `invalid event body (neither JSON, base64 nor zlib): ${(err as Error).message.slice(0, 80)}`);
  }
}
