/**
 * How many OTLP exports may be in flight at once, for every export path (Sentry and collector).
 * The OTLP exporter's default is 30: during an outage every in-flight export holds its serialized batch and
 * retry timers, and 30 of them cost ~70 MB of RSS in the outage bench (`bench/outage.js`); 2 cost ~0.5 MB while
 * still exporting ~30k spans/s with no drops. Batches that find no free slot wait in a line bounded by the batch
 * queue's worth (src/processors/export-slots.ts), so a flush loses nothing; beyond it they fail and are counted.
 */
export const EXPORT_CONCURRENCY_LIMIT = 2;
