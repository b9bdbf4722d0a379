import * as S from '@sentry/node';
console.log(typeof S.initWithoutDefaultIntegrations, typeof S.getDefaultIntegrations, typeof S.getDefaultIntegrationsWithoutPerformance);
const ints = S.getDefaultIntegrations({ dsn: 'http://a@127.0.0.1:1/1' });
console.log(ints.map((i) => i.name).join(', '));
