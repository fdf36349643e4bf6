import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it } from 'vitest';
import { BASE_URL, javaServer, server as msw, TOKEN, useMsw } from '../../test/helpers/msw.js';
import { createClient, type FullstopClient } from './client.js';
import { describeErrorBody } from './error-body.js';
import { AbortedError, ApiError, AuthError, InvalidResponseError } from './errors.js';

import { buildUrl, defaultBackoffMs, parseRetryAfter } from './http.js';
import { collectViolations } from './paging.js';

useMsw();

const clients: FullstopClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

/** A client of the test server; `backoffs` records each backoff asked for (the backoff itself is 0 ms). */
function client(backoffs: number[] = [], signal?: AbortSignal) {
  const made = createClient({
    baseUrl: BASE_URL,
    token: TOKEN,
    backoffMs: (n) => (backoffs.push(n), 0),
    signal,
  });
  clients.push(made);
  return made;
}

describe('error bodies of both servers', () => {
  it.each([
    [404, '', '404 not found'],
    [403, '   ', '403 forbidden'],
    [
      401,
      '{"error":"invalid_token","error_description":"Access token expired"}',
      '401 invalid_token: Access token expired',
    ],
    [401, '{"error":"unauthorized"}', '401 unauthorized'],
    [
      400,
      '{"timestamp":1,"status":400,"error":"Bad Request","exception":"x.Y","message":"Required Long parameter","path":"/api/x"}',
      '400 bad request: Required Long parameter',
    ],
    [
      409,
      '{"status":409,"error":"Conflict","message":"already resolved","path":"/api/violations/1/resolution"}',
      '409 conflict: already resolved',
    ],
    [502, '<html><body>Bad Gateway</body></html>', '502 bad gateway'],
    [500, 'boom\nsecond line', '500 internal server error: boom'],
    [418, '[1,2]', '418 error'],
  ])('%i %j → %s', (status, body, text) => {
    expect(describeErrorBody(status, body)).toBe(text);
  });
});

describe('retries', () => {
  it('honours Retry-After on 429, then backs off on 502/504', async () => {
    const statuses = [429, 502, 504];
    msw.use(
      http.get(`${BASE_URL}/api/violation-types`, () => {
        const status = statuses.shift();
        if (status === undefined) return HttpResponse.json([]);
        return new HttpResponse(null, { status, headers: status === 429 ? { 'Retry-After': '1' } : {} });
      }),
    );
    const backoffs: number[] = [];
    const started = performance.now();
    expect(await client(backoffs).listViolationTypes()).toEqual([]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    // The server's Retry-After replaced the first backoff; the second and third retries backed off.
    expect(backoffs).toEqual([2, 3]);
  });

  it('stops waiting for a retry at once when its signal is aborted (Ctrl-C)', async () => {
    const interrupt = new AbortController();
    msw.use(
      http.get(`${BASE_URL}/api/violation-types`, () => {
        setTimeout(() => interrupt.abort(), 50);
        return new HttpResponse(null, { status: 503, headers: { 'Retry-After': '60' } });
      }),
    );
    const started = performance.now();
    await expect(client([], interrupt.signal).listViolationTypes()).rejects.toBeInstanceOf(AbortedError);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('retries a resolution the server declined (503: nothing was done), never a 500 or 404', async () => {
    let posts = 0;
    let gets = 0;
    msw.use(
      http.post(`${BASE_URL}/api/violations/1/resolution`, () =>
        ++posts === 1 ? new HttpResponse(null, { status: 503 }) : new HttpResponse(null),
      ),
      http.get(`${BASE_URL}/api/violations/1`, () => {
        gets++;
        return new HttpResponse('oops', { status: 500 });
      }),
    );
    expect(await client().resolveViolation(1, 'c')).toBeUndefined();
    expect(posts).toBe(2);
    await expect(client().getViolation(1)).rejects.toMatchObject({
      name: 'ApiError',
      status: 500,
      message: '500 internal server error: oops',
    });
    expect(gets).toBe(1);
  });

  it('gives up on a Retry-After beyond two minutes', async () => {
    let calls = 0;
    msw.use(
      http.get(
        `${BASE_URL}/api/violation-types`,
        () => (calls++, new HttpResponse(null, { status: 503, headers: { 'Retry-After': '3600' } })),
      ),
    );
    await expect(client().listViolationTypes()).rejects.toBeInstanceOf(ApiError);
    expect(calls).toBe(1);
  });

  it('parses Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('Fri, 31 May 2024 12:00:10 GMT', Date.parse('2024-05-31T12:00:00Z'))).toBe(10_000);
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('backs off with jitter within [ceiling/2, ceiling]', () => {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const ceiling = 250 * 2 ** (attempt - 1);
      const delay = defaultBackoffMs(attempt);
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });
});

describe('client', () => {
  it('maps 401 and 403 to AuthError', async () => {
    msw.use(http.get(`${BASE_URL}/api/violations/7`, () => new HttpResponse(null, { status: 403 })));
    const error = await client()
      .getViolation(7)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({
      status: 403,
      method: 'GET',
      url: `${BASE_URL}/api/violations/7`,
      message: '403 forbidden',
    });
  });

  it('rejects answers of the wrong shape', async () => {
    msw.use(http.get(`${BASE_URL}/api/violations`, () => HttpResponse.json({ items: [] })));
    await expect(client().listViolations({})).rejects.toThrow(
      new InvalidResponseError('the server sent a page without a "content" list'),
    );
  });

  it('keeps a base path prefix and drops empty parameters', () => {
    expect(buildUrl('https://h.example.org/fullstop/', '/api/violations', { a: 'x,y', b: undefined, c: '' }).href).toBe(
      'https://h.example.org/fullstop/api/violations?a=x%2Cy',
    );
  });

  it('stops paging when a server ignores the page parameter', async () => {
    const server = javaServer();
    msw.use(
      http.get(`${BASE_URL}/api/violations`, () =>
        HttpResponse.json({ content: server.violations.slice(0, 2), last: false }),
      ),
    );
    const rows = await collectViolations({ client: client(), query: {}, limit: 50, matches: () => true });
    expect(rows.map((v) => v.id)).toEqual([101, 102]);
  });
});
