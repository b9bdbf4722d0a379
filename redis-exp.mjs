import Redis from 'ioredis';
import { trace } from '@opentelemetry/api';
import { invokeAgent } from 'agent-otel-bridge/agent';
const t = trace.getTracer('x');
let names = [];
const { SimpleSpanProcessor, InMemorySpanExporter } = await import('@opentelemetry/sdk-trace');
await t.startActiveSpan('root', async (s) => {
  await invokeAgent({ name: 'a' }, async () => {
    const r = new Redis({ port: Number(process.env.P), host: '127.0.0.1' });
    await r.set('k', 'v');
    await r.get('k');
    await r.quit();
  });
  s.end();
});
console.log((await (await fetch(`http://127.0.0.1:${process.env.OTEL_EXPORTER_PROMETHEUS_PORT}/metrics`)).text()).split('\n').filter((l) => l.startsWith('agent_memory_operation_duration_seconds_count')).join('\n'));
