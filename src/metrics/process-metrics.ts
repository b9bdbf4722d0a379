/**
 * Process CPU time and resident memory, the two runtime signals @opentelemetry/instrumentation-runtime-node (event
 * loop, heap, GC) does not report, under their semantic-convention names (semconv process metrics):
 *   process.cpu.time{cpu.mode="user"|"system"}  counter, seconds  → process_cpu_time_seconds_total
 *   process.memory.usage                        gauge, bytes      → process_memory_usage_bytes (RSS)
 * @opentelemetry/host-metrics reports the same and more, but also every host-wide CPU, memory and network
 * series; these two reads cost one `process.cpuUsage()` and one `process.memoryUsage.rss()` per scrape.
 */
import type { BatchObservableResult, Meter } from '@opentelemetry/api';
import { ATTR_CPU_MODE, CPU_MODE_VALUE_SYSTEM, CPU_MODE_VALUE_USER, METRIC_PROCESS_CPU_TIME, METRIC_PROCESS_MEMORY_USAGE } from '../agent/semconv-incubating.js';

const USER = Object.freeze({ [ATTR_CPU_MODE]: CPU_MODE_VALUE_USER });
const SYSTEM = Object.freeze({ [ATTR_CPU_MODE]: CPU_MODE_VALUE_SYSTEM });

/** Register the two instruments on `meter`; returns their removal. */
export function observeProcessMetrics(meter: Meter): () => void {
  const cpu = meter.createObservableCounter(METRIC_PROCESS_CPU_TIME, { unit: 's', description: 'Total CPU seconds broken down by CPU mode.' });
  const memory = meter.createObservableGauge(METRIC_PROCESS_MEMORY_USAGE, { unit: 'By', description: 'The amount of physical memory in use (RSS).' });
  const observe = (result: BatchObservableResult): void => {
    const usage = process.cpuUsage();
    result.observe(cpu, usage.user / 1e6, USER);
    result.observe(cpu, usage.system / 1e6, SYSTEM);
    result.observe(memory, process.memoryUsage.rss());
  };
  meter.addBatchObservableCallback(observe, [cpu, memory]);
  return () => meter.removeBatchObservableCallback(observe, [cpu, memory]);
}
