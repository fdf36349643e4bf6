/**
 * Token info and the team service are real local HTTP servers here. A failing dependency answers the client a
 * JSON 503 that names the dependency only, while the log keeps the cause; concurrent look-ups of one token or
 * one user share one outbound call.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { Writable } from 'node:stream';
import { testApp, bearer, draft, type TestApp } from './helpers.js';
import { startPeer, type Peer } from './fake-peers.js';
import { createTeamService } from '../../src/server/auth/team-service.js';

const EMPLOYEE = 'employee-token-0123456789-0123456789';
const EMPLOYEE_INFO = { uid: 'jdoe', scope: ['uid'], realm: '/employees' };

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function peer(...args: Parameters<typeof startPeer>): Promise<Peer> {
  const started = await startPeer(...args);
  open.push(started);
  return started;
}

/** The app with a pino logger writing JSON lines into `lines`. */
async function appWithLog(tokeninfo: Peer, teams?: Peer): Promise<{ t: TestApp; lines: () => string[] }> {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  const config = {
    auth: { tokeninfo_url: `${tokeninfo.url}/oauth2/tokeninfo`, team_service_url: teams?.url },
    whitelist: { allowed_teams: ['stups'] },
  };
  const t = await testApp(config, {
    logger: { level: 'info', stream },
    teamService: teams === undefined ? undefined : createTeamService({ url: teams.url }),
  });
  open.push(t);
  return {
    t,
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line !== ''),
  };
}

const errorLines = (lines: string[]) =>
  lines.map((line) => JSON.parse(line) as { level: number; err?: { message: string } }).filter((l) => l.level >= 50);

describe('a failing dependency', () => {
  it('token info answering 502: a JSON 503 for the client, the status in the log, the token in neither', async () => {
    const tokeninfo = await peer(() => ({ status: 502, body: { error: 'bad gateway' } }));
    const { t, lines } = await appWithLog(tokeninfo);
    const res = await t.app.inject({ url: '/api/violation-types', headers: bearer(EMPLOYEE) });
    expect([res.statusCode, res.json()]).toEqual([
      503,
      {
        status: 503,
        error: 'Service Unavailable',
        message: 'Dependency unavailable: token info',
        path: '/api/violation-types',
      },
    ]);
    const errors = errorLines(lines());
    expect(errors).toHaveLength(1);
    expect(errors[0]!.err!.message).toContain(`${tokeninfo.url}/oauth2/tokeninfo answered 502 Bad Gateway`);
    expect(lines().join('\n')).not.toContain(EMPLOYEE);
  });

  it('token info unreachable: the connection error is in the log', async () => {
    const tokeninfo = await peer(() => ({ status: 200 }));
    await tokeninfo.close();
    open.pop();
    const { t, lines } = await appWithLog(tokeninfo);
    const res = await t.app.inject({ url: '/api/violation-types', headers: bearer(EMPLOYEE) });
    expect([res.statusCode, res.json().message]).toEqual([503, 'Dependency unavailable: token info']);
    expect(errorLines(lines())[0]!.err!.message).toMatch(/ECONNREFUSED/);
  });

  it('team service answering 500: a JSON 503 for the client, the URL and status in the log', async () => {
    const tokeninfo = await peer(() => ({ status: 200, body: EMPLOYEE_INFO }));
    const teams = await peer(() => ({ status: 500, body: { secret: 'stack trace' } }));
    const { t, lines } = await appWithLog(tokeninfo, teams);
    await t.store.insertViolations([draft()]);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/violations/1/resolution',
      headers: bearer(EMPLOYEE),
      payload: 'x',
    });
    expect([res.statusCode, res.json().message]).toEqual([503, 'Dependency unavailable: team service']);
    expect(res.body).not.toContain('500');
    expect(errorLines(lines())[0]!.err!.message).toContain(`${teams.url}/api/accounts/aws?member=jdoe`);
    expect(errorLines(lines())[0]!.err!.message).toContain('answered 500');
  });
});

describe('concurrent look-ups', () => {
  it('20 concurrent requests with one token make one token-info call and one team-service call', async () => {
    const tokeninfo = await peer(() => ({ status: 200, body: EMPLOYEE_INFO }), { delayMs: 100 });
    const teams = await peer(() => ({ status: 200, body: [{ id: 'stups' }] }), { delayMs: 100 });
    const { t } = await appWithLog(tokeninfo, teams);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => t.app.inject({ url: '/api/whitelisting-rules', headers: bearer(EMPLOYEE) })),
    );
    expect(answers.map((a) => a.statusCode)).toEqual(Array(20).fill(200));
    expect(tokeninfo.calls).toHaveLength(1);
    expect(teams.calls).toEqual(['/api/teams?member=jdoe']);
  });

  it('caches no failure: the next request asks again', async () => {
    let up = false;
    const tokeninfo = await peer(() => (up ? { status: 200, body: EMPLOYEE_INFO } : { status: 503 }));
    const { t } = await appWithLog(tokeninfo);
    expect((await t.app.inject({ url: '/api/violation-types', headers: bearer(EMPLOYEE) })).statusCode).toBe(503);
    up = true;
    expect((await t.app.inject({ url: '/api/violation-types', headers: bearer(EMPLOYEE) })).statusCode).toBe(200);
    expect((await t.app.inject({ url: '/api/violation-types', headers: bearer(EMPLOYEE) })).statusCode).toBe(200);
    expect(tokeninfo.calls).toHaveLength(2);
  });
});
