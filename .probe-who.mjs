import { registerHooks } from 'node:module';
registerHooks({ resolve(spec, ctx, next) { const r = next(spec, ctx); if (r.url.includes('semantic-conventions')) console.error('RESOLVE', spec, '<-', ctx.parentURL?.replace(/^.*node_modules\//, ''), '=>', r.url.replace(/^.*node_modules\//, '')); return r; } });
