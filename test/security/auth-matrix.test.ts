/**
 * The auth matrix: every endpoint against every kind of caller (no token, a malformed header, unknown and
 * expired tokens, tokens without the needed scope or realm, tokens of another account or team, and the callers
 * that are allowed). Static tokens and a real local token-info and team-service peer. Only the allowed
 * combinations succeed, and a refused write leaves no trace in the store.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import {
  startHarness,
  client,
  errorBodyProblem,
  STATIC,
  TOKEN_INFO,
  ACCOUNT_A,
  ACCOUNT_B,
  type Harness,
} from './harness.js';

type Need = 'public' | 'read' | 'resolve-A' | 'resolve-B' | 'write' | 'rules';

interface Caller {
  name: string;
  authorization: string | undefined;
  /** What this caller may do; refused callers get `status` instead. */
  may: ReadonlySet<Need>;
  /** The answer to anything it may not do (beyond public endpoints). */
  status: 401 | 403;
}

/** A caller refused everywhere but on the public endpoints. */
const refused = (name: string, authorization: string | undefined, status: 401 | 403): Caller => ({
  name,
  authorization,
  may: new Set(['public']),
  status,
});
/** An authenticated caller: reads, plus what `needs` lists; 403 for the rest. */
const reader = (name: string, token: string, ...needs: Need[]): Caller => ({
  name,
  authorization: `Bearer ${token}`,
  may: new Set(['public', 'read', ...needs]),
  status: 403,
});

const CALLERS: Caller[] = [
  refused('no token', undefined, 401),
  refused('Basic credentials', 'Basic YWRtaW46YWRtaW4=', 401),
  refused('Bearer without token', 'Bearer', 401),
  refused('Bearer None', 'Bearer None', 401),
  refused('other scheme', `Token ${STATIC.admin}`, 401),
  refused('admin token with trailing junk', `Bearer ${STATIC.admin}x`, 401),
  refused('short unknown token', 'Bearer not-a-token', 401),
  refused('unknown token', 'Bearer unknown-token-0123456789-0123456789', 401),
  refused('expired token', `Bearer ${TOKEN_INFO.expired}`, 401),
  refused('token without scope uid', `Bearer ${TOKEN_INFO.noUid}`, 403),
  refused('token of another realm', `Bearer ${TOKEN_INFO.wrongRealm}`, 403),
  reader('static: account A, team other', STATIC.alice, 'resolve-A'),
  reader('static: write scope only', STATIC.writer, 'write'),
  reader('token info: account A, team stups', TOKEN_INFO.member, 'resolve-A', 'rules'),
  reader('token info: account B, team other', TOKEN_INFO.outsider, 'resolve-B'),
  reader('token info: service with write scope', TOKEN_INFO.robot, 'write'),
  reader('static admin', STATIC.admin, 'resolve-A', 'resolve-B', 'write', 'rules'),
];

let h: Harness;
let http: ReturnType<typeof client>;
/** Ids of one seeded violation per account. */
let violationOf: Record<string, number>;

interface Endpoint {
  method: string;
  /**
   * The batch resolution: any authenticated caller gets 200 with one outcome per id, `resolved` for the accounts
   * it may resolve and `forbidden` for the others (its body holds ids of both accounts).
   */
  batch?: true;
  /** Built per request: rule endpoints get a fresh rule, so that every allowed call can succeed. */
  path: () => Promise<string>;
  need: Need;
  body?: () => string;
  type?: string;
  success: number;
}

async function freshRule(): Promise<number> {
  return (await h.server.store.createWhitelistingRule({ reason: 'matrix', region: 'matrix-region' }, 'seed')).id;
}

