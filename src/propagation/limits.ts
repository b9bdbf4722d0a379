/**
 * Size limits of the propagation layer, in one place.
 *
 * Outgoing baggage follows the W3C Baggage limits as OpenTelemetry JS enforces them: at most 8192 bytes for the
 * whole header, at most 180 list-members (the current W3C text only requires propagating *at least* 64 members and
 * 8192 bytes; 180 is the older spec's and OTel JS's cap, so OTel receivers keep everything we send) and at most 4096
 * bytes per member. Incoming headers larger than the `MAX_INCOMING_*` bounds are ignored whole: that bounds the work
 * an untrusted request can cause, and no well-behaved sender produces them.
 */

/** W3C / OTel JS: total size of a baggage header (our output is ASCII, so characters = bytes). */
export const BAGGAGE_MAX_BYTES = 8192;
/** OTel JS `BAGGAGE_MAX_NAME_VALUE_PAIRS` (≥ the W3C minimum of 64). */
export const BAGGAGE_MAX_MEMBERS = 180;
/** OTel JS `BAGGAGE_MAX_PER_NAME_VALUE_PAIRS`. */
export const BAGGAGE_MAX_MEMBER_BYTES = 4096;
/** A Sentry DSC has about ten members; more than this many `sentry-*` members is not a DSC we pass on. */
export const DSC_MAX_MEMBERS = 32;

/** traceparent is 55 characters in version 00; later versions may append fields. */
export const MAX_INCOMING_TRACEPARENT_LENGTH = 512;
/** sentry-trace is at most 51 characters plus optional whitespace. */
export const MAX_INCOMING_SENTRY_TRACE_LENGTH = 512;
/** tracestate: OTel's TraceState keeps 512 characters; anything this large is not parsed at all. */
export const MAX_INCOMING_TRACESTATE_LENGTH = 8192;
/** baggage: twice the W3C limit (Node's default total header limit is 16 KB anyway). */
export const MAX_INCOMING_BAGGAGE_LENGTH = 16384;
/** A carrier value that is an array with more entries than this is garbled, not a set of duplicate headers. */
export const MAX_INCOMING_HEADER_VALUES = 32;
