/**
 * Every boundary range-checks what it stores or compares: a date outside the years 0001–9999 (which both `Date`
 * and the four-digit wire format hold) or an integer outside its Java type is a 400 naming the field, never a
 * stored value that breaks every later answer.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { testApp, bearer, TOKENS, draft, ACCOUNT_A, type TestApp } from './helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
  await t.store.insertViolations([draft()]);
});
afterEach(() => t.close());

const admin = bearer(TOKENS.admin);
const get = (url: string) => t.app.inject({ url, headers: admin });
const rules = (method: 'POST' | 'PUT' | 'DELETE', url = '', payload?: object) =>
  t.app.inject({ method, url: `/api/whitelisting-rules${url}`, headers: admin, ...(payload ? { payload } : {}) });
const RANGE = 'is outside the supported range 0001-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z';

describe('whitelisting-rule expiry dates', () => {
  it('refuses an expiry no date can hold, and the rule list keeps answering', async () => {
    for (const expiry of ['99999999999999999', 99999999999999999, '-62135596800001', '0000-12-31T23:59:59.999Z']) {
      const res = await rules('POST', '', { reason: 'r', expiry_date: expiry });
      expect([res.statusCode, res.json().message]).toEqual([400, expect.stringMatching(/^expiry_date: '.*' /)]);
      expect(res.json().message).toContain(RANGE);
    }
    const late = await rules('POST', '', { reason: 'r', expiry_date: '9999-12-31T23:59:59.999-00:01' });
    expect([late.statusCode, late.json().message]).toEqual([
      400,
      `expiry_date: '9999-12-31T23:59:59.999-00:01' ${RANGE}`,
    ]);
    const list = await get('/api/whitelisting-rules');
    expect([list.statusCode, list.json()]).toEqual([200, []]);
  });

  it('stores the extremes of the range and serves them back', async () => {
    const first = await rules('POST', '', { reason: 'r', expiry_date: '0001-01-01T00:00:00Z' });
    expect([first.statusCode, first.json().expiry_date]).toEqual([201, '0001-01-01T00:00:00.000Z']);
    const last = await rules('POST', '', { reason: 'r', expiry_date: 253402300799999 });
    expect([last.statusCode, last.json().expiry_date]).toEqual([201, '9999-12-31T23:59:59.999Z']);
    expect((await get('/api/whitelisting-rules')).statusCode).toBe(200);
  });

  it('reads the years 0001 to 0099 as written, not as 19xx', async () => {
    const res = await rules('POST', '', { reason: 'r', expiry_date: '0050-06-01T12:00:00+02:00' });
    expect(res.json().expiry_date).toBe('0050-06-01T10:00:00.000Z');
  });

  it('refuses a replacement with a bad expiry without expiring the rule it replaces', async () => {
    await rules('POST', '', { reason: 'keep' });
    const res = await rules('PUT', '/1', { reason: 'r', expiry_date: '99999999999999999' });
    expect(res.statusCode).toBe(400);
    expect((await get('/api/whitelisting-rules/1')).json().expiry_date).toBe('9999-01-01T00:00:00.000Z');
  });

  it('range-checks expiryDate of DELETE', async () => {
    await rules('POST', '', { reason: 'r' });
    const res = await rules('DELETE', '/1?expiryDate=0000-01-01T00:00:00Z');
    expect([res.statusCode, res.json().message]).toEqual([400, `expiryDate: '0000-01-01T00:00:00Z' ${RANGE}`]);
  });

  it('refuses a version that does not round-trip', async () => {
    const res = await rules('POST', '', { reason: 'r', version: 1e20 });
    expect([res.statusCode, res.json().message]).toEqual([400, "body field 'version' must be <= 9007199254740990"]);
  });
});

describe('query parameters', () => {
  it('range-checks from and to of the list and the counts', async () => {
    for (const url of ['/api/violations', '/api/violation-count', `/api/violation-count/${ACCOUNT_A}`]) {
      const early = await get(`${url}?from=0000-06-01T00:00:00Z`);
      expect([early.statusCode, early.json().message]).toEqual([400, `from: '0000-06-01T00:00:00Z' ${RANGE}`]);
      const late = await get(`${url}?to=9999-12-31T23:00:00-02:00`);
      expect([late.statusCode, late.json().message]).toEqual([400, `to: '9999-12-31T23:00:00-02:00' ${RANGE}`]);
    }
    const offset = await get('/api/violations?to=2015-01-01T00:00:00%2B99:00');
    expect([offset.statusCode, offset.json().message]).toEqual([
      400,
      "to: not a valid UTC offset (at most ±18:00): '2015-01-01T00:00:00+99:00'",
    ]);
    expect((await get('/api/violations?from=0001-01-01T00:00:00Z')).json().total_elements).toBe(1);
  });

  it('range-checks ids and Java int parameters', async () => {
    const id = await get('/api/violations?last-violation=99999999999999999999');
    expect([id.statusCode, id.json().message]).toEqual([
      400,
      "query parameter 'last-violation' must be <= 9007199254740991",
    ]);
    const severity = await get('/api/violations?severity=2147483648');
    expect([severity.statusCode, severity.json().message]).toEqual([
      400,
      "query parameter 'severity' must be <= 2147483647",
    ]);
    expect((await get('/api/violations?priority=-2147483649')).statusCode).toBe(400);
    expect((await get('/api/violations/99999999999999999999')).json().message).toBe(
      "path parameter 'id' must be <= 9007199254740991",
    );
  });
});

describe('paging as Spring Data reads it', () => {
  const page = async (query: string) => {
    const res = await get(`/api/violations?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    const { size, number, number_of_elements } = res.json();
    return { size, number, number_of_elements };
  };

  it('reads a negative page as 0 and a size below 1 as the default 10', async () => {
    expect(await page('page=-1')).toEqual({ size: 10, number: 0, number_of_elements: 1 });
    expect(await page('size=0')).toEqual({ size: 10, number: 0, number_of_elements: 1 });
    expect(await page('size=-5&page=-3')).toEqual({ size: 10, number: 0, number_of_elements: 1 });
  });

  it('clamps the size to 2000 and reads numbers beyond a Java int as 0', async () => {
    expect(await page('size=5000')).toMatchObject({ size: 2000 });
    expect(await page('page=3000000000')).toEqual({ size: 10, number: 0, number_of_elements: 1 });
    expect(await page('size=3000000000')).toMatchObject({ size: 10 });
  });

  it('still answers 400 for a page or size that is no integer', async () => {
    expect((await get('/api/violations?page=first')).json().message).toBe("query parameter 'page' must be integer");
  });
});

describe('POST /api/violations content types', () => {
  const body = JSON.stringify({
    event_id: 'x',
    account_id: ACCOUNT_A,
    region: 'r',
    violation_type: 'T',
    meta_info: {},
  });

  it('answers 415 with a JSON body for anything but JSON, as the original (consumes application/json)', async () => {
    for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/xml']) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/violations',
        headers: { ...admin, 'content-type': type },
        payload: body,
      });
      expect([res.statusCode, res.json()]).toEqual([
        415,
        {
          status: 415,
          error: 'Unsupported Media Type',
          message: `Content-Type '${type}' is not supported: send application/json`,
          path: '/api/violations',
        },
      ]);
    }
    const json = await t.app.inject({
      method: 'POST',
      url: '/api/violations',
      headers: { ...admin, 'content-type': 'application/json; charset=utf-8' },
      payload: body,
    });
    expect(json.statusCode).toBe(202);
  });

  it('answers 415 for a whitelisting rule sent as text/plain', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/whitelisting-rules',
      headers: { ...admin, 'content-type': 'text/plain' },
      payload: '{"reason":"r"}',
    });
    expect(res.statusCode).toBe(415);
  });
});
