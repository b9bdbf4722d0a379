import { rolldown } from 'rolldown';
import { writeFileSync } from 'node:fs';
const [charset, jsdoc] = [process.argv[2], process.argv[3] === 'true'];
const b = await rolldown({ input: 'dist/exporters/.probe-in.js', platform: 'node', external: (id) => !(id.startsWith('@sentry/') || id.startsWith('.') || id.startsWith('/')), logLevel: 'silent' });
const { output } = await b.generate({ format: 'esm', charset, comments: { legal: true, annotation: true, jsdoc } });
writeFileSync('dist/exporters/sentry-sdk.js', '/*! agent-otel-bridge: tree-shaken Sentry SDK */\n' + output[0].code);
