/**
 * Number of fast-check runs per property. Unit runs use a few thousand; the reliability suite sets
 * PROPAGATION_FUZZ_RUNS=100000 (or imports the properties from ./properties.js with its own count).
 */
export const FUZZ_RUNS = Number(process.env.PROPAGATION_FUZZ_RUNS ?? 3000);
