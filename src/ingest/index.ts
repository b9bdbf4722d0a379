/**
 * The local Sentry-compatible ingest, programmatically: `const ingest = await startIngest()` → point the SDKs at
 * `ingest.dsn`, read back with `ingest.traces()` / `ingest.events()`, inject faults with `ingest.setFault(...)`,
 * `await ingest.close()` when done. The CLI (`agent-otel-bridge ingest`) is a thin shell around this.
 */
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { warn } from '../log.js';
import { PROJECT_KEY_LENGTH } from './auth.js';
import { DEFAULT_MAX_BODY_BYTES } from './body.js';
import { FaultController, validateFault, type ActiveFault } from './faults.js';
import { Journal } from './journal.js';
import type { Problem } from './problems.js';
import { problemsOf, traceDetailOf, traceSummaries } from './query.js';
import { QuietTracePrinter } from './quiet.js';
import type { ReceiveContext } from './receive.js';
import { IngestHttpServer } from './server.js';
import { DEFAULT_LIMITS, IngestStore } from './store.js';
import type {
  Fault,
  IngestEvent,
  IngestSpan,
  IngestStats,
  Outcome,
  RawBody,
  RequestRecord,
  StoredEnvelope,
  TraceDetail,
  TraceSummary,
} from './types.js';

export interface IngestOptions {
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The DSN public key clients must present: 32 characters, as Relay requires. Default: 32 random hex chars. */
  key?: string;
  /** Default 1. */
  projectId?: number;
  /** When set, everything received is appended here as JSONL (+ raw.bin); see docs/ingest.md. */
  dataDir?: string;
  /** Body limit, before and after decompression. Default 20 MiB. */
  maxBodyBytes?: number;
  /** Spans kept in memory (least recently active traces evicted first). Default 20,000. */
  maxSpans?: number;
  /** Error events kept in memory (oldest evicted). Default 2,000. */
  maxEvents?: number;
  maxEnvelopes?: number;
  maxRequests?: number;
  /** Raw request bodies kept in memory, total bytes. Default 32 MiB. */
  maxRawBytes?: number;
  /** Spans and events kept in memory, by received (decompressed) bytes; oldest traces evicted. Default 256 MiB. */
  maxBytes?: number;
  /** Outcomes (what Relay would drop) kept. Default 1,000. */
  maxOutcomes?: number;
  /** Connections a black-hole fault holds at once; more are reset (counted in `stats().heldDropped`). Default 64. */
  maxHeldConnections?: number;
  /** Print a trace's waterfall once it has been quiet this long. Default 1500 ms. */
  quietMs?: number;
  /** A trace with error events but no spans yet waits this long for them before printing. Default min(10 s, 10 × quietMs). */
  spanWaitMs?: number;
  /** Print the waterfall of quiet traces. Default false (the CLI turns it on). */
  waterfall?: boolean;
  waterfallWidth?: number;
  /** ANSI colours in the waterfall. Default false. */
  color?: boolean;
  /** Where waterfall lines go. Default: stdout. */
  print?: (line: string) => void;
  /** A fault active from the start. */
  fault?: Fault;
}

export interface IngestServer {
  readonly port: number;
  readonly host: string;
  readonly key: string;
  readonly projectId: number;
  /** `http://<key>@<host>:<port>/<projectId>` */
  readonly dsn: string;
  /** `http://<host>:<port>` — base of the query API. */
  readonly url: string;
  /** The headers the query API and `/api/faults` require (the key, in a header). */
  readonly apiHeaders: Readonly<Record<string, string>>;
  readonly dataDir: string | undefined;
  traces(): TraceSummary[];
  trace(traceId: string): TraceDetail | undefined;
  spans(): IngestSpan[];
  events(): IngestEvent[];
  envelopes(): StoredEnvelope[];
  /** Bodies of authenticated ingest requests, after decompression (bounded). */
  raw(): RawBody[];
  /** Every request that reached an ingest route, including faulted and rejected ones (bounded). */
  requests(): RequestRecord[];
  /** What Relay would accept and then drop (unparseable items, spans with bad ids), with the reason (bounded). */
  outcomes(): Outcome[];
  /** Sentry-visible mismatches in what arrived for one trace (`[]` for none or an unknown trace). */
  problems(traceId: string): Problem[];
  stats(): IngestStats;
  clear(): void;
  setFault(fault: Fault): Promise<void>;
  clearFault(): Promise<void>;
  fault(): ActiveFault | undefined;
  /** Polls `probe` until it returns something truthy; rejects after `timeoutMs` (default 10 s). */
  waitFor<T>(probe: () => T | undefined | null | false, options?: { timeoutMs?: number; intervalMs?: number }): Promise<T>;
  close(): Promise<void>;
}

