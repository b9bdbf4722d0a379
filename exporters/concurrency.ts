/**
 * How many OTLP exports may be in flight at once, for every export path (Sentry and collector).
 * The OTLP exporter's default is 30: during an outage every in-flight export holds its serialized batch and
 * retry timers, and 30 of them cost ~70 MB of RSS in the outage bench (`bench/outage.js`); 2 cost ~0.5 MB while
 * still exporting ~30k spans/s with no drops. Batches that find no free slot are failed at once and counted
 * (`agent_bridge_spans_total{outcome="failed"}`), never queued without bound.
 */
export const EXPORT_CONCURRENCY_LIMIT = 2;
