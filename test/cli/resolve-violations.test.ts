import { http, HttpResponse } from 'msw';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import {
  BASE_URL,
  fixtureViolations,
  javaServer,
  openConnections,
  server as msw,
  useMsw,
  type JavaServer,
} from '../helpers/msw.js';
import { BATCH_CHUNK } from '../../src/cli/commands/resolve-violations/execute.js';
import type { BatchResolutionOutcome } from '../../src/shared/resolution-batch.js';

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
      'failed 103 (210987654321/us-east-1 WRONG_REGION): 401 invalid_token: Access token expired\n' +
        'failed 102 (123456789012/eu-central-1 WRONG_REGION): not sent: stopped by 401 invalid_token: Access token expired\n' +
        'resolved 0, skipped 0, failed 2\n' +
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

  it('closes its connections when the command ends', async () => {
    javaServer();
    const r = await runCli(['resolve-violations', '-i', '101,102,103,104', '--concurrency', '3', 'c']);
    expect(r.code).toBe(0);
    await vi.waitFor(async () => expect(await openConnections()).toBe(0), { timeout: 1000 });
  });

  it('rejects an empty comment and a bad --concurrency as usage errors', async () => {
    expect((await runCli(['resolve-violations', '-t', 'X', ' '])).code).toBe(2);
    const bad = await runCli(['resolve-violations', '-t', 'X', '--concurrency', '0', 'c']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("error: option '--concurrency <n>' argument '0' is invalid. expected an integer ≥ 1");
  });
});

/** The batch endpoint of this project's server, over the Java-shaped state; `answer` may replace any answer. */
function withBatchEndpoint(
  server: JavaServer,
  answer: (ids: number[], results: BatchResolutionOutcome[]) => Response | undefined = () => undefined,
) {
  const batches: number[][] = [];
  msw.use(
    http.post(`${BASE_URL}/api/violations/resolutions`, async ({ request }) => {
      const { ids, comment } = (await request.json()) as { ids: number[]; comment: string };
      batches.push(ids);
      const results = ids.map((id): BatchResolutionOutcome => {
        const found = server.violations.find((v) => v.id === id);
        if (!found) return { id, status: 'not_found', message: `violation ${id} not found` };
        server.resolutions.set(id, { body: comment, contentType: 'application/json' });
        return { id, status: 'resolved' };
      });
      return answer(ids, results) ?? HttpResponse.json({ results });
    }),
  );
  return batches;
}

