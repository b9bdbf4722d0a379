/**
 * `sentry-sample_rand` derived from the trace id, consistent with OpenTelemetry's TraceIdRatioBasedSampler.
 *
 * The SDK's TraceIdRatioBasedSampler (@opentelemetry/sdk-trace 3.x) XORs the trace id's four 32-bit words into
 * `acc` and samples iff `acc < upperBound`, where `upperBound = ratio === 1 ? 2^32 : Math.floor(ratio * (2^32 - 1))`
 * (ratio clamped to [0, 1], NaN → 0). Sentry samples iff `sample_rand < sample_rate`. For a given `acc` the set of
 * rates that sample is `{ rate ≥ t }`, where `t` is the smallest double with `fl(t * (2^32 - 1)) ≥ acc + 1`
 * (floating-point multiplication is monotonic, so this is exact, rounding included). Choosing `sample_rand` as
 * the double just below `t` therefore gives `sampled === (sample_rand < rate)` for EVERY rate — the same trace id
 * yields the same answer in OTel and in any Sentry SDK that re-decides from the DSC downstream.
 */
import { isValidTraceId } from '@opentelemetry/api';

const WORD_MAX = 0xffffffff; // 2^32 - 1, the factor TraceIdRatioBasedSampler multiplies the ratio by
const ONE_MINUS_ULP = 1 - 2 ** -53; // largest double below 1

const f64 = new Float64Array(1);
const bits = new BigUint64Array(f64.buffer);

/** Next double towards +∞ / -∞ for a positive finite `x` (IEEE-754 bit patterns of positive doubles are ordered). */
function nextUp(x: number): number {
  f64[0] = x;
  bits[0] = (bits[0] ?? 0n) + 1n;
  return f64[0];
}
function nextDown(x: number): number {
  f64[0] = x;
  bits[0] = (bits[0] ?? 0n) - 1n;
  return f64[0];
}

/** Same accumulation as TraceIdRatioBasedSampler._accumulate (lower-case hex, 32 characters). */
function accumulate(traceId: string): number {
  let acc = 0;
  for (let i = 0; i < 32; i += 8) acc = (acc ^ parseInt(traceId.slice(i, i + 8), 16)) >>> 0;
  return acc;
}

/**
 * The `sample_rand` in [0, 1) for `traceId` such that, for every rate, `sampleRandFromTraceId(id) < rate` exactly when
 * `new TraceIdRatioBasedSampler(rate)` samples `id`. An invalid trace id is never sampled by OTel; it gets the
 * largest value below 1 (only a rate of 1 would contradict that, and no span has such an id).
 */
export function sampleRandFromTraceId(traceId: string): number {
  if (!isValidTraceId(traceId)) return ONE_MINUS_ULP;
  const k = accumulate(traceId) + 1; // sampled iff fl(rate * WORD_MAX) >= k
  if (k > WORD_MAX) return ONE_MINUS_ULP; // acc = 2^32 - 1: only ratio 1 (upper bound 2^32) samples it
  let t = k / WORD_MAX;
  while (t * WORD_MAX < k) t = nextUp(t);
  while (nextDown(t) * WORD_MAX >= k) t = nextDown(t);
  return nextDown(t);
}

/**
 * `sample_rand` for a DSC created at the trace head: the trace-id value when it agrees with the actual decision (always
 * the case when the ratio sampler at `sampleRate` made it), otherwise mapped deterministically into the interval that
 * agrees ([0, rate) when sampled, [rate, 1) when not) — the decision may come from a parent's flag or a rule with
 * another rate. Without a usable rate, or when no value can agree (sampled at rate 0, dropped at rate 1), the
 * trace-id value is kept.
 */
export function sampleRandForDecision(traceId: string, sampled: boolean, sampleRate: number | undefined): number {
  const rand = sampleRandFromTraceId(traceId);
  if (sampleRate === undefined || !Number.isFinite(sampleRate) || sampleRate < 0 || sampleRate > 1) return rand;
  if (sampled === rand < sampleRate) return rand;
  if (sampled) {
    if (sampleRate === 0) return rand;
    const scaled = rand * sampleRate;
    return scaled < sampleRate ? scaled : nextDown(sampleRate);
  }
  if (sampleRate === 1) return rand;
  const shifted = sampleRate + rand * (1 - sampleRate);
  return Math.min(Math.max(shifted, sampleRate), ONE_MINUS_ULP);
}
