/**
 * What could not be scrubbed is never sent as it was: the caller filters it (or drops the event) and reports it
 * here — counted in `agent_bridge_scrub_failures_total{reason}` and warned once per reason.
 */
import { warnOnce } from '../log.js';
import { recordScrubFailure, type ScrubFailureReason } from '../self-metrics.js';

export type { ScrubFailureReason };

export function scrubFailed(reason: ScrubFailureReason, what: string): void {
  recordScrubFailure(reason);
  warnOnce(`scrub-${reason}`, `scrubbing: ${what}: not sent as it was (counted in agent_bridge_scrub_failures_total{reason="${reason}"})`);
}
