/**
 * Query date-times are cut to the millisecond before comparing, as the original's Joda-Time parser does: the CLI
 * sends microseconds (`%Y-%m-%dT%H:%M:%S.%fZ`), and a violation created in that very millisecond must fall on the
 * same side of each bound as there.
 */
import { describe, it, expect, beforeAll, afterAll, vi } from 'vitest';
import { testApp, bearer, TOKENS, draft, ACCOUNT_A, type TestApp } from './helpers.js';

let t: TestApp;
const T0 = Date.parse('2015-04-14T19:09:01.123Z');

beforeAll(async () => {
  t = await testApp();
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(T0);
  await t.store.insertViolations([draft({ eventId: 'e1' })]);
  vi.useRealTimers();
});
afterAll(() => t.close());

async function get(url: string) {
  const res = await t.app.inject({ url, headers: bearer(TOKENS.reader) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('microsecond date-time parameters', () => {
  it('list: from and to stay strict at the truncated millisecond', async () => {
    expect((await get('/api/violations?to=2015-04-14T19:09:01.123999Z')).total_elements).toBe(0);
    expect((await get('/api/violations?from=2015-04-14T19:09:01.122999Z')).total_elements).toBe(1);
    expect((await get('/api/violations?from=2015-04-14T19:09:01.123001Z')).total_elements).toBe(0);
    expect((await get('/api/violations?to=2015-04-14T21:09:01.124500%2B02:00')).total_elements).toBe(1);
  });

  it('count by account: strict at the truncated millisecond', async () => {
    expect(await get('/api/violation-count?to=2015-04-14T19:09:01.123999Z')).toEqual([]);
    expect(await get('/api/violation-count?from=2015-04-14T19:09:01.122999Z')).toHaveLength(1);
  });

  it('count of one account: inclusive at the truncated millisecond', async () => {
    const one = [{ application: null, version: null, type: 'WRONG_REGION', quantity: 1 }];
    expect(await get(`/api/violation-count/${ACCOUNT_A}?from=2015-04-14T19:09:01.123999Z`)).toEqual(one);
    expect(await get(`/api/violation-count/${ACCOUNT_A}?to=2015-04-14T19:09:01.123001Z`)).toEqual(one);
  });
});
