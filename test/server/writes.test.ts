import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { testApp, bearer, TOKENS, draft, ACCOUNT_A, type TestApp } from './helpers.js';

let t: TestApp;
beforeEach(async () => {
  t = await testApp();
  await t.store.insertViolations([draft()]);
});
afterEach(() => t.close());

const admin = bearer(TOKENS.admin);
const resolve = (payload: string, headers: Record<string, string> = {}, id = 1) =>
  t.app.inject({ method: 'POST', url: `/api/violations/${id}/resolution`, headers: { ...admin, ...headers }, payload });

describe('POST /api/violations/{id}/resolution', () => {
  it('takes the raw body of any content type as the comment, and may overwrite it', async () => {
    expect((await resolve('plain', { 'content-type': 'text/plain' })).json()).toMatchObject({
      comment: 'plain',
      version: 1,
      last_modified_by: 'admin',
    });
    expect((await resolve('"quoted"', { 'content-type': 'application/json' })).json().comment).toBe('"quoted"');
    expect((await resolve('a=b&c', { 'content-type': 'application/x-www-form-urlencoded' })).json().comment).toBe(
      'a=b&c',
    );
    expect((await resolve('<x/>', { 'content-type': 'application/xml; charset=utf-8' })).json().comment).toBe('<x/>');
    expect((await resolve('ünïcödé ✓')).json().comment).toBe('ünïcödé ✓');
  });

  it('takes a body without any Content-Type, as Python requests sends data=comment', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const answer = await new Promise<{ status: number; body: string }>((done, fail) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/violations/1/resolution',
          headers: { ...admin, 'content-length': '7' },
        },
        (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => done({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', fail);
      req.end('no type');
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).comment).toBe('no type');
  });

  it('answers 400 for an empty body, 404 for a missing violation', async () => {
    const empty = await resolve('');
    expect([empty.statusCode, empty.json().message]).toEqual([
      400,
      'body: the comment (the raw request body) must not be empty',
    ]);
    expect((await resolve('   ', { 'content-type': 'text/plain' })).statusCode).toBe(400);
    const missing = await resolve('x', {}, 99);
    expect([missing.statusCode, missing.json()]).toEqual([
      404,
      { status: 404, error: 'Not Found', message: 'violation 99 not found', path: '/api/violations/99/resolution' },
    ]);
  });
});

describe('POST /api/violations', () => {
  const body = (over: Record<string, unknown> = {}) => ({
    event_id: 'ext-1',
    account_id: ACCOUNT_A,
    region: 'eu-west-1',
    violation_type: 'SOMETHING_NEW',
    meta_info: { a: 1 },
    instance_id: 'i-7',
    username: 'arn:aws:iam::1:user/x',
    application_id: 'app',
    application_version: '2.0',
    unknown_field: true,
    ...over,
  });
  const post = (payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/api/violations',
      headers: { ...admin, ...headers },
      payload: payload as object,
    });

  it('stores the violation once, creating its unknown type, and answers 202 with no body', async () => {
    const res = await post(body());
    expect([res.statusCode, res.body]).toEqual([202, '']);
    expect((await post(body())).statusCode).toBe(202);
    const page = (await t.app.inject({ url: '/api/violations?types=SOMETHING_NEW', headers: admin })).json();
    expect(page.total_elements).toBe(1);
    expect(page.content[0]).toMatchObject({
      event_id: 'ext-1',
      meta_info: { a: 1 },
      username: 'arn:aws:iam::1:user/x',
      application_id: 'app',
      application_version_id: '2.0',
      plugin_fully_qualified_class_name: null,
      violation_type: { id: 'SOMETHING_NEW', violation_severity: 0, title: null, priority: null },
    });
  });

  it('validates the body and answers 400 naming the field', async () => {
    expect((await post({ ...body(), event_id: undefined })).json().message).toBe("body field 'event_id' is required");
    expect((await post(body({ region: { nested: true } }))).json().message).toBe("body field 'region' must be string");
    const bad = await post('{not json', { 'content-type': 'application/json' });
    expect([bad.statusCode, bad.json().status, bad.json().path]).toEqual([400, 400, '/api/violations']);
    expect((await post('x', { 'content-type': 'application/xml' })).statusCode).toBe(415);
  });

  it('whitelists a new violation when a rule matches', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/api/whitelisting-rules',
      headers: admin,
      payload: { reason: 'ci', meta_info_json_path: '$.[?(@.a == 1)]' },
    });
    await post(body({ event_id: 'ext-2' }));
    const page = (await t.app.inject({ url: '/api/violations?whitelisted=true', headers: admin })).json();
    expect(page.content.map((v: { event_id: string; comment: string }) => [v.event_id, v.comment])).toEqual([
      ['ext-2', 'Whitelisted automatically because of:ci'],
    ]);
  });
});

