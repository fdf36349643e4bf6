/**
 * A web page the user opens may send requests to the server on 127.0.0.1 (a form POST, a text/plain fetch) and
 * read answers that carry Access-Control-Allow-Origin. The server sends CORS headers only to configured origins
 * and refuses writes that carry another site's Origin, also with --no-auth. Real HTTP: the server listens.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { request } from 'node:http';
import { startServer, type RunningServer } from '../../src/server/main.js';
import type { ServerConfig } from '../../src/server/config.js';
import { draft, ACCOUNT_A, testApp, bearer, TOKENS, DEFAULT_CONFIG } from './helpers.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(
  base: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
) {
  return new Promise<Answer>((resolve, reject) => {
    const req = request(`${base}${path}`, { method: init.method ?? 'GET', headers: init.headers }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

const EVIL = 'https://evil.example';
const UI = 'https://ui.example.com';

async function start(noAuth: boolean, config: ServerConfig = {}): Promise<RunningServer> {
  const server = await startServer({
    host: '127.0.0.1',
    port: 0,
    db: 'sqlite::memory:',
    noAuth,
    configFile: undefined,
    config,
  });
  await server.store.insertViolations([draft({ eventId: 'e1' }), draft({ eventId: 'e2' })]);
  return server;
}

describe('a --no-auth server without cors.allowed_origins', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start(true);
  });
  afterAll(() => server.close());

  const resolve = (id: number, headers: Record<string, string>) =>
    send(server.url, `/api/violations/${id}/resolution`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', ...headers },
      body: 'resolved by a web page',
    });

  it('sends no CORS headers, so a page of another site cannot read the answers', async () => {
    const list = await send(server.url, '/api/violations', { headers: { origin: EVIL } });
    expect(list.status).toBe(200);
    expect(Object.keys(list.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    const preflight = await send(server.url, '/api/violations/1/resolution', {
      method: 'OPTIONS',
      headers: { origin: EVIL, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(200);
    expect(Object.keys(preflight.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
  });

  it('refuses a cross-origin text/plain resolution with 403 and leaves the violation open', async () => {
    const res = await resolve(1, { origin: EVIL });
    expect([res.status, JSON.parse(res.body)]).toEqual([
      403,
      {
        status: 403,
        error: 'Forbidden',
        message: `cross-origin POST from ${EVIL} refused: list the origin in cors.allowed_origins of the server config`,
        path: '/api/violations/1/resolution',
      },
    ]);
    expect(JSON.parse((await send(server.url, '/api/violations/1')).body).comment).toBeNull();
    expect((await resolve(1, { origin: 'null' })).status).toBe(403);
  });

  it('refuses every cross-origin write: rules, violations, unknown paths', async () => {
    const json = { 'content-type': 'application/json', origin: EVIL };
    const rule = await send(server.url, '/api/whitelisting-rules', {
      method: 'POST',
      headers: json,
      body: '{"reason":"r"}',
    });
    expect(rule.status).toBe(403);
    const violation = await send(server.url, '/api/violations', {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ event_id: 'x', account_id: ACCOUNT_A, region: 'r', violation_type: 'T', meta_info: {} }),
    });
    expect(violation.status).toBe(403);
    expect(
      (await send(server.url, '/api/whitelisting-rules/1', { method: 'DELETE', headers: { origin: EVIL } })).status,
    ).toBe(403);
    expect((await send(server.url, '/api/nothing', { method: 'PUT', headers: { origin: EVIL } })).status).toBe(403);
    expect(JSON.parse((await send(server.url, '/api/whitelisting-rules')).body)).toEqual([]);
  });

  it('accepts writes without an Origin (the CLI, the Python client) and from its own origin', async () => {
    const withoutOrigin = await resolve(1, {});
    expect([withoutOrigin.status, JSON.parse(withoutOrigin.body).comment]).toEqual([200, 'resolved by a web page']);
    const ownOrigin = await resolve(2, { origin: server.url });
    expect(ownOrigin.status).toBe(200);
  });

  it('answers only loopback host names, so that a rebound DNS name is not its own origin', async () => {
    const port = new URL(server.url).port;
    const rebound = await send(server.url, '/api/violations', { headers: { host: `evil.example:${port}` } });
    expect([rebound.status, JSON.parse(rebound.body).message]).toEqual([
      403,
      "host 'evil.example' refused: a server started with --no-auth answers loopback names only",
    ]);
    const write = await resolve(1, { host: `evil.example:${port}`, origin: `http://evil.example:${port}` });
    expect(write.status).toBe(403);
    expect((await send(server.url, '/api/violations', { headers: { host: `localhost:${port}` } })).status).toBe(200);
  });
});

describe('a server with cors.allowed_origins', () => {
  let server: RunningServer;
  const token = 'static-token-for-the-cors-test';
  const auth = { authorization: `Bearer ${token}` };
  beforeAll(async () => {
    server = await start(false, {
      auth: { tokens: [{ token, uid: 'ui', accounts: '*' }] },
      cors: { allowed_origins: [UI, 'http://localhost:3000'] },
    });
  });
  afterAll(() => server.close());

  it('answers a pre-flight of an allowed origin with the original CORS headers', async () => {
    const preflight = await send(server.url, '/api/violations/1/resolution', {
      method: 'OPTIONS',
      headers: { origin: UI, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers).toMatchObject({
      'access-control-allow-origin': UI,
      'access-control-allow-methods': 'POST, GET, OPTIONS, DELETE, PUT',
      'access-control-max-age': '3600',
      'access-control-allow-headers': 'Content-Type, x-requested-with, Authorization',
    });
  });

  it('lets an allowed origin read and write, and no other', async () => {
    const read = await send(server.url, '/api/violations', { headers: { ...auth, origin: UI } });
    expect([read.status, read.headers['access-control-allow-origin'], read.headers.vary]).toEqual([200, UI, 'Origin']);
    const other = await send(server.url, '/api/violations', { headers: { ...auth, origin: EVIL } });
    expect([other.status, other.headers['access-control-allow-origin']]).toEqual([200, undefined]);
    const write = (origin: string) =>
      send(server.url, '/api/violations/1/resolution', { method: 'POST', headers: { ...auth, origin }, body: 'ok' });
    expect((await write(UI)).status).toBe(200);
    expect((await write('http://localhost:3000')).status).toBe(200);
    expect((await write(EVIL)).status).toBe(403);
    expect((await write('http://ui.example.com')).status).toBe(403);
  });
});

describe('cors.allowed_origins: ["*"]', () => {
  it('restores the original answer for every origin, writes included (an explicit choice)', async () => {
    const t = await testApp({ ...DEFAULT_CONFIG, cors: { allowed_origins: ['*'] } });
    try {
      await t.store.insertViolations([draft()]);
      const read = await t.app.inject({ url: '/api/violations', headers: { ...bearer(TOKENS.reader), origin: EVIL } });
      expect(read.headers['access-control-allow-origin']).toBe('*');
      const write = await t.app.inject({
        method: 'POST',
        url: '/api/violations/1/resolution',
        headers: { ...bearer(TOKENS.admin), origin: EVIL },
        payload: 'ok',
      });
      expect(write.statusCode).toBe(200);
    } finally {
      await t.close();
    }
  });
});
