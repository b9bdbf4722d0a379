import { registerHooks } from 'node:module';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const seen = new Map();
registerHooks({ load(url, ctx, next) { const r = next(url, ctx); if (url.startsWith('file:')) { try { seen.set(url, statSync(fileURLToPath(url)).size); } catch {} } return r; } });
const before = process.memoryUsage();
await import(process.argv[2]);
const by = new Map();
for (const [u, s] of seen) { const m = u.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/); const k = m ? m[1] : 'other'; const e = by.get(k) ?? [0, 0]; e[0]++; e[1] += s; by.set(k, e); }
console.log('total', seen.size, [...seen.values()].reduce((a, b) => a + b, 0));
for (const [k, [n, s]] of [...by].sort((a, b) => b[1][1] - a[1][1])) console.log(k, n, (s / 1024).toFixed(0) + 'K');
global.gc?.(); const after = process.memoryUsage(); console.log('heap +', ((after.heapUsed - before.heapUsed) / 1e6).toFixed(1), 'rss', (after.rss / 1e6).toFixed(0));
