/**
 * Resolution routes: the lean single route (one statement checks the account and updates) and the batch route
 * `POST /api/violations/resolutions`, with static tokens and with token info plus the team service.
 */
import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach, vi } from 'vitest';
import { testApp, bearer, TOKENS, draft, ACCOUNT_A, ACCOUNT_B, type TestApp } from './helpers.js';
import { startPeer, type Peer } from './fake-peers.js';
import { createTeamService } from '../../src/server/auth/team-service.js';
import { MAX_BATCH_RESOLUTION_IDS } from '../../src/shared/resolution-batch.js';

const batch = (t: TestApp, token: string, payload: unknown, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/api/violations/resolutions',
    headers: { ...bearer(token), ...headers },
    payload: payload as object,
  });

describe('resolution routes with static tokens', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await testApp();
    // ids 1, 2 in account A; 3 in account B
    await t.store.insertViolations([draft(), draft({ eventId: 'e2' }), draft({ eventId: 'e3', accountId: ACCOUNT_B })]);
  });
  afterEach(() => t.close());

  it('resolves one violation without reading it first', async () => {
    const read = vi.spyOn(t.store, 'getViolation');
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/violations/1/resolution',
      headers: bearer(TOKENS.alice),
      payload: 'fixed',
    });
    expect([ok.statusCode, ok.json()]).toEqual([200, await t.store.getViolation(1)]);
    expect(ok.json()).toMatchObject({ id: 1, comment: 'fixed', last_modified_by: 'alice', version: 1 });
    expect(read).toHaveBeenCalledTimes(1); // the comparison above, not the route
  });

  it('answers 403 and 404 as before, and changes nothing then', async () => {
    const post = (id: number, token: string) =>
      t.app.inject({ method: 'POST', url: `/api/violations/${id}/resolution`, headers: bearer(token), payload: 'x' });
    const forbidden = await post(3, TOKENS.alice);
    expect([forbidden.statusCode, forbidden.json().message]).toEqual([
      403,
      `alice may not resolve violations of account ${ACCOUNT_B}`,
    ]);
    expect((await post(99, TOKENS.alice)).statusCode).toBe(404);
    expect((await post(99, TOKENS.admin)).statusCode).toBe(404);
    expect((await post(1, TOKENS.reader)).statusCode).toBe(403);
    expect((await t.store.getViolation(3))!.comment).toBeNull();
    expect((await t.store.getViolation(1))!.comment).toBeNull();
  });

  it('resolves a batch: one outcome per id, in order, the account checked per violation', async () => {
    const res = await batch(t, TOKENS.alice, { ids: [3, 1, 99, 2], comment: 'batch ✓' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      results: [
        { id: 3, status: 'forbidden', message: `alice may not resolve violations of account ${ACCOUNT_B}` },
        { id: 1, status: 'resolved' },
        { id: 99, status: 'not_found', message: 'violation 99 not found' },
        { id: 2, status: 'resolved' },
      ],
    });
    expect(await t.store.getViolation(1)).toMatchObject({ comment: 'batch ✓', last_modified_by: 'alice', version: 1 });
    expect((await t.store.getViolation(3))!.comment).toBeNull();
    const admin = await batch(t, TOKENS.admin, { ids: [3, 1], comment: 'again' });
    expect(admin.json()).toEqual({
      results: [
        { id: 3, status: 'resolved' },
        { id: 1, status: 'resolved' },
      ],
    });
    expect(await t.store.getViolation(1)).toMatchObject({ comment: 'again', last_modified_by: 'admin', version: 2 });
    const reader = await batch(t, TOKENS.reader, { ids: [2], comment: 'no' });
    expect(reader.json().results).toEqual([
      { id: 2, status: 'forbidden', message: `reader may not resolve violations of account ${ACCOUNT_A}` },
    ]);
  });

  it('answers an empty list of ids with no outcome and changes nothing (the capability probe)', async () => {
    const res = await batch(t, TOKENS.reader, { ids: [], comment: 'probe' });
    expect([res.statusCode, res.json()]).toEqual([200, { results: [] }]);
    const page = (await t.app.inject({ url: '/api/violations?checked=true', headers: bearer(TOKENS.reader) })).json();
    expect(page.total_elements).toBe(0);
  });

  it('validates the body and answers 400 (415 for a body that is not JSON), changing nothing', async () => {
    const cases: Array<[unknown, Record<string, string>, number, string]> = [
      [{ comment: 'c' }, {}, 400, "body field 'ids' is required"],
      [{ ids: [1] }, {}, 400, "body field 'comment' is required"],
      [{ ids: [1], comment: '  ' }, {}, 400, "body field 'comment' must not be blank"],
      [{ ids: [1], comment: { text: 'c' } }, {}, 400, "body field 'comment' must be string"],
      [{ ids: ['1x'], comment: 'c' }, {}, 400, "body field 'ids.0' must be integer"],
      [{ ids: [-1], comment: 'c' }, {}, 400, "body field 'ids.0' must be >= 0"],
      [{ ids: { 0: 1 }, comment: 'c' }, {}, 400, "body field 'ids' must be array"],
      [
        { ids: [1, 2, 1], comment: 'c' },
        {},
        400,
        "body field 'ids' must NOT have duplicate items (items ## 2 and 0 are identical)",
      ],
      [
        { ids: Array.from({ length: MAX_BATCH_RESOLUTION_IDS + 1 }, (_, i) => i + 1), comment: 'c' },
        {},
        400,
        `body field 'ids' must NOT have more than ${MAX_BATCH_RESOLUTION_IDS} items`,
      ],
      ['{"ids": [1', { 'content-type': 'application/json' }, 400, ''],
      ['ids=1', { 'content-type': 'text/plain' }, 415, ''],
      ['<ids/>', { 'content-type': 'application/xml' }, 415, ''],
    ];
    for (const [payload, headers, status, message] of cases) {
      const res = await batch(t, TOKENS.admin, payload, headers);
      expect({ payload, status: res.statusCode }).toEqual({ payload, status });
      expect(res.json()).toMatchObject({ status, path: '/api/violations/resolutions' });
      if (message !== '') expect(res.json().message).toBe(message);
    }
    const open = (await t.app.inject({ url: '/api/violations', headers: bearer(TOKENS.admin) })).json();
    expect(open.total_elements).toBe(3);
  });

  it('needs a token, and is documented in the OpenAPI document', async () => {
    const anonymous = await t.app.inject({
      method: 'POST',
      url: '/api/violations/resolutions',
      payload: { ids: [1], comment: 'c' },
    });
    expect(anonymous.statusCode).toBe(401);
    const doc = (await t.app.inject({ url: '/api-docs' })).json();
    const operation = doc.paths['/api/violations/resolutions'].post;
    expect(operation.summary).toMatch(/many violations/);
    expect(operation.requestBody.content['application/json'].schema.properties.ids.maxItems).toBe(
      MAX_BATCH_RESOLUTION_IDS,
    );
    expect(Object.keys(operation.responses)).toContain('200');
  });
});

