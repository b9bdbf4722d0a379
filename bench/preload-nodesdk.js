// The comparison preload for start-up and memory: a bare OpenTelemetry NodeSDK (./nodesdk.js), exporting to
// BENCH_OTLP_URL (the orchestrator's ingest).
import { startNodeSdk } from './nodesdk.js';

await startNodeSdk({ url: process.env.BENCH_OTLP_URL, headers: JSON.parse(process.env.BENCH_OTLP_HEADERS ?? '{}') });
