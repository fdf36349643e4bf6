/** Spring MVC's default trailing-slash match: `/api/violations/` is `/api/violations`, and so on for every route. */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { testApp, bearer, TOKENS, draft, type TestApp } from './helpers.js';

let t: TestApp;

beforeAll(async () => {
  t = await testApp();
  await t.store.insertViolations([draft({ eventId: 'e1' })]);
});
afterAll(() => t.close());

describe('trailing slash', () => {
  it('answers list, one violation, types, counts and rules with a trailing slash as without', async () => {
    for (const path of [
      '/api/violations',
      '/api/violations/1',
      '/api/violation-types',
      '/api/violation-count',
      '/api/whitelisting-rules',
    ]) {
      const plain = await t.app.inject({ url: path, headers: bearer(TOKENS.admin) });
      const slashed = await t.app.inject({ url: `${path}/`, headers: bearer(TOKENS.admin) });
      expect([slashed.statusCode, slashed.json()], path).toEqual([200, plain.json()]);
    }
  });

  it('still needs a token with a trailing slash', async () => {
    expect((await t.app.inject({ url: '/api/violations/' })).statusCode).toBe(401);
  });
});
