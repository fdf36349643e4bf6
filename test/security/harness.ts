/**
 * The server the security suites attack: the real `startServer` listening on a random port, over a SQLite file
 * seeded with violations (open, resolved, whitelisted) and rules, with static tokens and real local token-info
 * and team-service peers (small HTTP servers), so that every auth path is the one production takes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyServerOptions } from 'fastify';
import { request as undiciRequest, Agent } from 'undici';
import { startServer, type RunningServer } from '../../src/server/main.js';
import type { ServerConfig } from '../../src/server/config.js';
import type { ViolationDraft } from '../../src/server/model.js';
import { startPeer, type Peer } from '../server/fake-peers.js';

export const ACCOUNT_A = '111111111111';
export const ACCOUNT_B = '222222222222';

/** Static tokens of the config. */
export const STATIC = {
  /** every account, team stups, scopes uid and fullstop.violation.write */
  admin: 'static-admin-secret-0001',
  /** account A, team other */
  alice: 'static-alice-secret-0002',
  /** scope fullstop.violation.write, no account, no team */
  writer: 'static-writer-secret-0003',
} as const;

/** Tokens the token-info peer knows (at least 30 characters, or the server refuses them unasked). */
export const TOKEN_INFO = {
  /** jdoe, /employees: the team service puts them in account A and team stups */
  member: 'tokeninfo-member-secret-0123456789',
  /** mallory, /employees: account B, team other */
  outsider: 'tokeninfo-outsider-secret-01234567',
  /** robot, /services, scopes uid and fullstop.violation.write; no account, no team */
  robot: 'tokeninfo-robot-secret-0123456789ab',
  /** a token without uid and without scope uid */
  noUid: 'tokeninfo-no-uid-secret-0123456789',
  /** realm /customers */
  wrongRealm: 'tokeninfo-customer-secret-01234567',
  /** token info answers 400 invalid_token, as for an expired token */
  expired: 'tokeninfo-expired-secret-012345678',
  /** token info fails (500) for this one */
  failing: 'tokeninfo-failing-secret-012345678',
  /** valid (uid broken, /employees), but the team service fails (500) for this user */
  broken: 'tokeninfo-broken-secret-0123456789',
} as const;

const TOKEN_INFO_ANSWERS: Record<string, { status: number; body: unknown }> = {
  [TOKEN_INFO.member]: { status: 200, body: { uid: 'jdoe', scope: ['uid'], realm: '/employees' } },
  [TOKEN_INFO.outsider]: { status: 200, body: { uid: 'mallory', scope: ['uid'], realm: '/employees' } },
  [TOKEN_INFO.robot]: {
    status: 200,
    body: { uid: 'robot', scope: ['uid', 'fullstop.violation.write'], realm: '/services' },
  },
  [TOKEN_INFO.noUid]: { status: 200, body: { uid: '', scope: [], realm: '/services' } },
  [TOKEN_INFO.wrongRealm]: { status: 200, body: { uid: 'cust', scope: ['uid'], realm: '/customers' } },
  [TOKEN_INFO.failing]: { status: 500, body: { error: 'internal' } },
  [TOKEN_INFO.broken]: { status: 200, body: { uid: 'broken', scope: ['uid'], realm: '/employees' } },
  [TOKEN_INFO.expired]: {
    status: 400,
    body: { error: 'invalid_token', error_description: 'Access Token not valid' },
  },
};

const MEMBERSHIP: Record<string, { accounts: string[]; teams: string[] }> = {
  jdoe: { accounts: [ACCOUNT_A], teams: ['stups'] },
  mallory: { accounts: [ACCOUNT_B], teams: ['other'] },
};

function tokenInfoAnswer(_path: string, authorization: string | undefined) {
  const token = authorization?.replace(/^Bearer /, '') ?? '';
  return TOKEN_INFO_ANSWERS[token] ?? { status: 401, body: { error: 'invalid_token' } };
}

function teamServiceAnswer(path: string) {
  const url = new URL(path, 'http://peer');
  if (url.searchParams.get('member') === 'broken') return { status: 500, body: { error: 'internal' } };
  const member = MEMBERSHIP[url.searchParams.get('member') ?? ''];
  if (url.pathname === '/api/accounts/aws')
    return {
      status: 200,
      body: url.searchParams.get('role') === 'PowerUser' ? (member?.accounts ?? []).map((id) => ({ id })) : [],
    };
  if (url.pathname === '/api/teams') return { status: 200, body: (member?.teams ?? []).map((id) => ({ id })) };
  return { status: 404, body: {} };
}

