/**
 * Limits and headers: bodies are size-limited (413 with the JSON error body), per-client rate limiting is
 * available (off by default; by uid once authenticated, by address otherwise, behind a trusted proxy by the
 * forwarded address), and every answer carries security headers for a JSON API.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { startHarness, client, bearer, json, errorBodyProblem, STATIC, TOKEN_INFO, type Harness } from './harness.js';
import type { ServerConfig } from '../../src/server/config.js';
import { DEFAULT_BODY_LIMIT } from '../../src/server/http/app.js';

const running: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const closable of running.splice(0).reverse()) await closable.close();
});

async function serve(config: Partial<ServerConfig> = {}): Promise<{ h: Harness; http: ReturnType<typeof client> }> {
  const h = await startHarness({ config });
  const http = client(h.url);
  running.push(h, http);
  return { h, http };
}

const admin = bearer(STATIC.admin);

describe('request body size', () => {
  it(`is limited to ${DEFAULT_BODY_LIMIT} bytes by default, answered with 413 and the JSON error body`, async () => {
    const { http } = await serve();
    const over = await http.send(
      'POST',
      '/api/violations/4/resolution',
      { ...admin, 'content-type': 'text/plain' },
      'x'.repeat(DEFAULT_BODY_LIMIT + 1),
    );
    expect([over.status, errorBodyProblem(over), JSON.parse(over.text).message]).toEqual([
      413,
      undefined,
      'Request body is too large',
    ]);
    const rule = await http.send(
      'POST',
      '/api/whitelisting-rules',
      { ...admin, ...json },
      JSON.stringify({ reason: 'x'.repeat(DEFAULT_BODY_LIMIT) }),
    );
    expect(rule.status).toBe(413);
    const under = await http.send(
      'POST',
      '/api/violations/4/resolution',
      { ...admin, 'content-type': 'text/plain' },
      'y'.repeat(DEFAULT_BODY_LIMIT - 10),
    );
    expect(under.status).toBe(200);
  });

  it('follows http.body_limit_bytes, also for bodies that announce no length', async () => {
    const { h, http } = await serve({ http: { body_limit_bytes: 2048 } });
    const over = await http.send('POST', '/api/violations/4/resolution', admin, 'z'.repeat(3000));
    expect([over.status, errorBodyProblem(over)]).toEqual([413, undefined]);
    // Chunked: the limit holds while the body streams in.
    const chunked = await fetch(`${h.url}/api/violations/4/resolution`, {
      method: 'POST',
      headers: admin,
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 10; i++) controller.enqueue(new TextEncoder().encode('c'.repeat(500)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await http.send('POST', '/api/violations/4/resolution', admin, 'ok')).status).toBe(200);
  });
});

describe('rate limiting', () => {
  it('is off by default', async () => {
    const { http } = await serve();
    for (let i = 0; i < 120; i++) {
      const res = await http.send('GET', '/api/violation-types', admin);
      expect(res.status).toBe(200);
      expect(res.headers['x-ratelimit-limit']).toBeUndefined();
    }
  });

  it('counts each authenticated uid, and each address for refused tokens; /health is never limited', async () => {
    const { http } = await serve({ http: { rate_limit: { max: 3, window_seconds: 60 } } });
    const statuses = async (headers: Record<string, string>, n: number) => {
      const out: number[] = [];
      for (let i = 0; i < n; i++) out.push((await http.send('GET', '/api/violation-types', headers)).status);
      return out;
    };
    expect(await statuses(admin, 4)).toEqual([200, 200, 200, 429]);
    const limited = await http.send('GET', '/api/violations', admin);
    expect([limited.status, errorBodyProblem(limited), limited.headers['retry-after']]).toEqual([429, undefined, '60']);
    expect(JSON.parse(limited.text).message).toBe(
      'rate limit exceeded: at most 3 requests per 60 s per client; retry in 1 minute',
    );
    // Another user is not affected, and neither are callers on other uids of the same address.
    expect(await statuses(bearer(TOKEN_INFO.member), 3)).toEqual([200, 200, 200]);
    // Guessing tokens is limited by address: made-up tokens are refused, then limited.
    const guesses = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        http.send('GET', '/api/violation-types', bearer(`guess-${i}-0123456789012345678901234`)),
      ),
    );
    expect(guesses.map((g) => g.status).sort()).toEqual([401, 401, 401, 429, 429]);
    for (let i = 0; i < 10; i++) expect((await http.send('GET', '/health')).status).toBe(200);
  });

  it('uses the forwarded address only behind a trusted proxy', async () => {
    const limit = { max: 1, window_seconds: 60 };
    const forwardedFrom = (ip: string) => ({ ...bearer('made-up-token'), 'x-forwarded-for': ip });
    const trusting = await serve({ http: { rate_limit: limit, trust_proxy: ['127.0.0.1'] } });
    for (const ip of ['10.0.0.1', '10.0.0.2'])
      expect((await trusting.http.send('GET', '/api/violations', forwardedFrom(ip))).status).toBe(401);
    expect((await trusting.http.send('GET', '/api/violations', forwardedFrom('10.0.0.1'))).status).toBe(429);
    // Untrusted, the header is ignored: spoofed addresses do not escape the limit.
    const plain = await serve({ http: { rate_limit: limit } });
    expect((await plain.http.send('GET', '/api/violations', forwardedFrom('10.0.0.1'))).status).toBe(401);
    expect((await plain.http.send('GET', '/api/violations', forwardedFrom('10.0.0.2'))).status).toBe(429);
  });
});

describe('security headers', () => {
  const EXPECTED = {
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-security-policy': "default-src 'none';frame-ancestors 'none'",
    'cross-origin-resource-policy': 'same-origin',
  };

  it('are set on every answer, errors included; /api answers are not cached; no HSTS unless configured', async () => {
    const { http } = await serve();
    const answers = [
      await http.send('GET', '/health'),
      await http.send('GET', '/api-docs'),
      await http.send('GET', '/api/violations', admin),
      await http.send('GET', '/api/violations'),
      await http.send('GET', '/api/violations/99999', admin),
      await http.send('POST', '/api/violations', { ...admin, ...json }, '{'),
      await http.send('GET', '/nowhere'),
    ];
    for (const res of answers) {
      expect(res.headers).toMatchObject(EXPECTED);
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['x-powered-by']).toBeUndefined();
    }
    expect(answers.slice(2, 6).map((res) => res.headers['cache-control'])).toEqual(Array(4).fill('no-store'));
  });

  it('include Strict-Transport-Security when http.hsts_max_age_seconds says the server is reached over HTTPS', async () => {
    const { http } = await serve({ http: { hsts_max_age_seconds: 31_536_000 } });
    expect((await http.send('GET', '/health')).headers['strict-transport-security']).toBe(
      'max-age=31536000; includeSubDomains',
    );
  });
});
