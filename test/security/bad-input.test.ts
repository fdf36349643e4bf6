/**
 * Regressions found by the fuzzer (fuzz.test.ts), each pinned down: inputs that made the server answer 500 or
 * answer an error in another shape than `{status, error, message, path}`.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { startHarness, client, bearer, json, errorBodyProblem, STATIC, ACCOUNT_A, type Harness } from './harness.js';
import { MAX_JSON_DEPTH } from '../../src/server/http/json-body.js';

let h: Harness;
let http: ReturnType<typeof client>;
beforeAll(async () => {
  h = await startHarness();
  http = client(h.url);
});
afterAll(async () => {
  await http?.close();
  await h?.close();
});

const admin = bearer(STATIC.admin);
const eventIds = (text: string) =>
  (JSON.parse(text) as { content: Array<{ event_id: string }> }).content.map((v) => v.event_id);

describe('meta filter keys', () => {
  it('match keys holding quotes and backslashes instead of failing with 500 (SQLite JSON path escaping)', async () => {
    const metaInfo = { 'a"b': 'quote', 'k\\': 'backslash', 'x.y': 'dot', 'p[0]': 'bracket' };
    await h.server.store.insertViolations([
      { eventId: 'odd-keys', accountId: ACCOUNT_A, region: 'eu-west-1', type: 'WRONG_AMI', metaInfo },
    ]);
    for (const [key, value] of Object.entries(metaInfo)) {
      const res = await http.send('GET', `/api/violations?meta=${encodeURIComponent(`${key}=${value}`)}`, admin);
      expect([key, res.status, res.status === 200 ? eventIds(res.text) : res.text]).toEqual([key, 200, ['odd-keys']]);
    }
    const miss = await http.send('GET', `/api/violations?meta=${encodeURIComponent('a"b=other')}`, admin);
    expect(eventIds(miss.text)).toEqual([]);
  });
});

describe('deeply nested JSON bodies', () => {
  const violation = (meta: string) =>
    `{"event_id":"deep","account_id":"${ACCOUNT_A}","region":"eu-west-1","violation_type":"WRONG_AMI","meta_info":${meta}}`;

  it(`are refused with 400 beyond ${MAX_JSON_DEPTH} levels instead of overflowing the stack with 500`, async () => {
    const deep = await http.send(
      'POST',
      '/api/violations',
      { ...admin, ...json },
      violation(`${'['.repeat(5000)}${']'.repeat(5000)}`),
    );
    expect([deep.status, JSON.parse(deep.text).message]).toEqual([
      400,
      `body: JSON nested deeper than ${MAX_JSON_DEPTH} levels`,
    ]);
    const rule = await http.send(
      'POST',
      '/api/whitelisting-rules',
      { ...admin, ...json },
      `{"reason":${'['.repeat(200)}${']'.repeat(200)}}`,
    );
    expect(rule.status).toBe(400);
  });

  it('are accepted up to the limit (the body object is level 1)', async () => {
    const depth = MAX_JSON_DEPTH - 1;
    const ok = await http.send(
      'POST',
      '/api/violations',
      { ...admin, ...json },
      violation(`${'['.repeat(depth)}${']'.repeat(depth)}`),
    );
    expect(ok.status).toBe(202);
  });
});

describe('errors met before any route', () => {
  it('answer a bad percent-encoding in the path with the JSON error body', async () => {
    const res = await http.send('GET', '/api/violations/%ZZ', admin);
    expect([res.status, errorBodyProblem(res), JSON.parse(res.text).message]).toEqual([
      400,
      undefined,
      'the path is not a valid URL',
    ]);
  });

  it('answer an overlong path parameter with 414 and the JSON error body', async () => {
    const res = await http.send('GET', `/api/violation-count/${'1'.repeat(500)}`, admin);
    expect([res.status, errorBodyProblem(res)]).toEqual([414, undefined]);
  });
});