export interface Harness {
  url: string;
  server: RunningServer;
  dbPath: string;
  tokeninfo: Peer;
  teams: Peer;
  /** Violations and rules the seed created. */
  seeded: { violations: number; rules: number };
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Merged over the default config (auth and whitelist). */
  config?: Partial<ServerConfig>;
  logger?: FastifyServerOptions['logger'];
  /** Holds back every token-info answer, so that concurrent look-ups overlap. */
  tokeninfoDelayMs?: number;
}

export function drafts(): ViolationDraft[] {
  const types = ['WRONG_REGION', 'EC2_WITH_KEYPAIR', 'WRONG_AMI'];
  return Array.from({ length: 24 }, (_, i) => ({
    eventId: `seed-${i}`,
    accountId: i % 2 === 0 ? ACCOUNT_A : ACCOUNT_B,
    // Account B's WRONG_AMI violations in us-east-1 (5, 11, 17, 23) fall under the first seeded rule.
    region: i % 6 === 0 || i % 6 === 5 ? 'us-east-1' : 'eu-west-1',
    type: types[i % 3]!,
    instanceId: `i-${i}`,
    metaInfo: { ami_name: `seed-ami-${i}`, user_name: `user-${i % 4}`, nested: { level: i } },
    username: `arn:aws:iam::${ACCOUNT_A}:user/u${i}`,
    applicationId: i % 4 === 0 ? 'app-a' : 'app-b',
    applicationVersion: i % 5 === 0 ? '1.0' : '2.0',
  }));
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'fullstop-security-'));
  const tokeninfo = await startPeer(tokenInfoAnswer, { delayMs: options.tokeninfoDelayMs ?? 0 });
  const teams = await startPeer(teamServiceAnswer);
  const { auth: extraAuth, ...extra } = options.config ?? {};
  const config: ServerConfig = {
    auth: {
      tokeninfo_url: `${tokeninfo.url}/oauth2/tokeninfo`,
      team_service_url: teams.url,
      tokens: [
        {
          token: STATIC.admin,
          uid: 'admin',
          scopes: ['uid', 'fullstop.violation.write'],
          accounts: '*',
          teams: ['stups'],
        },
        { token: STATIC.alice, uid: 'alice', accounts: [ACCOUNT_A], teams: ['other'] },
        { token: STATIC.writer, uid: 'writer', scopes: ['uid', 'fullstop.violation.write'], accounts: [], teams: [] },
      ],
      ...extraAuth,
    },
    whitelist: { allowed_teams: ['stups'] },
    ...extra,
  };
  const dbPath = join(dir, 'fullstop.db');
  const server = await startServer(
    { host: '127.0.0.1', port: 0, db: `sqlite:${dbPath}`, noAuth: false, configFile: undefined, config },
    options.logger ?? false,
  );
  const { store } = server;
  await store.createWhitelistingRule(
    {
      reason: 'seeded: us-east-1 AMIs of account B',
      accountId: ACCOUNT_B,
      region: 'us-east-1',
      violationType: 'WRONG_AMI',
    },
    'seed',
  );
  await store.createWhitelistingRule({ reason: 'seeded: image 7', imageName: 'seed-ami-7' }, 'seed');
  const seededDrafts = drafts();
  await store.insertViolations(seededDrafts);
  for (const id of [1, 2, 3]) await store.resolveViolation(id, `seeded resolution ${id}`, 'seed', '*');
  return {
    url: server.url,
    server,
    dbPath,
    tokeninfo,
    teams,
    seeded: { violations: seededDrafts.length, rules: 2 },
    async close() {
      await server.close();
      await tokeninfo.close();
      await teams.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One keep-alive agent for a suite's many requests; undici sends exactly the headers given (no default type). */
export function client(baseUrl: string) {
  const agent = new Agent({ connections: 8 });
  return {
    async send(
      method: string,
      path: string,
      headers: Record<string, string> = {},
      body?: string | Buffer,
    ): Promise<Answer> {
      const res = await undiciRequest(`${baseUrl}${path}`, {
        method: method as 'GET',
        headers,
        body,
        dispatcher: agent,
      });
      return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
    },
    close: () => agent.close(),
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const json = { 'content-type': 'application/json' };

/** The error body every 4xx and 5xx must carry; undefined when it does, else what is wrong. */
export function errorBodyProblem(answer: Answer): string | undefined {
  const type = String(answer.headers['content-type'] ?? '');
  if (!type.startsWith('application/json')) return `content-type ${type || '(none)'}`;
  try {
    const body = JSON.parse(answer.text) as Record<string, unknown>;
    if (body.status !== answer.status) return `status ${String(body.status)} in the body`;
    for (const key of ['error', 'message', 'path'])
      if (typeof body[key] !== 'string') return `no string '${key}' in the body`;
    return undefined;
  } catch {
    return `not JSON: ${answer.text.slice(0, 80)}`;
  }
}
