/** One access-log line per request, with method, url and status, and never the bearer token. */
import { describe, it, expect, afterEach } from 'vitest';
import { Writable } from 'node:stream';
import { buildApp } from '../../src/server/http/app.js';
import { openStore } from '../../src/server/store/open-store.js';
import { createAuthenticator } from '../../src/server/auth/authenticator.js';
import { DEFAULT_CONFIG, bearer, TOKENS } from './helpers.js';

const closers: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function appWithLog() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const store = await openStore('sqlite::memory:');
  const app = buildApp({
    store,
    auth: createAuthenticator({ tokens: DEFAULT_CONFIG.auth?.tokens }),
    config: DEFAULT_CONFIG,
    logger: { level: 'info', stream },
  });
  await app.ready();
  closers.push(
    () => app.close(),
    () => store.close(),
  );
  return { app, lines };
}

describe('access log', () => {
  it('writes one line per request, after the answer, without the token', async () => {
    const { app, lines } = await appWithLog();
    await app.inject({ url: '/api/violations?size=5', headers: bearer(TOKENS.reader) });
    await app.inject({ url: '/api/violations', headers: bearer('wrong-token') });
    await app.inject({ url: '/nowhere' });
    const access = lines.filter((l) => l.msg === 'request completed');
    expect(lines.filter((l) => l.msg === 'incoming request')).toEqual([]);
    expect(access.map((l) => [l.method, l.url, l.statusCode])).toEqual([
      ['GET', '/api/violations?size=5', 200],
      ['GET', '/api/violations', 401],
      ['GET', '/nowhere', 404],
    ]);
    expect(access[0]).toMatchObject({
      reqId: expect.any(String),
      remoteAddress: expect.any(String),
      responseTime: expect.any(Number),
    });
    const text = JSON.stringify(lines);
    expect(text).not.toContain(TOKENS.reader);
    expect(text).not.toContain('wrong-token');
  });
});
