import { createServer, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Dispatcher, Pool } from 'undici';
import DeepPool from 'undici/lib/dispatcher/pool.js';
import deepRequest from 'undici/lib/api/api-request.js';
import { createHttp, type Http } from './http.js';
import { NetworkError, OutcomeUnknownError, TimeoutError } from './errors.js';

let server: Server | undefined;
const opened: Http[] = [];

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

function http(baseUrl: string, options: { timeoutMs?: number; connections?: number } = {}): Http {
  const made = createHttp({ baseUrl, backoffMs: () => 0, ...options });
  opened.push(made);
  return made;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((h) => h.close()));
  if (!server) return;
  server.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

describe('the undici transport', () => {
  it('imports by path the very Pool and request API that undici exports', () => {
    expect(DeepPool).toBe(Pool);
    expect(deepRequest).toBe(Dispatcher.prototype.request);
  });

  it('keeps connections alive for sequential requests and reads bodies as UTF-8', async () => {
    const { url, connections } = await serve((res) => res.end(JSON.stringify({ text: 'Grüße' })));
    const client = http(url);
    for (let i = 0; i < 5; i++) {
      const res = await client.send({
        method: 'POST',
        path: `/api/violations/${i}/resolution`,
        body: 'ok ✓',
        contentType: 'text/plain',
      });
      expect(JSON.parse(res.text)).toEqual({ text: 'Grüße' });
    }
    // The pool's first connection still counts as busy when the second request leaves right after the first
    // answer's body was read, so it opens a second one; from then on both are reused.
    expect(connections()).toBeLessThanOrEqual(2);
  });

  it('opens at most `connections` connections, however many requests are in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const { url, connections } = await serve((res) => {
      peak = Math.max(peak, ++inFlight);
      setTimeout(() => (inFlight--, res.end('{}')), 20);
    });
    const client = http(url, { connections: 3 });
    await Promise.all(Array.from({ length: 12 }, () => client.send({ method: 'GET', path: '/api/violation-types' })));
    expect(connections()).toBe(3);
    expect(peak).toBe(3);
  });

  it('closes its connections on close(), so nothing holds the process open', async () => {
    const { url } = await serve((res) => res.end('{}'));
    const client = createHttp({ baseUrl: url });
    await client.send({ method: 'GET', path: '/api/violation-types' });
    let open = 0;
    server!.getConnections((_error, count) => (open = count));
    await new Promise((resolve) => setImmediate(resolve));
    expect(open).toBe(1);
    await client.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    server!.getConnections((_error, count) => (open = count));
    await new Promise((resolve) => setImmediate(resolve));
    expect(open).toBe(0);
  });

  it('treats a connection closed mid-body as a network failure and retries it', async () => {
    let calls = 0;
    const { url } = await serve((res) => {
      calls++;
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('{"partial":');
      setTimeout(() => res.destroy(), 10);
    });
    await expect(http(url).send({ method: 'GET', path: '/api/violations' })).rejects.toMatchObject({
      name: 'NetworkError',
      message: `${url} closed the connection before the answer was complete (other side closed)`,
      phase: 'body',
      attempts: 4,
    });
    expect(calls).toBe(4);
  });

  it('times out while the body is still arriving', async () => {
    const { url } = await serve((res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('{"slow":');
    });
    await expect(http(url, { timeoutMs: 200 }).send({ method: 'GET', path: '/api/violations' })).rejects.toBeInstanceOf(
      TimeoutError,
    );
  });
});

describe('network failures', () => {
  it('names the system reason (ECONNREFUSED), not a generic wrapper message', async () => {
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const url = `http://127.0.0.1:${port}`;
    await expect(http(url).send({ method: 'GET', path: '/api/violation-types' })).rejects.toMatchObject({
      name: 'NetworkError',
      message: `could not reach ${url} (ECONNREFUSED)`,
      phase: 'connect',
      attempts: 4,
    });
  });
});

describe('requests that change something', () => {
  const post = { method: 'POST', path: '/api/violations/1/resolution', body: 'c' } as const;

  it('are not sent again when the answer was lost, and say that their effect is unknown', async () => {
    let calls = 0;
    const { url } = await serve((res) => {
      calls++;
      res.destroy();
    });
    const error = await http(url)
      .send(post)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(error).toMatchObject({
      message: `${url} closed the connection without answering (other side closed); it may or may not have been applied`,
      cause: { name: 'NetworkError', phase: 'request', attempts: 1 },
    });
    expect(calls).toBe(1);
  });

  it('are not sent again after a 502 or 504 (the server behind the gateway may have acted), but after a 503', async () => {
    for (const [status, sends, unknown] of [
      [502, 1, true],
      [504, 1, true],
      [503, 4, false],
      [429, 4, false],
    ] as const) {
      let calls = 0;
      const { url } = await serve((res) => {
        calls++;
        res.writeHead(status).end();
      });
      const error = await http(url)
        .send(post)
        .catch((e: unknown) => e);
      expect({ status, calls, unknown: error instanceof OutcomeUnknownError }).toEqual({
        status,
        calls: sends,
        unknown,
      });
      server!.closeAllConnections();
      await new Promise((resolve) => server!.close(resolve));
    }
    server = undefined;
  });

  it('are sent again when the connection never stood (nothing was sent)', async () => {
    const closed = createNetServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as { port: number };
    await new Promise((resolve) => closed.close(resolve));
    const error = await http(`http://127.0.0.1:${port}`)
      .send(post)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).toMatchObject({ phase: 'connect', attempts: 4 });
  });

  it('are sent again after a lost answer when the caller says they are idempotent', async () => {
    let calls = 0;
    const { url } = await serve((res) => (++calls < 3 ? res.destroy() : res.end('{"results":[]}')));
    const res = await http(url).send({ ...post, path: '/api/violations/resolutions', idempotent: true });
    expect(res.text).toBe('{"results":[]}');
    expect(calls).toBe(3);
  });

  it('time out as unknown: the server may still apply them', async () => {
    const { url } = await serve(() => {});
    const error = await http(url, { timeoutMs: 200 })
      .send(post)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect((error as OutcomeUnknownError).cause).toBeInstanceOf(TimeoutError);
  });
});