let eventCounter = 0;
const ENDPOINTS: Endpoint[] = [
  { method: 'GET', path: async () => '/health', need: 'public', success: 200 },
  { method: 'GET', path: async () => '/api-docs', need: 'public', success: 200 },
  { method: 'GET', path: async () => '/api/violations?accounts=111111111111&size=5', need: 'read', success: 200 },
  { method: 'GET', path: async () => `/api/violations/${violationOf[ACCOUNT_B]}`, need: 'read', success: 200 },
  { method: 'GET', path: async () => '/api/violation-types', need: 'read', success: 200 },
  { method: 'GET', path: async () => '/api/violation-count', need: 'read', success: 200 },
  { method: 'GET', path: async () => `/api/violation-count/${ACCOUNT_A}`, need: 'read', success: 200 },
  { method: 'GET', path: async () => '/api/ingest/failures', need: 'read', success: 200 },
  {
    method: 'POST',
    path: async () => `/api/violations/${violationOf[ACCOUNT_A]}/resolution`,
    need: 'resolve-A',
    body: () => 'matrix comment',
    type: 'text/plain',
    success: 200,
  },
  {
    method: 'POST',
    path: async () => `/api/violations/${violationOf[ACCOUNT_B]}/resolution`,
    need: 'resolve-B',
    body: () => 'matrix comment',
    type: 'text/plain',
    success: 200,
  },
  {
    method: 'POST',
    path: async () => '/api/violations/resolutions',
    need: 'read',
    batch: true,
    body: () =>
      JSON.stringify({ ids: [violationOf[ACCOUNT_A], violationOf[ACCOUNT_B]], comment: `batch ${eventCounter++}` }),
    type: 'application/json',
    success: 200,
  },
  {
    method: 'POST',
    path: async () => '/api/violations',
    need: 'write',
    body: () =>
      JSON.stringify({
        event_id: `matrix-${eventCounter++}`,
        account_id: ACCOUNT_A,
        region: 'eu-west-1',
        violation_type: 'WRONG_AMI',
        meta_info: {},
      }),
    type: 'application/json',
    success: 202,
  },
  { method: 'GET', path: async () => '/api/whitelisting-rules', need: 'rules', success: 200 },
  {
    method: 'POST',
    path: async () => '/api/whitelisting-rules',
    need: 'rules',
    body: () => '{"reason":"matrix rule","region":"matrix-region"}',
    type: 'application/json',
    success: 201,
  },
  { method: 'GET', path: async () => `/api/whitelisting-rules/${await freshRule()}`, need: 'rules', success: 200 },
  {
    method: 'PUT',
    path: async () => `/api/whitelisting-rules/${await freshRule()}`,
    need: 'rules',
    body: () => '{"reason":"replaced","region":"matrix-region"}',
    type: 'application/json',
    success: 200,
  },
  { method: 'DELETE', path: async () => `/api/whitelisting-rules/${await freshRule()}`, need: 'rules', success: 204 },
];

beforeAll(async () => {
  h = await startHarness();
  http = client(h.url);
  const { content } = await h.server.store.listViolations(
    { createdBefore: Date.now() + 1000 },
    { page: 0, size: 100, sort: [{ property: 'id', direction: 'ASC' }] },
  );
  violationOf = {
    [ACCOUNT_A]: content.find((v) => v.account_id === ACCOUNT_A)!.id,
    [ACCOUNT_B]: content.find((v) => v.account_id === ACCOUNT_B)!.id,
  };
});
afterAll(async () => {
  await http?.close();
  await h?.close();
});

/** What a write could change: the rules, the number of violations, the comments of the two targets. */
async function snapshot(): Promise<string> {
  const { store } = h.server;
  const rules = await store.listWhitelistingRules();
  const { total } = await store.listViolations(
    { createdBefore: Date.now() + 1000, checked: false },
    { page: 0, size: 1, sort: [] },
  );
  const comments = await Promise.all(
    Object.values(violationOf).map(async (id) => (await store.getViolation(id))?.comment),
  );
  return JSON.stringify({ rules: rules.map((r) => [r.id, r.expiry_date, r.last_modified_by]), total, comments });
}

/**
 * A batch resolution by an authenticated caller resolved exactly the ids of the accounts it may resolve: their
 * comment is the request's, the others are as they were.
 */
