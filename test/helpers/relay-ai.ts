/**
 * Relay's AI classification of a span (`gen_ai.operation.type` as Relay infers it), for tests over OpenTelemetry
 * attributes: the ingest's transcription of getsentry/relay (src/ingest/problems.ts `aiOperationType`, citing
 * relay-event-normalization/src/eap/ai.rs `is_ai_item` / `normalize_ai_type` and src/span/ai.rs
 * `infer_ai_operation_type`), so the tests and the ingest's `ai_client_without_model` apply one rule.
 * Returns undefined for a span that is not an AI item.
 */
import type { Attributes } from '@opentelemetry/api';
import { aiOperationType } from '../../src/ingest/problems.js';
import type { JsonValue } from '../../src/ingest/types.js';

export type RelayAiType = 'agent' | 'tool' | 'handoff' | 'ai_client';

export function relayAiType(attributes: Attributes): RelayAiType | undefined {
  return aiOperationType(attributes as Record<string, JsonValue>) as RelayAiType | undefined;
}
