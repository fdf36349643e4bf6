import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { testApp, bearer, TOKENS, draft, ACCOUNT_A, ACCOUNT_B, type TestApp } from './helpers.js';
import { startPeer, type Peer } from './fake-peers.js';
import { createAuthenticator } from '../../src/server/auth/authenticator.js';
import { createTeamService } from '../../src/server/auth/team-service.js';
import { LOCAL_PRINCIPAL } from '../../src/server/auth/principal.js';

const EMPLOYEE = 'employee-token-0123456789-0123456789';
const SERVICE_WITHOUT_UID = 'service-token-0123456789-0123456789';
const WRONG_REALM = 'customer-token-0123456789-0123456789';
const WRITER = 'writer-token-0123456789-0123456789';

describe('auth with static tokens', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp();
    await t.store.insertViolations([draft(), draft({ eventId: 'e2', accountId: ACCOUNT_B })]);
  });
  afterAll(() => t.close());

  it('needs a bearer token on /api/** but not on /health, /api-docs or OPTIONS', async () => {
    const missing = await t.app.inject({ url: '/api/violation-types' });
    expect(missing.statusCode).toBe(401);
    expect(missing.json()).toMatchObject({ status: 401, error: 'Unauthorized', path: '/api/violation-types' });
    expect(missing.headers['www-authenticate']).toContain('Bearer');
    expect(
      (await t.app.inject({ url: '/api/violation-types', headers: { authorization: 'Basic abc' } })).statusCode,
    ).toBe(401);
    expect((await t.app.inject({ url: '/api/violation-types', headers: bearer('wrong') })).json().message).toBe(
      'invalid bearer token',
    );
    expect((await t.app.inject({ url: '/api/violation-types', headers: bearer('None') })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/violation-types', headers: bearer(TOKENS.reader) })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/health' })).json()).toEqual({
      status: 'UP',
      store: { status: 'UP' },
      pending_evaluations: { count: 0, oldest_age_seconds: null },
    });
    expect((await t.app.inject({ url: '/api-docs' })).statusCode).toBe(200);
    const preflight = await t.app.inject({ method: 'OPTIONS', url: '/api/violations/1/resolution' });
    expect(preflight.statusCode).toBe(200);
    // No CORS headers unless cors.allowed_origins is configured (cross-origin.test.ts).
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(missing.headers['access-control-allow-origin']).toBeUndefined();
    // As in the original, where Spring Security answers before the dispatcher looks for a route.
    expect((await t.app.inject({ url: '/api/no-such-resource' })).statusCode).toBe(401);
    const unknown = await t.app.inject({ url: '/api/no-such-resource', headers: bearer(TOKENS.reader) });
    expect([unknown.statusCode, unknown.json().message]).toEqual([404, 'no route for GET /api/no-such-resource']);
    expect((await t.app.inject({ url: '/no-such-page' })).statusCode).toBe(404);
  });

  it('lets a token resolve only its accounts (403 otherwise), and records its uid', async () => {
    const forbidden = await t.app.inject({
      method: 'POST',
      url: '/api/violations/2/resolution',
      headers: bearer(TOKENS.alice),
      payload: 'mine?',
    });
    expect([forbidden.statusCode, forbidden.json().message]).toEqual([
      403,
      `alice may not resolve violations of account ${ACCOUNT_B}`,
    ]);
    const reader = await t.app.inject({
      method: 'POST',
      url: '/api/violations/1/resolution',
      headers: bearer(TOKENS.reader),
      payload: 'x',
    });
    expect(reader.statusCode).toBe(403);
    const ok = await t.app.inject({
      method: 'POST',
      url: '/api/violations/1/resolution',
      headers: bearer(TOKENS.alice),
      payload: 'fixed',
    });
    expect([ok.statusCode, ok.json().last_modified_by, ok.json().comment]).toEqual([200, 'alice', 'fixed']);
    const anyAccount = await t.app.inject({
      method: 'POST',
      url: '/api/violations/2/resolution',
      headers: bearer(TOKENS.admin),
      payload: 'ok',
    });
    expect(anyAccount.statusCode).toBe(200);
  });

  it('needs scope fullstop.violation.write to create violations', async () => {
    const body = {
      event_id: 'x',
      account_id: ACCOUNT_A,
      region: 'eu-west-1',
      violation_type: 'WRONG_AMI',
      meta_info: {},
    };
    const denied = await t.app.inject({
      method: 'POST',
      url: '/api/violations',
      headers: bearer(TOKENS.alice),
      payload: body,
    });
    expect([denied.statusCode, denied.json().message]).toEqual([
      403,
      'creating violations needs scope fullstop.violation.write',
    ]);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/violations', headers: bearer(TOKENS.admin), payload: body }))
        .statusCode,
    ).toBe(202);
  });

  it('needs an allowed team for every whitelisting-rule endpoint', async () => {
    for (const [method, url] of [
      ['GET', '/api/whitelisting-rules'],
      ['GET', '/api/whitelisting-rules/1'],
      ['POST', '/api/whitelisting-rules'],
      ['PUT', '/api/whitelisting-rules/1'],
      ['DELETE', '/api/whitelisting-rules/1'],
    ] as const) {
      const res = await t.app.inject({
        method,
        url,
        headers: bearer(TOKENS.alice),
        payload: method === 'POST' || method === 'PUT' ? { reason: 'r' } : undefined,
      });
      expect([method, url, res.statusCode]).toEqual([method, url, 403]);
    }
    expect((await t.app.inject({ url: '/api/whitelisting-rules', headers: bearer(TOKENS.admin) })).statusCode).toBe(
      200,
    );
  });
});

