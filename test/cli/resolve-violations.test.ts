import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { BASE_URL, javaServer, server as msw, useMsw } from '../helpers/msw.js';

useMsw();

describe('resolve-violations', () => {
  it('resolves the matching open violations with the raw comment as text/plain, without a TTY', async () => {
    const server = javaServer();
    const r = await runCli([
      'resolve-violations',
      '-t',
      'WRONG_REGION',
      '--since',
      '7d',
      '-l',
      '100',
      'DR region, approved',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect([...server.resolutions.keys()].sort()).toEqual([102, 103]);
    expect(server.resolutions.get(102)).toEqual({
      body: 'DR region, approved',
      contentType: 'text/plain; charset=utf-8',
    });
    expect(r.stderr.split('\n').sort()).toEqual([
      '',
      'resolved 102 (123456789012/eu-central-1 WRONG_REGION)',
      'resolved 103 (210987654321/us-east-1 WRONG_REGION)',
      'resolved 2, skipped 0, failed 0',
    ]);
  });

  it('needs at least one of --accounts, --type, --region or --violation-ids', async () => {
    const r = await runCli(['resolve-violations', 'comment']);
    expect(r).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'error: At least one of --accounts, --type, --region or --violation-ids must be specified\n',
    });
  });

  it('takes configured accounts as the original did', async () => {
    const server = javaServer();
    const r = await runCli(['resolve-violations', '--since', '7d', '-r', 'us-east-1', '--dry-run', 'x'], {
      env: { FULLSTOP_ACCOUNTS: '210987654321' },
    });
    expect(r.code).toBe(0);
    expect(new URL(server.requests[0]!.url).searchParams.get('accounts')).toBe('210987654321');
  });

  it('--violation-ids skips already resolved ones, reports missing ones and exits 1', async () => {
    const server = javaServer();
    const r = await runCli(['resolve-violations', '-i', '101,108,999', '-o', 'json', 'false positive']);
    expect(JSON.parse(r.stdout)).toEqual([
      { id: 101, status: 'resolved' },
      { id: 108, status: 'skipped', error: 'already resolved' },
      { id: 999, status: 'failed', error: 'not found' },
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('resolved 1, skipped 1, failed 1\n');
    expect([...server.resolutions.keys()]).toEqual([101]);
  });

  it('--dry-run lists what would be resolved and changes nothing', async () => {
    const server = javaServer();
    const r = await runCli(['resolve-violations', '-t', 'WRONG_AMI', '--since', '7d', '--dry-run', '-o', 'json', 'c']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((v: { id: number }) => v.id)).toEqual([101, 107]);
    expect(r.stderr).toBe('dry run: would resolve 2, skip 0; nothing was changed\n');
    expect(server.resolutions.size).toBe(0);
    expect(server.requests.every((q) => q.method === 'GET')).toBe(true);
  });

  it('asks on a terminal and resolves nothing when declined', async () => {
    const server = javaServer();
    const r = await runCli(['resolve-violations', '-t', 'WRONG_AMI', '--since', '7d', 'c'], {
      tty: true,
      answers: [false],
    });
    expect(r.prompts).toEqual(['Resolve 2 violation(s) with the comment "c"?']);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: 'nothing was resolved\n' });
    expect(server.resolutions.size).toBe(0);
  });

  it('does not ask with --yes', async () => {
    const server = javaServer();
    const r = await runCli(['resolve-violations', '-t', 'WRONG_AMI', '--since', '7d', '-y', 'c'], { tty: true });
    expect(r.prompts).toEqual([]);
    expect(r.code).toBe(0);
    expect(server.resolutions.size).toBe(2);
  });

  it('a 403 for one account fails that item only, with exit 1', async () => {
    const server = javaServer();
    msw.use(http.post(`${BASE_URL}/api/violations/103/resolution`, () => new HttpResponse(null, { status: 403 })));
    const r = await runCli(['resolve-violations', '-t', 'WRONG_REGION', '--since', '7d', 'c']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('failed 103 (210987654321/us-east-1 WRONG_REGION): 403 forbidden\n');
    expect(r.stderr).toContain('resolved 1, skipped 0, failed 1\n');
    expect([...server.resolutions.keys()]).toEqual([102]);
  });

  it('a rejected token stops the batch with exit 4', async () => {
    javaServer();
    msw.use(
      http.post(`${BASE_URL}/api/violations/:id/resolution`, () =>
        HttpResponse.json({ error: 'invalid_token', error_description: 'Access token expired' }, { status: 401 }),
      ),
    );
    const r = await runCli(['resolve-violations', '-t', 'WRONG_REGION', '--since', '7d', '--concurrency', '1', 'c']);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe(
      'resolved 0, skipped 0, failed 0\n' +
        `error: POST ${BASE_URL}/api/violations/103/resolution: 401 invalid_token: Access token expired\n` +
        'hint: the server did not accept the token: pass --token, set FULLSTOP_TOKEN or FULLSTOP_TOKEN_COMMAND\n',
    );
  });

  it('runs at most --concurrency resolutions at once', async () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ ...javaServer().violations[0]!, id: 500 + i }));
    msw.resetHandlers();
    const server = javaServer(many);
    let inFlight = 0;
    let peak = 0;
    msw.use(
      http.post(`${BASE_URL}/api/violations/:id/resolution`, async () => {
        peak = Math.max(peak, ++inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return HttpResponse.json(server.violations[0]);
      }),
    );
    const r = await runCli(['resolve-violations', '-i', many.map((v) => v.id).join(','), '--concurrency', '3', 'c']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('resolved 20, skipped 0, failed 0');
    expect(peak).toBe(3);
  });

  it('rejects an empty comment and a bad --concurrency as usage errors', async () => {
    expect((await runCli(['resolve-violations', '-t', 'X', ' '])).code).toBe(2);
    const bad = await runCli(['resolve-violations', '-t', 'X', '--concurrency', '0', 'c']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("error: option '--concurrency <n>' argument '0' is invalid. expected an integer ≥ 1");
  });
});
