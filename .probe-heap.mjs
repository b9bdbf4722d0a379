await import('@opentelemetry/api');
const m = await import('./dist/exporters/sentry-sdk.js');
const h = () => (process.memoryUsage().heapUsed / 2 ** 20).toFixed(2);
gc(); gc(); const a = h();
for (let i = 0; i < 10; i++) gc();
const b = h();
const v8 = await import('node:v8');
const s = v8.getHeapSpaceStatistics().map((x) => `${x.space_name}=${(x.space_used_size / 2 ** 20).toFixed(2)}`).join(' ');
const mu = process.memoryUsage(); console.log(process.argv[2], a, b, "external", (mu.external/2**20).toFixed(2), "ab", (mu.arrayBuffers/2**20).toFixed(2), "rss", (mu.rss/2**20).toFixed(1));
