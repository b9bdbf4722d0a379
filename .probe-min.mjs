import { rolldown } from 'rolldown';
for (const minify of [false, { compress: false, mangle: false, codegen: { removeWhitespace: true } }, { compress: true, mangle: false, codegen: { removeWhitespace: true } }, true]) {
  const b = await rolldown({ input: 'dist/exporters/.probe-in2.js', platform: 'node', external: (id) => !(id.startsWith('@sentry/') || id.startsWith('.') || id.startsWith('/')), logLevel: 'silent' });
  const { output } = await b.generate({ format: 'esm', charset: 'ascii', comments: { legal: true, annotation: true, jsdoc: false }, minify, file: 'dist/exporters/x.js' });
  console.log(JSON.stringify(minify), (output[0].code.length / 1024).toFixed(0), 'KiB');
}
