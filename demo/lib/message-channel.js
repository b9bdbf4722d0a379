// The researcher → writer hop is not HTTP: newline-delimited JSON over a plain TCP socket (request–reply).
// No instrumentation sees it, so the trace crosses only inside the message (injectContext / extractContext).
import net from 'node:net';

export function sendMessage(address, message, timeoutMs = 10_000) {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), host);
    let data = '';
    socket.setEncoding('utf8').setTimeout(timeoutMs, () => socket.destroy(new Error('message reply timed out')));
    socket.on('data', (chunk) => {
      data += chunk;
      const end = data.indexOf('\n');
      if (end >= 0) {
        socket.end();
        resolve(JSON.parse(data.slice(0, end)));
      }
    });
    socket.on('error', reject);
    socket.write(`${JSON.stringify(message)}\n`);
  });
}

/** Serve messages: `handle(message)` returns the reply. */
export function listenForMessages(port, handle, host = process.env.HOST ?? '127.0.0.1') {
  const server = net.createServer((socket) => {
    let data = '';
    socket.setEncoding('utf8').on('data', async (chunk) => {
      data += chunk;
      const end = data.indexOf('\n');
      if (end < 0) return;
      let reply;
      try {
        reply = await handle(JSON.parse(data.slice(0, end)));
      } catch (err) {
        reply = { ok: false, error: String(err?.message ?? err) };
      }
      socket.end(`${JSON.stringify(reply)}\n`);
    });
    socket.on('error', () => {});
  });
  server.listen(port, host, () => console.log(`MESSAGE_PORT ${server.address().port}`));
  return server;
}
