/**
 * One ingest per test, closed after it: `const start = useIngest(KEY)` in a test file, then `await start(options)`.
 */
import { afterEach } from 'vitest';
import { startIngest, type IngestOptions, type IngestServer } from '../../../src/ingest/index.js';

export function useIngest(key: string): (options?: IngestOptions) => Promise<IngestServer> {
  let ingest: IngestServer | undefined;
  afterEach(async () => {
    await ingest?.close();
    ingest = undefined;
  });
  return async (options = {}) => {
    ingest = await startIngest({ key, ...options });
    return ingest;
  };
}
