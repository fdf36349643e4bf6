/**
 * The HTTP API and `/health` while PostgreSQL goes away: the server reaches the database through a TCP proxy
 * (test/helpers/tcp-proxy.ts) that refuses, cuts or swallows connections. A store outage answers 503 with the JSON
 * error body (not 500), a write whose answer was lost with the connection answers 502 (it may have been applied,
 * and here it was), `/health` answers 503 DOWN, and everything recovers once the database is back. The log keeps
 * each cause.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/server/http/app.js';
import { createAuthenticator } from '../../src/server/auth/authenticator.js';
import { openStore } from '../../src/server/store/open-store.js';
import type { ViolationStore } from '../../src/server/store/store.js';
import { DEFAULT_CONFIG, TOKENS, bearer, draft } from '../server/helpers.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { PG_SKIP_REASON, PG_URL, pgTitle, testSchema, type TestSchema } from './pg.js';

let schema: TestSchema;
let proxy: TcpProxy;
let store: ViolationStore;
let app: FastifyInstance;
const logLines: Array<{ msg?: string; err?: { message?: string } }> = [];

const admin = bearer(TOKENS.admin);
/** `/health` reuses one ping for a second: wait that long to see the next one. */
const health = async () => {
  await sleep(1100);
  return app.inject({ url: '/health' });
};

describe.skipIf(PG_SKIP_REASON !== undefined)(pgTitle('the API while PostgreSQL is unavailable'), () => {
  beforeAll(async () => {
    schema = testSchema();
    proxy = await startTcpProxy(Number(new URL(PG_URL!).port || 5432), new URL(PG_URL!).hostname);
    store = await openStore(proxy.via(schema.url), { poolSize: 2 });
    await store.insertViolations([draft(), draft({ eventId: 'e2' })]);
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(JSON.parse(chunk.toString()) as (typeof logLines)[number]);
        done();
      },
    });
    const auth = createAuthenticator({ tokens: DEFAULT_CONFIG.auth?.tokens });
    app = buildApp({ store, auth, config: DEFAULT_CONFIG, logger: { level: 'info', stream } });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await proxy?.close();
    await schema?.drop();
  });

  it('answers 503 with a JSON body, and /health DOWN, while the database refuses connections', async () => {
    expect((await app.inject({ url: '/health' })).json()).toEqual({
      status: 'UP',
      store: { status: 'UP' },
      pending_evaluations: { count: 0, oldest_age_seconds: null },
    });
    proxy.setMode('refuse');
    proxy.cutAll();
    const list = await app.inject({ url: '/api/violations', headers: admin });
    expect([list.statusCode, list.json()]).toEqual([
      503,
      {
        status: 503,
        error: 'Service Unavailable',
        message: 'the store is unavailable: try again later',
        path: '/api/violations',
      },
    ]);
    const resolve = await app.inject({
      method: 'POST',
      url: '/api/violations/1/resolution',
      headers: { ...admin, 'content-type': 'text/plain' },
      payload: 'fixed',
    });
    expect([resolve.statusCode, resolve.json().message]).toEqual([
      503,
      'the store is unavailable and nothing was changed: try again later',
    ]);
    const down = await health();
    expect([down.statusCode, down.json()]).toEqual([
      503,
      { status: 'DOWN', store: { status: 'DOWN', error: 'the store failed (the server log has the cause)' } },
    ]);
    // The causes are in the log, not in the answers.
    expect(
      logLines.some((l) => l.msg === 'store unavailable' && /ECONNRESET|terminated|closed/i.test(l.err?.message ?? '')),
    ).toBe(true);
    expect(logLines.some((l) => l.msg === 'store ping failed: /health answers DOWN')).toBe(true);
  });

  it('reports DOWN within the ping timeout when the database does not answer at all', async () => {
    proxy.setMode('blackhole');
    const started = Date.now();
    const down = await health();
    expect(Date.now() - started).toBeLessThan(1100 + 2000 + 1000);
    expect([down.statusCode, down.json()]).toEqual([
      503,
      { status: 'DOWN', store: { status: 'DOWN', error: 'no answer within 2000 ms' } },
    ]);
  });

  it('is UP again, and answers again, once the database is back', async () => {
    proxy.setMode('pass');
    proxy.cutAll();
    expect((await health()).json()).toEqual({
      status: 'UP',
      store: { status: 'UP' },
      pending_evaluations: { count: 0, oldest_age_seconds: null },
    });
    expect((await app.inject({ url: '/api/violations', headers: admin })).json().total_elements).toBe(2);
  });

  it('answers 502 for a write whose answer was lost with the connection: it may have been applied (and was)', async () => {
    const cut = proxy.cutAfter('UPDATE violation', 200);
    const resolve = await app.inject({
      method: 'POST',
      url: '/api/violations/2/resolution',
      headers: { ...admin, 'content-type': 'text/plain' },
      payload: 'answer lost',
    });
    await cut;
    expect([resolve.statusCode, resolve.json()]).toEqual([
      502,
      {
        status: 502,
        error: 'Bad Gateway',
        message:
          'the connection to the store broke during the request: the change may or may not have been applied; check before sending it again',
        path: '/api/violations/2/resolution',
      },
    ]);
    expect((await schema.query('SELECT comment FROM violation WHERE id = 2')).rows).toEqual([
      { comment: 'answer lost' },
    ]);
    // A connection lost in the middle of a transaction (an ingest commit) fails the call, not the process: the pool
    // keeps no 'error' listener on a client it has handed out.
    const cutCommit = proxy.cutAfter('INSERT INTO processed_file', 100);
    const file = { source: 's3://logs', key: 'k', fingerprint: 'etag', records: 1, badRecords: 0 };
    await expect(store.commitFiles([{ file, drafts: [draft({ eventId: 'lost' })] }])).rejects.toMatchObject({
      name: 'StoreUnavailableError',
    });
    await cutCommit;
    expect((await schema.query("SELECT count(*)::int AS n FROM violation WHERE event_id = 'lost'")).rows).toEqual([
      { n: 0 },
    ]);
    // A read that loses its connection is simply unavailable: reading again is safe.
    const cutRead = proxy.cutAfter('FROM violation', 200);
    const read = await app.inject({ url: '/api/violations/1', headers: admin });
    await cutRead;
    expect(read.statusCode).toBe(503);
  });
});
