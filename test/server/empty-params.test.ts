/** Spring binds an empty query value as an absent parameter (its default or null); the server answers the same. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { testApp, bearer, TOKENS, draft, ACCOUNT_B, type TestApp } from './helpers.js';

let t: TestApp;

beforeAll(async () => {
  t = await testApp();
  await t.store.insertViolations([
    draft({ eventId: 'e1' }),
    draft({ eventId: 'e2', accountId: ACCOUNT_B }),
    draft({ eventId: 'e3' }),
  ]);
  await t.store.resolveViolation(3, 'done', 'alice', '*');
});
afterAll(() => t.close());

async function get(url: string, token: string = TOKENS.reader) {
  const res = await t.app.inject({ url, headers: bearer(token) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('empty query values', () => {
  it('list violations with every scalar parameter empty answers like no parameters (open, page 0, size 10)', async () => {
    const empty = await get(
      '/api/violations?checked=&whitelisted=&severity=&min-severity=&priority=&audit-relevant=&last-violation=&from=&to=&page=&size=&sort=&type=&accounts=',
    );
    expect(empty).toEqual(await get('/api/violations'));
    expect(empty).toMatchObject({ size: 10, number: 0, total_elements: 2 });
  });

  it('counts with empty resolved, whitelisted, from and to answer like no parameters', async () => {
    const all = await get('/api/violation-count?resolved=&whitelisted=&from=&to=');
    expect(all).toEqual(await get('/api/violation-count'));
    expect(all).toHaveLength(2);
    expect(await get('/api/violation-count/111111111111?resolved=&from=&to=')).toEqual(
      await get('/api/violation-count/111111111111'),
    );
  });

  it('DELETE a rule with an empty expiryDate uses the default (in one minute): 204', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/whitelisting-rules',
      headers: bearer(TOKENS.admin),
      payload: { reason: 'r', violation_type: 'WRONG_REGION' },
    });
    expect(created.statusCode, created.body).toBe(201);
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/whitelisting-rules/${created.json().id}?expiryDate=`,
      headers: bearer(TOKENS.admin),
    });
    expect(res.statusCode, res.body).toBe(204);
  });

  it('a blank value that is not empty is still checked', async () => {
    const res = await t.app.inject({ url: '/api/violations?checked=maybe', headers: bearer(TOKENS.reader) });
    expect(res.statusCode).toBe(400);
  });
});
