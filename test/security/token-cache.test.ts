/**
 * Token info and the team service are asked as rarely as possible: concurrent look-ups of one token share one
 * call, answers are cached, refused tokens and failed team-service look-ups are remembered for
 * `auth.negative_cache_seconds`. A burst of requests with made-up tokens must not become a burst of calls.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { Agent, request } from 'undici';
import { startHarness, bearer, TOKEN_INFO, type Harness } from './harness.js';
import { startPeer } from '../server/fake-peers.js';
import type { ServerConfig } from '../../src/server/config.js';

const running: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const closable of running.splice(0).reverse()) await closable.close();
});

async function serve(config: Partial<ServerConfig> = {}, tokeninfoDelayMs = 100): Promise<Harness> {
  const h = await startHarness({ config, tokeninfoDelayMs });
  running.push(h);
  return h;
}

/** Sends every request at once (one connection each), and resolves with the statuses in order. */
async function burst(url: string, requests: Array<{ path: string; token: string; body?: string }>) {
  const agent = new Agent({ connections: requests.length });
  running.push(agent);
  return Promise.all(
    requests.map(async ({ path, token, body }) => {
      const res = await request(`${url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: bearer(token),
        body,
        dispatcher: agent,
      });
      await res.body.text();
      return res.statusCode;
    }),
  );
}

const unknownTokens = Array.from(
  { length: 50 },
  (_, i) => `unknown-token-${String(i).padStart(2, '0')}-0123456789abcdefgh`,
);
const fiveHundred = Array.from({ length: 500 }, (_, i) => ({
  path: '/api/violation-types',
  token: unknownTokens[i % 50]!,
}));
const tally = (statuses: number[]) =>
  statuses.reduce<Record<number, number>>((t, s) => ({ ...t, [s]: (t[s] ?? 0) + 1 }), {});

describe('token info', () => {
  it('is called once per distinct unknown token for a burst of 500 requests with 50 of them', async () => {
    const h = await serve();
    const statuses = await burst(h.url, fiveHundred);
    const calls = h.tokeninfo.calls.length;
    console.log(
      `token cache: 500 requests, 50 unknown tokens: ${calls} token-info calls; statuses ${JSON.stringify(tally(statuses))}`,
    );
    expect(tally(statuses)).toEqual({ 401: 500 });
    expect(calls).toBe(50);
    // A second burst a moment later is answered from the negative cache.
    await burst(h.url, fiveHundred);
    expect(h.tokeninfo.calls.length).toBe(50);
  });

  it('asks again once a refusal has expired, and every time when the negative cache is off', async () => {
    const h = await serve({ auth: { negative_cache_seconds: 2 } }, 0);
    const wave = unknownTokens.slice(0, 10).map((token) => ({ path: '/api/violations', token }));
    await burst(h.url, wave);
    await burst(h.url, wave);
    expect(h.tokeninfo.calls.length).toBe(10);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await burst(h.url, wave);
    expect(h.tokeninfo.calls.length).toBe(20);

    const uncached = await serve({ auth: { negative_cache_seconds: 0 } }, 0);
    await burst(uncached.url, wave);
    await burst(uncached.url, wave);
    expect(uncached.tokeninfo.calls.length).toBe(20);
  });

  it('shares one look-up between concurrent requests with one valid token, and caches the answer', async () => {
    const h = await serve();
    const requests = Array.from({ length: 300 }, (_, i) => ({
      path: '/api/violations?size=1',
      token: i % 2 === 0 ? TOKEN_INFO.member : TOKEN_INFO.outsider,
    }));
    expect(tally(await burst(h.url, requests))).toEqual({ 200: 300 });
    expect(tally(await burst(h.url, requests.slice(0, 50)))).toEqual({ 200: 50 });
    console.log(`token cache: 350 requests, 2 valid tokens: ${h.tokeninfo.calls.length} token-info calls`);
    expect(h.tokeninfo.calls.length).toBe(2);
  });
});

describe('the team service', () => {
  it('is not called once per request while it fails: the failure is remembered, every caller gets 503', async () => {
    const failing = await startPeer(() => ({ status: 503, body: { error: 'down' } }), { delayMs: 50 });
    running.push(failing);
    const h = await serve({ auth: { team_service_url: failing.url } }, 0);
    const resolutions = Array.from({ length: 100 }, (_, i) => ({
      path: `/api/violations/${(i % 20) + 4}/resolution`,
      token: TOKEN_INFO.member,
      body: 'fixed',
    }));
    // Two bursts, one after the other: the second finds the failure remembered.
    const statuses = [...(await burst(h.url, resolutions)), ...(await burst(h.url, resolutions))];
    console.log(`team service down: 200 resolutions → ${failing.calls.length} team-service calls`);
    expect(tally(statuses)).toEqual({ 503: 200 });
    // One look-up of jdoe's accounts: one call per membership role (PowerUser, Deployer).
    expect(failing.calls.length).toBeLessThanOrEqual(2);
  });
});