async function expectBatchOutcomes(
  cell: string,
  caller: Caller,
  text: string,
  request: { comment: string },
  before: string,
): Promise<void> {
  const { results } = JSON.parse(text) as { results: Array<{ id: number; status: string }> };
  const comments = (JSON.parse(before) as { comments: Array<string | null> }).comments;
  const accounts = [ACCOUNT_A, ACCOUNT_B];
  const expected = accounts.map((account) => ({
    id: violationOf[account],
    status: caller.may.has(account === ACCOUNT_A ? 'resolve-A' : 'resolve-B') ? 'resolved' : 'forbidden',
  }));
  expect([cell, results.map(({ id, status }) => ({ id, status }))]).toEqual([cell, expected]);
  for (const [i, account] of accounts.entries()) {
    const stored = (await h.server.store.getViolation(violationOf[account]!))?.comment;
    expect([cell, account, stored]).toEqual([
      cell,
      account,
      expected[i]!.status === 'resolved' ? request.comment : comments[i],
    ]);
  }
}

describe('auth matrix', () => {
  it(`lets only the allowed callers through, on every endpoint (${ENDPOINTS.length} endpoints × ${CALLERS.length} callers)`, async () => {
    const cells: string[] = [];
    let allowed = 0;
    for (const endpoint of ENDPOINTS) {
      for (const caller of CALLERS) {
        const path = await endpoint.path();
        const headers: Record<string, string> = {
          ...(caller.authorization === undefined ? {} : { authorization: caller.authorization }),
          ...(endpoint.type === undefined ? {} : { 'content-type': endpoint.type }),
        };
        const mayDo = caller.may.has(endpoint.need);
        const before = mayDo && !endpoint.batch ? '' : await snapshot();
        const body = endpoint.body?.();
        const res = await http.send(endpoint.method, path, headers, body);
        const expected = mayDo ? endpoint.success : caller.status;
        const cell = `${endpoint.method} ${path} as ${caller.name}`;
        cells.push(`${cell}: ${res.status}`);
        expect([cell, res.status]).toEqual([cell, expected]);
        if (mayDo && endpoint.batch) {
          allowed++;
          await expectBatchOutcomes(cell, caller, res.text, JSON.parse(body!) as { comment: string }, before);
          continue;
        }
        if (mayDo) {
          allowed++;
          continue;
        }
        expect([cell, errorBodyProblem(res)]).toEqual([cell, undefined]);
        if (res.status === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="fullstop"/);
        expect([cell, await snapshot()]).toEqual([cell, before]);
      }
    }
    console.log(`auth matrix: ${cells.length} combinations, ${allowed} allowed, ${cells.length - allowed} refused`);
  });

  it('records who resolved (one by one and in a batch) and who created a rule', async () => {
    const res = await http.send(
      'POST',
      `/api/violations/${violationOf[ACCOUNT_A]}/resolution`,
      { authorization: `Bearer ${TOKEN_INFO.member}` },
      'by jdoe',
    );
    expect(JSON.parse(res.text)).toMatchObject({ comment: 'by jdoe', last_modified_by: 'jdoe' });
    const rule = await http.send(
      'POST',
      '/api/whitelisting-rules',
      { authorization: `Bearer ${TOKEN_INFO.member}`, 'content-type': 'application/json' },
      '{"reason":"r","region":"x"}',
    );
    expect(JSON.parse(rule.text)).toMatchObject({ created_by: 'jdoe' });
    const batch = await http.send(
      'POST',
      '/api/violations/resolutions',
      { authorization: `Bearer ${TOKEN_INFO.member}`, 'content-type': 'application/json' },
      JSON.stringify({ ids: [violationOf[ACCOUNT_A]], comment: 'batch by jdoe' }),
    );
    expect(batch.status).toBe(200);
    expect(await h.server.store.getViolation(violationOf[ACCOUNT_A]!)).toMatchObject({
      comment: 'batch by jdoe',
      last_modified_by: 'jdoe',
    });
  });
});
