await import('@opentelemetry/api'); await import('@opentelemetry/sdk-trace'); await import('./dist/src/scrub/index.js');
global.gc(); const b = process.memoryUsage();
const t = performance.now();
await import(process.argv[2]);
const dt = performance.now() - t;
global.gc(); global.gc(); const a = process.memoryUsage();
console.log(process.argv[2], 'ms', dt.toFixed(0), 'heap+', ((a.heapUsed - b.heapUsed) / 1e6).toFixed(1), 'rss+', ((a.rss - b.rss) / 1e6).toFixed(1), 'rss', (a.rss/1e6).toFixed(0));