describe('resolution routes with the team service', () => {
  const EMPLOYEE = 'employee-token-0123456789-0123456789';
  const ROBOT = 'robot-token-0123456789-0123456789-01';
  let tokeninfo: Peer;
  let teams: Peer;
  let t: TestApp;
  beforeAll(async () => {
    tokeninfo = await startPeer((_path, authorization) => {
      const token = authorization?.replace(/^Bearer /, '');
      if (token === EMPLOYEE) return { status: 200, body: { uid: 'jdoe', scope: ['uid'], realm: '/employees' } };
      if (token === ROBOT) return { status: 200, body: { uid: 'robot', scope: ['uid'], realm: '/services' } };
      return { status: 401, body: { error: 'invalid_token' } };
    });
    teams = await startPeer((path) => {
      if (path.startsWith('/api/accounts/aws?member=jdoe&role=PowerUser'))
        return { status: 200, body: [{ id: ACCOUNT_A }] };
      if (path.startsWith('/api/accounts/aws?member=robot')) return { status: 503 };
      return { status: 200, body: [] };
    });
    t = await testApp(
      { auth: { tokeninfo_url: `${tokeninfo.url}/oauth2/tokeninfo`, team_service_url: teams.url } },
      { teamService: createTeamService({ url: teams.url }) },
    );
    await t.store.insertViolations([draft(), draft({ eventId: 'e2', accountId: ACCOUNT_B })]);
  });
  afterAll(async () => {
    await t.close();
    await tokeninfo.close();
    await teams.close();
  });

  it('checks each id against the accounts the team service gives', async () => {
    const res = await batch(t, EMPLOYEE, { ids: [1, 2], comment: 'team' });
    expect(res.json().results).toEqual([
      { id: 1, status: 'resolved' },
      { id: 2, status: 'forbidden', message: `jdoe may not resolve violations of account ${ACCOUNT_B}` },
    ]);
  });

  it('answers 503 when the team service fails, but 404 first for an unknown violation, as the original', async () => {
    const failing = await batch(t, ROBOT, { ids: [1], comment: 'x' });
    expect([failing.statusCode, failing.json().message]).toEqual([503, 'Dependency unavailable: team service']);
    const post = (id: number) =>
      t.app.inject({ method: 'POST', url: `/api/violations/${id}/resolution`, headers: bearer(ROBOT), payload: 'x' });
    expect((await post(2)).statusCode).toBe(503);
    expect((await post(99)).statusCode).toBe(404);
  });
});
