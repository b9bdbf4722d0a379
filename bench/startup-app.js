// The app of the start-up bench: prints its first line at once (the orchestrator times spawn → this line), idles
// at least a second so the preload's background work settles — with BENCH_WAIT_SENTRY=1 (the bridge with a DSN)
// until the Sentry SDK is up too (its global carrier `__SENTRY__` exists; the bridge loads it once the app's start-up
// is quiet, and the idle figures must include it), at most 15 s — then reports RSS and heap after a GC and exits.
console.log('{"ready":true}');
const started = performance.now();
const sentryUp = () => globalThis.__SENTRY__ !== undefined;
const timer = setInterval(() => {
  const waited = performance.now() - started;
  if (waited < 1000 || (process.env.BENCH_WAIT_SENTRY === '1' && !sentryUp() && waited < 15_000)) return;
  clearInterval(timer);
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  console.log(JSON.stringify({ rssMB: rss / 2 ** 20, heapMB: heapUsed / 2 ** 20, sentryUp: sentryUp() }));
  process.exit(0);
}, 100);
