/**
 * Relay's size limits, defaults of `relay-config` `Limits` (getsentry/relay `relay-config/src/config.rs`), applied
 * where Relay applies them:
 * - the store endpoint's body limit is `max_event_size` (`relay-server/src/endpoints/store.rs`) → 413;
 * - an envelope may carry at most one event-class item (event, transaction, security, …) of at most
 *   `max_event_size` (`relay-server/src/utils/sizes.rs` `check_envelope_size_limits`) → 413, the whole envelope;
 * - sessions: at most `max_session_count` per envelope → 413.
 * Envelope and OTLP bodies are capped by the ingest's own `maxBodyBytes` (default 20 MiB, below Relay's 100 MiB
 * `max_envelope_size`) to bound memory.
 */
import { HttpError } from './http.js';
import type { EnvelopeItem } from './types.js';

export const MAX_EVENT_SIZE = 1024 * 1024;
export const MAX_SESSION_COUNT = 100;

const EVENT_ITEMS = new Set(['event', 'transaction', 'security', 'replay_event', 'raw_security', 'user_report_v2', 'form_data']);

/** Throws HttpError(413) naming the item type that broke a limit. */
export function checkEnvelopeSizeLimits(items: EnvelopeItem[]): void {
  let events = 0;
  let sessions = 0;
  for (const item of items) {
    const type = item.header.type;
    if (EVENT_ITEMS.has(type)) {
      events += 1;
      if ((item.size ?? 0) > MAX_EVENT_SIZE) throw new HttpError(413, `envelope item ${type} exceeds max_event_size (${MAX_EVENT_SIZE} bytes)`);
      if (events > 1) throw new HttpError(413, `envelope carries more than one event-class item (${type}): Relay allows one`);
    } else if ((type === 'session' || type === 'sessions') && ++sessions > MAX_SESSION_COUNT) {
      throw new HttpError(413, `envelope carries more than ${MAX_SESSION_COUNT} sessions`);
    }
  }
}