export async function startIngest(options: IngestOptions = {}): Promise<IngestServer> {
  const host = options.host ?? '127.0.0.1';
  const key = options.key ?? randomBytes(16).toString('hex');
  // Relay's `ProjectKey::parse` takes exactly 32 ASCII characters; the DSN's userinfo limits them further
  if (!/^[A-Za-z0-9_-]{32}$/.test(key)) throw new Error(`ingest key must be ${PROJECT_KEY_LENGTH} characters of A–Z, a–z, 0–9, _ or - (Relay rejects other lengths)`);
  const projectId = options.projectId ?? 1;
  if (!Number.isSafeInteger(projectId) || projectId < 0) throw new Error('ingest projectId must be a whole number');
  const quietMs = options.quietMs ?? 1500;

  const journal = options.dataDir !== undefined ? new Journal(options.dataDir) : undefined;
  const store = new IngestStore(
    {
      maxSpans: options.maxSpans ?? DEFAULT_LIMITS.maxSpans,
      maxEvents: options.maxEvents ?? DEFAULT_LIMITS.maxEvents,
      maxEnvelopes: options.maxEnvelopes ?? DEFAULT_LIMITS.maxEnvelopes,
      maxRequests: options.maxRequests ?? DEFAULT_LIMITS.maxRequests,
      maxRawBytes: options.maxRawBytes ?? DEFAULT_LIMITS.maxRawBytes,
      maxBytes: options.maxBytes ?? DEFAULT_LIMITS.maxBytes,
      maxOutcomes: options.maxOutcomes ?? DEFAULT_LIMITS.maxOutcomes,
    },
    journal,
  );
  const printer =
    options.waterfall === true
      ? new QuietTracePrinter(store, {
          quietMs,
          ...(options.spanWaitMs !== undefined ? { spanWaitMs: options.spanWaitMs } : {}),
          print: options.print ?? ((line) => process.stdout.write(`${line}\n`)),
          ...(options.waterfallWidth !== undefined ? { width: options.waterfallWidth } : {}),
          color: options.color === true,
        })
      : undefined;
  if (printer) store.onActivity = (traceId) => printer.touch(traceId);

  // faults that lift by themselves (count used up, duration over) must bring a `down` listener back
  const faults = new FaultController((fault) => {
    if (fault.mode === 'down') http.up(host).catch((err: unknown) => warn(`ingest: could not listen again on ${host}:${http.port}: ${(err as Error).message}`));
  });
  const ctx: ReceiveContext = {
    store,
    faults,
    key,
    projectId: String(projectId),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    held: new Set<ServerResponse>(),
    maxHeld: options.maxHeldConnections ?? 64,
    timers: new Set<NodeJS.Timeout>(),
  };

  const setFault = async (fault: Fault): Promise<void> => {
    const checked = validateFault(fault);
    const previous = faults.current();
    faults.set(checked);
    if (checked.mode === 'down') await http.down();
    else if (previous?.fault.mode === 'down') await http.up(host);
  };
  const clearFault = async (): Promise<void> => {
    const previous = faults.current();
    faults.clear();
    if (previous?.fault.mode === 'down') await http.up(host);
  };

  const http: IngestHttpServer = new IngestHttpServer(ctx, { set: setFault, clear: clearFault, current: () => faults.current() });
  try {
    await http.listen(options.port ?? 0, host);
  } catch (err) {
    await journal?.close();
    throw err;
  }
  const port = http.port;
  const dsnHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  if (options.fault !== undefined) await setFault(options.fault);

  let closed = false;
  return {
    port,
    host,
    key,
    projectId,
    dsn: `http://${key}@${dsnHost}:${port}/${projectId}`,
    url: `http://${dsnHost}:${port}`,
    apiHeaders: Object.freeze({ 'x-sentry-auth': `Sentry sentry_key=${key}` }),
    dataDir: options.dataDir,
    traces: () => traceSummaries(store),
    trace: (traceId) => {
      const entry = store.trace(traceId);
      return entry ? traceDetailOf(store, entry) : undefined;
    },
    spans: () => store.spans(),
    events: () => store.events(),
    envelopes: () => store.envelopes(),
    raw: () => store.raw(),
    requests: () => store.requests(),
    outcomes: () => store.outcomes(),
    problems: (traceId) => problemsOf(store, traceId),
    stats: () => store.stats(),
    clear: () => store.clear(),
    setFault,
    clearFault,
    fault: () => faults.current(),
    async waitFor(probe, { timeoutMs = 10_000, intervalMs = 20 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = probe();
        if (value !== undefined && value !== null && value !== false) return value;
        if (Date.now() >= deadline) throw new Error(`ingest.waitFor: condition not met within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      faults.clear();
      printer?.tick(true);
      printer?.stop();
      await http.close();
      await journal?.close();
    },
  };
}

export { renderWaterfall, formatMs, type WaterfallOptions } from './waterfall.js';
export { buildTraceDetail, resolveSpans } from './query.js';
export { parseEnvelope } from './envelope.js';
export { decodeOtlpTraces } from './otlp.js';
export { parseFaultSpec, validateFault } from './faults.js';
export { parseSentryAuthHeader } from './auth.js';
export type * from './types.js';
export type { ActiveFault } from './faults.js';
export type { Problem, ProblemCode } from './problems.js';
