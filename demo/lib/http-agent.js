// The HTTP shell every demo agent shares: JSON routes, health (/healthz) and readiness (/readyz) probes.
import http from 'node:http';

export function startAgentServer(name, routes, { port = Number(process.env.PORT ?? 0), host = process.env.HOST ?? '127.0.0.1' } = {}) {
  let ready = false;
  const server = http.createServer(async (req, res) => {
    const send = (status, body) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (req.url === '/healthz') return send(200, { status: 'ok', agent: name });
    if (req.url === '/readyz') return send(ready ? 200 : 503, { ready });
    const route = req.method === 'POST' ? routes[req.url] : undefined;
    if (!route) return send(404, { error: 'not found' });
    try {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      const { status = 200, body } = await route(raw ? JSON.parse(raw) : {});
      send(status, body);
    } catch (err) {
      send(500, { error: String(err?.message ?? err) });
    }
  });
  server.listen(port, host, () => {
    ready = true;
    console.log(`READY ${server.address().port}`);
  });
  return server;
}

export async function postJson(url, body) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}
