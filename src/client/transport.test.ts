import { createServer, type Server, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttp } from './http.js';
import { NetworkError, TimeoutError } from './errors.js';

let server: Server | undefined;

async function serve(handler: (res: ServerResponse) => void): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  server = createServer((req, res) => {
    req.resume(); // a real server reads the body; an unread body can make it close the connection
    handler(res);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, connections: () => connections };
}

afterEach(async () => {
  if (!server) return;
  server.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

const noWait = { sleep: async () => {}, backoffMs: () => 0 };

describe('the fetch transport', () => {
  it('reuses connections for sequential requests and reads bodies as UTF-8', async () => {
    const { url, connections } = await serve((res) => res.end(JSON.stringify({ text: 'Grüße' })));
    const http = createHttp({ baseUrl: url });
    for (let i = 0; i < 5; i++) {
      const res = await http({
        method: 'POST',
        path: `/api/violations/${i}/resolution`,
        body: 'ok ✓',
        contentType: 'text/plain',
      });
      expect(JSON.parse(res.text)).toEqual({ text: 'Grüße' });
    }
    // undici opens a second connection for the second request, then keeps reusing it.
    expect(connections()).toBeLessThanOrEqual(2);
  });

  it('treats a connection closed mid-body as a network failure and retries it', async () => {
    let calls = 0;
    const { url } = await serve((res) => {
      calls++;
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('{"partial":');
      setTimeout(() => res.destroy(), 10);
    });
    const http = createHttp({ baseUrl: url, ...noWait });
    await expect(http({ method: 'GET', path: '/api/violations' })).rejects.toBeInstanceOf(NetworkError);
    expect(calls).toBe(4);
  });

  it('times out while the body is still arriving', async () => {
    const { url } = await serve((res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('{"slow":');
    });
    const http = createHttp({ baseUrl: url, timeoutMs: 200, ...noWait });
    await expect(http({ method: 'GET', path: '/api/violations' })).rejects.toBeInstanceOf(TimeoutError);
  });
});

describe('network failures', () => {
  it('names the innermost reason fetch gives, not its generic "fetch failed"', async () => {
    // Port 1 is on fetch's list of blocked ports: undici refuses it before connecting.
    const http = createHttp({ baseUrl: 'http://127.0.0.1:1', ...noWait });
    await expect(http({ method: 'GET', path: '/api/violation-types' })).rejects.toThrow(
      new NetworkError('could not reach http://127.0.0.1:1 (bad port)'),
    );
  });
});