describe('auth with token info and the team service', () => {
  let tokeninfo: Peer;
  let teams: Peer;
  let t: TestApp;
  beforeAll(async () => {
    tokeninfo = await startPeer((_path, authorization) => {
      const token = authorization?.replace(/^Bearer /, '');
      if (token === EMPLOYEE) return { status: 200, body: { uid: 'jdoe', scope: ['uid'], realm: '/employees' } };
      if (token === WRITER)
        return { status: 200, body: { uid: 'robot', scope: ['uid', 'fullstop.violation.write'], realm: '/services' } };
      if (token === SERVICE_WITHOUT_UID) return { status: 200, body: { uid: '', scope: [], realm: '/services' } };
      if (token === WRONG_REALM) return { status: 200, body: { uid: 'c', scope: ['uid'], realm: '/customers' } };
      return { status: 401, body: { error: 'invalid_token' } };
    });
    teams = await startPeer((path) => {
      if (path.startsWith('/api/accounts/aws?member=jdoe&role=PowerUser'))
        return { status: 200, body: [{ id: ACCOUNT_A, name: 'a', disabled: false }] };
      if (path.startsWith('/api/accounts/aws?member=jdoe&role=Deployer')) return { status: 200, body: [] };
      if (path === '/api/teams?member=jdoe') return { status: 200, body: [{ id: ' stups ' }] };
      if (path.startsWith('/api/accounts/aws?member=robot')) return { status: 503 };
      return { status: 200, body: [] };
    });
    const config = {
      auth: { tokeninfo_url: `${tokeninfo.url}/oauth2/tokeninfo`, team_service_url: teams.url },
      whitelist: { allowed_teams: ['stups'] },
    };
    t = await testApp(config, { teamService: createTeamService({ url: teams.url }) });
    await t.store.insertViolations([draft(), draft({ eventId: 'e2', accountId: ACCOUNT_B })]);
  });
  afterAll(async () => {
    await t.close();
    await tokeninfo.close();
    await teams.close();
  });

  it('validates tokens at the token-info endpoint and caches the answer', async () => {
    const before = tokeninfo.calls.length;
    expect((await t.app.inject({ url: '/api/violation-types', headers: bearer(EMPLOYEE) })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/violation-types', headers: bearer(EMPLOYEE) })).statusCode).toBe(200);
    expect(tokeninfo.calls.length - before).toBe(1);
    expect(
      (await t.app.inject({ url: '/api/violation-types', headers: bearer('unknown-token-0123456789-0123456789') }))
        .statusCode,
    ).toBe(401);
    expect((await t.app.inject({ url: '/api/violation-types', headers: bearer('short') })).statusCode).toBe(401);
    expect((await t.app.inject({ url: '/api/violation-types', headers: bearer(WRONG_REALM) })).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/api/violation-types', headers: bearer(SERVICE_WITHOUT_UID) })).statusCode).toBe(
      403,
    );
  });

  it('asks the team service which accounts a user may resolve and which teams they are in', async () => {
    const mine = await t.app.inject({
      method: 'POST',
      url: '/api/violations/1/resolution',
      headers: bearer(EMPLOYEE),
      payload: 'ok',
    });
    expect([mine.statusCode, mine.json().last_modified_by]).toEqual([200, 'jdoe']);
    const other = await t.app.inject({
      method: 'POST',
      url: '/api/violations/2/resolution',
      headers: bearer(EMPLOYEE),
      payload: 'no',
    });
    expect(other.statusCode).toBe(403);
    expect((await t.app.inject({ url: '/api/whitelisting-rules', headers: bearer(EMPLOYEE) })).statusCode).toBe(200);
    expect(teams.calls.filter((c) => c.startsWith('/api/accounts/aws?member=jdoe'))).toHaveLength(2);
  });

  it('answers 503 when the team service fails, and lets scoped services post violations', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/violations/2/resolution',
      headers: bearer(WRITER),
      payload: 'x',
    });
    expect([res.statusCode, res.json().message]).toEqual([503, 'Dependency unavailable: team service']);
    const body = {
      event_id: 'w',
      account_id: ACCOUNT_A,
      region: 'eu-west-1',
      violation_type: 'WRONG_AMI',
      meta_info: null,
    };
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/violations', headers: bearer(WRITER), payload: body }))
        .statusCode,
    ).toBe(202);
    expect(
      (await t.app.inject({ method: 'POST', url: '/api/violations', headers: bearer(EMPLOYEE), payload: body }))
        .statusCode,
    ).toBe(403);
  });

  it('answers 503 when token info is unreachable', async () => {
    const auth = createAuthenticator({ tokeninfoUrl: 'http://127.0.0.1:1/tokeninfo' });
    await expect(auth(`Bearer ${EMPLOYEE}`)).rejects.toMatchObject({ statusCode: 503 });
  });
});

describe('static token comparison', () => {
  it('finds the matching entry whatever the order, and not prefixes or extensions', async () => {
    const auth = createAuthenticator({
      tokens: [
        { token: 'aaaa', uid: 'a' },
        { token: 'bbbb', uid: 'b', accounts: '*' },
      ],
    });
    expect((await auth('Bearer bbbb')).uid).toBe('b');
    expect((await auth('bearer aaaa')).uid).toBe('a');
    await expect(auth('Bearer aaa')).rejects.toMatchObject({ statusCode: 401 });
    await expect(auth('Bearer aaaaa')).rejects.toMatchObject({ statusCode: 401 });
    expect(LOCAL_PRINCIPAL.uid).toBe('local');
  });
});
