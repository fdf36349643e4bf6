/**
 * A whitelisting rule whose image name or JsonPath cannot compile would be stored and silently never match;
 * the API refuses it with 400 instead, on create and on replace.
 */
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { testApp, bearer, TOKENS, ACCOUNT_A, type TestApp } from './helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
});
afterEach(() => t.close());

const admin = bearer(TOKENS.admin);
const rules = (method: 'GET' | 'POST' | 'PUT', url = '', payload?: object) =>
  t.app.inject({ method, url: `/api/whitelisting-rules${url}`, headers: admin, ...(payload ? { payload } : {}) });

describe('meta_info_json_path', () => {
  it.each([
    ['$[?(@.user_name ==', "')' missing for the bracket at character 4"],
    ['$[?(@.user_name ==)]', 'Expected expression after == at character'],
    ["$['user_name'", "']' missing for the bracket at character 2"],
    ['$.[?(@.user_name =~ /ses(/)]', 'regular expression /ses(/: missing closing )'],
    ['$.[?(@.user_name =~ /ses/q)]', "flag 'q' is not supported"],
    ['$[?(process.exit())]', 'functions and methods cannot be called in process.exit()'],
    ['$[?(@.user_name = 1)]', 'compare with =='],
    ['$[?]', 'needs the form ?(…)'],
  ])('refuses %s', async (path, reason) => {
    const res = await rules('POST', '', { reason: 'r', meta_info_json_path: path });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json().message).toMatch(/^meta_info_json_path: not a valid JsonPath \(/);
    expect(res.json().message).toContain(reason);
    expect(res.json().message).toContain(`'${path}'`);
    expect((await rules('GET')).json()).toEqual([]);
  });

  it.each([
    '$.[?(@.user_name =~ /ses\\.ci-master-.+/)]',
    "$[?(@.n > 2 && @.kind == 'a')]",
    '$.user_name',
    '$..ami_name',
    '$[?(@.x == "a]")]',
    '$.[?(@.user =~ /a\\/b/i)]',
  ])('accepts %s', async (path) => {
    const res = await rules('POST', '', { reason: 'r', meta_info_json_path: path });
    expect([res.statusCode, res.json().meta_info_json_path]).toEqual([201, path]);
  });

  it('refuses a broken replacement and keeps the rule it would replace', async () => {
    await rules('POST', '', { reason: 'r', account_id: ACCOUNT_A });
    const res = await rules('PUT', '/1', { reason: 'r', meta_info_json_path: '$[?(@.a ==' });
    expect(res.statusCode).toBe(400);
    expect((await rules('GET')).json()).toEqual([
      expect.objectContaining({ id: 1, expiry_date: '9999-01-01T00:00:00.000Z' }),
    ]);
  });
});

describe('image_name', () => {
  it('refuses a pattern that does not compile, on create and on replace', async () => {
    const created = await rules('POST', '', { reason: 'r', image_name: '(taupage' });
    expect([created.statusCode, created.json().message]).toEqual([
      400,
      "image_name: not a valid regular expression (missing closing ): `(taupage`): '(taupage'",
    ]);
    await rules('POST', '', { reason: 'r', image_name: 'taupage-.*' });
    expect((await rules('PUT', '/1', { reason: 'r', image_name: '[a-' })).statusCode).toBe(400);
    expect((await rules('GET', '/1')).json().expiry_date).toBe('9999-01-01T00:00:00.000Z');
  });
});
