import type { IngestServer } from '../../src/ingest/index.js';

/**
 * Wait until the ingest has answered every request it received. Call it once every process that sends to the
 * ingest has exited: a bridged process's shutdown flush waits for the ingest's answer to each request it sent,
 * so after its exit plus this wait nothing more of it can arrive, and "exactly N events" can be checked at once
 * instead of after a fixed sleep.
 */
export async function ingestSettled(ingest: IngestServer, timeoutMs = 30_000): Promise<void> {
  await ingest.waitFor(() => ingest.requests().every((r) => r.status !== undefined), { timeoutMs });
}