describe('/api/whitelisting-rules', () => {
  const rules = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url = '', payload?: object) =>
    t.app.inject({ method, url: `/api/whitelisting-rules${url}`, headers: admin, ...(payload ? { payload } : {}) });

  it('creates with 201, defaults the expiry, and maps violation_type to violation_type_entity_id', async () => {
    const res = await rules('POST', '', {
      reason: 'dr region',
      region: 'us-west-2',
      violation_type: 'WRONG_REGION',
      violation_type_entity_id: 'IGNORED',
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      id: 1,
      reason: 'dr region',
      region: 'us-west-2',
      violation_type_entity_id: 'WRONG_REGION',
      expiry_date: '9999-01-01T00:00:00.000Z',
      created_by: 'admin',
      version: 0,
    });
    expect((await rules('POST', '', { reason: 'x', expiry_date: '2030-01-01T00:00:00Z' })).json().expiry_date).toBe(
      '2030-01-01T00:00:00.000Z',
    );
    expect((await rules('POST', '', { reason: 'x', expiry_date: 1893456000000 })).json().expiry_date).toBe(
      '2030-01-01T00:00:00.000Z',
    );
    expect((await rules('GET')).json()).toHaveLength(3);
    expect((await rules('GET', '/1')).json().reason).toBe('dr region');
    expect((await rules('GET', '/42')).statusCode).toBe(404);
  });

  it('answers 400 for a missing reason, an unknown type, a bad regex or a bad date', async () => {
    expect((await rules('POST', '', { region: 'x' })).json().message).toBe("body field 'reason' is required");
    expect((await rules('POST', '', { reason: 'r', violation_type: 'NOPE' })).json().message).toBe(
      "violation_type: unknown violation type 'NOPE'",
    );
    expect((await rules('POST', '', { reason: 'r', image_name: '(' })).json().message).toBe(
      "image_name: not a valid regular expression (missing closing ): `(`): '('",
    );
    expect((await rules('POST', '', { reason: 'r', expiry_date: 'soon' })).statusCode).toBe(400);
  });

  it('PUT expires the rule and returns its replacement; DELETE moves a future expiry', async () => {
    await rules('POST', '', { reason: 'first' });
    const replaced = await rules('PUT', '/1', { reason: 'second' });
    expect([replaced.statusCode, replaced.json().id, replaced.json().reason]).toEqual([200, 2, 'second']);
    expect(Date.parse((await rules('GET', '/1')).json().expiry_date)).toBeLessThanOrEqual(Date.now());
    expect((await rules('PUT', '/9', { reason: 'x' })).statusCode).toBe(404);
    const inPast = await rules('DELETE', '/1');
    expect([inPast.statusCode, inPast.json().message]).toEqual([
      404,
      expect.stringMatching(/^Expiry dates lie in the past/),
    ]);
    expect((await rules('DELETE', '/2?expiryDate=2001-01-01T00:00:00Z')).statusCode).toBe(404);
    const deleted = await rules('DELETE', '/2');
    expect([deleted.statusCode, deleted.body]).toEqual([204, '']);
    const expiry = Date.parse((await rules('GET', '/2')).json().expiry_date);
    expect(expiry).toBeGreaterThan(Date.now() + 50_000);
    expect(expiry).toBeLessThanOrEqual(Date.now() + 60_000);
    expect((await rules('DELETE', '/9')).statusCode).toBe(404);
    expect((await rules('DELETE', '/2?expiryDate=later')).statusCode).toBe(400);
  });
});

describe('GET /api/ingest/failures', () => {
  it('lists files that failed to ingest', async () => {
    await t.store.recordIngestFailure({
      source: 's3://b/p',
      key: 'k.json.gz',
      fingerprint: 'etag',
      reason: 'not gzip',
    });
    const res = await t.app.inject({ url: '/api/ingest/failures', headers: admin });
    expect(res.json()).toEqual([
      {
        source: 's3://b/p',
        key: 'k.json.gz',
        fingerprint: 'etag',
        reason: 'not gzip',
        at: expect.stringMatching(/Z$/),
      },
    ]);
    expect((await t.app.inject({ url: '/api/ingest/failures' })).statusCode).toBe(401);
  });
});

describe('errors and documentation', () => {
  it('answers unknown routes and server errors in the JSON error shape, hiding 5xx details', async () => {
    const missing = await t.app.inject({ url: '/nothing-here?x=1' });
    expect(missing.json()).toEqual({
      status: 404,
      error: 'Not Found',
      message: 'no route for GET /nothing-here',
      path: '/nothing-here',
    });
    await t.store.close();
    const broken = await t.app.inject({ url: '/api/violations', headers: admin });
    expect(broken.json()).toEqual({
      status: 500,
      error: 'Internal Server Error',
      message: 'Internal Server Error',
      path: '/api/violations',
    });
  });

  it('serves an OpenAPI document of the /api routes', async () => {
    const doc = (await t.app.inject({ url: '/api-docs' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/violations',
        '/api/violations/{id}/resolution',
        '/api/whitelisting-rules/{id}',
        '/api/violation-count/{account}',
      ]),
    );
    expect(doc.components.schemas.Violation).toBeDefined();
  });
});