describe('resolve-violations: batch endpoint or one request per violation', () => {
  it('falls back to one request per violation when the server answers 405 for the batch path (Java)', async () => {
    const server = javaServer();
    const r = await runCli(['resolve-violations', '-t', 'WRONG_REGION', '--since', '7d', '-o', 'json', 'c']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([
      { id: 102, status: 'resolved' },
      { id: 103, status: 'resolved' },
    ]);
    const calls = server.requests.map((q) => `${q.method} ${new URL(q.url).pathname}`);
    expect(calls[0]).toBe('GET /api/violations');
    // One probe, which carries no id, then the original's requests.
    expect(calls.slice(1, 2)).toEqual(['POST /api/violations/resolutions']);
    expect(calls.slice(2).sort()).toEqual([
      'POST /api/violations/102/resolution',
      'POST /api/violations/103/resolution',
    ]);
    expect(await server.requests[1]!.json()).toEqual({ ids: [], comment: 'capability probe' });
  });

  it('falls back on 404 too (a gateway, an older server), and probes once per command', async () => {
    const server = javaServer();
    let probes = 0;
    msw.use(
      http.post(`${BASE_URL}/api/violations/resolutions`, () => {
        probes++;
        return new HttpResponse(null, { status: 404 });
      }),
    );
    const r = await runCli(['resolve-violations', '-i', '101,102,103', 'c']);
    expect(r.code).toBe(0);
    expect(probes).toBe(1);
    expect([...server.resolutions.keys()].sort()).toEqual([101, 102, 103]);
  });

  it('sends the ids in one request when the server has the endpoint, and reports each item', async () => {
    const server = javaServer();
    const batches = withBatchEndpoint(server);
    const r = await runCli(['resolve-violations', '-i', '101,102,108,999', '-o', 'json', 'batch']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual([
      { id: 101, status: 'resolved' },
      { id: 102, status: 'resolved' },
      { id: 108, status: 'skipped', error: 'already resolved' },
      { id: 999, status: 'failed', error: 'not found' },
    ]);
    expect(batches).toEqual([[], [101, 102]]);
    expect(server.resolutions.get(101)).toEqual({ body: 'batch', contentType: 'application/json' });
    expect(server.requests.filter((q) => q.url.endsWith('/resolution'))).toEqual([]);
  });

  it('fails the items of a chunk the server failed, or left out, and keeps the rest', async () => {
    const many = Array.from({ length: BATCH_CHUNK + 3 }, (_, i) => ({ ...fixtureViolations()[0]!, id: 1000 + i }));
    const server = javaServer(many);
    const batches = withBatchEndpoint(server, (ids, results) => {
      if (ids.length === 3) return new HttpResponse('database is locked', { status: 500 });
      // A status this client does not know, and no outcome at all for 1000.
      if (ids.length > 0) return HttpResponse.json({ results: [...results.slice(2), { id: 1001, status: 'held' }] });
      return undefined;
    });
    const ids = many.map((v) => v.id);
    const r = await runCli(['resolve-violations', '-i', ids.join(','), '-o', 'json', 'c']);
    expect(r.code).toBe(1);
    expect(batches[0]).toEqual([]);
    expect(batches.slice(1).map((b) => b.length)).toEqual(expect.arrayContaining([BATCH_CHUNK, 3]));
    expect(batches).toHaveLength(3);
    const results = JSON.parse(r.stdout) as Array<{ id: number; status: string; error?: string }>;
    // The batch was applied as a whole: an id without an outcome, or with one this client does not know, may well
    // have been resolved.
    expect(results[0]).toEqual({ id: 1000, status: 'unknown', error: 'the server sent no outcome for it' });
    expect(results[1]).toEqual({ id: 1001, status: 'unknown', error: 'the server answered "held"' });
    expect(results.slice(2, BATCH_CHUNK).every((x) => x.status === 'resolved')).toBe(true);
    expect(results.slice(BATCH_CHUNK)).toEqual(
      ids.slice(BATCH_CHUNK).map((id) => ({
        id,
        status: 'failed',
        error: '500 internal server error: database is locked',
      })),
    );
    expect(r.stderr).toContain(`resolved ${BATCH_CHUNK - 2}, skipped 0, failed 3, unknown 2\n`);
  });

  it('stops before resolving anything when the probe fails, naming the reason', async () => {
    const server = javaServer();
    msw.use(
      http.post(`${BASE_URL}/api/violations/resolutions`, () => new HttpResponse('{"results": [', { status: 200 })),
    );
    const r = await runCli(['resolve-violations', '-t', 'WRONG_REGION', '--since', '7d', 'c']);
    const problem = `POST ${BASE_URL}/api/violations/resolutions: the server's answer for the batch resolution ends mid-way (cut off?)`;
    expect(r).toMatchObject({
      code: 1,
      stderr:
        `failed 103 (210987654321/us-east-1 WRONG_REGION): not sent: stopped by ${problem}\n` +
        `failed 102 (123456789012/eu-central-1 WRONG_REGION): not sent: stopped by ${problem}\n` +
        `resolved 0, skipped 0, failed 2\nerror: ${problem}\n` +
        'hint: try again; if it persists, check that the configured URL is a fullstop server\n',
    });
    expect(server.resolutions.size).toBe(0);
  });

  it('ends at once with exit 130 when interrupted while waiting to retry', async () => {
    const server = javaServer();
    const interrupt = new AbortController();
    msw.use(
      http.post(`${BASE_URL}/api/violations/:id/resolution`, () => {
        setTimeout(() => interrupt.abort(), 50);
        return new HttpResponse(null, { status: 503, headers: { 'Retry-After': '60' } });
      }),
    );
    const started = performance.now();
    const r = await runCli(['resolve-violations', '-i', '101', 'c'], { signal: interrupt.signal });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(r.code).toBe(130);
    // The 503 said the resolution was not applied: failed, not unknown.
    expect(r.stderr).toBe(
      'failed 101 (123456789012/eu-west-1 WRONG_AMI): interrupted\n' +
        'resolved 0, skipped 0, failed 1\nerror: interrupted: the violations not sent yet were not resolved\n',
    );
    expect(server.resolutions.size).toBe(0);
  });
});
