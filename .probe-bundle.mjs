import { rolldown } from 'rolldown';
const bundle = await rolldown({
  input: 'dist/exporters/sentry.js',
  platform: 'node',
  external: (id) => !id.startsWith('@sentry/') && !id.startsWith('.') && !id.startsWith('/'),
  treeshake: true,
});
const out = await bundle.write({ file: '/tmp/sentry-bundle/sentry.mjs', format: 'esm' });
console.log(out.output.map((o) => [o.fileName, o.code?.length]));
