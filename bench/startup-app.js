// The app of the start-up bench: prints its first line at once (the orchestrator times spawn → this line), idles
// a second so the preload's background work settles, then reports RSS and heap after a GC and exits.
console.log('{"ready":true}');
setTimeout(() => {
  globalThis.gc?.();
  const { rss, heapUsed } = process.memoryUsage();
  console.log(JSON.stringify({ rssMB: rss / 2 ** 20, heapMB: heapUsed / 2 ** 20 }));
  process.exit(0);
}, 1000);
