import * as S from '@sentry/node';
const ints = S.getDefaultIntegrations({ dsn: 'http://a@127.0.0.1:1/1' });
const factories = Object.entries(S).filter(([k, v]) => typeof v === 'function' && k.endsWith('Integration'));
for (const i of ints) {
  const match = factories.filter(([k, f]) => { try { return f().name === i.name; } catch { return false; } }).map(([k]) => k);
  console.log(i.name, '->', match.join(' ') || 'NOT EXPORTED');
}
