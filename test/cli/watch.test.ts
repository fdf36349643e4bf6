/** `fullstop watch` in-process against an original-shaped server: new violations only, backfill, back-off, stop. */
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import type { Violation } from '../../src/shared/violation.js';
import { BASE_URL, fixtureViolations, javaServer, server as msw, useMsw, type JavaServer } from '../helpers/msw.js';
import { runCli } from '../helpers/run-cli.js';

useMsw();

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const params = (request: Request) => Object.fromEntries(new URL(request.url).searchParams);
/**
 * True once two more list requests reached the server after this call: the later one began after whatever the test
 * did meanwhile, so it saw it.
 */
const twoMorePolls = (server: JavaServer) => {
  const before = server.requests.length;
  return () => server.requests.length >= before + 2;
};

/** The ids of the violations `watch -o ndjson` printed, in order. */
const printedIds = (stdout: string) =>
  stdout
    .trimEnd()
    .split('\n')
    .map((line) => (JSON.parse(line) as Violation).id);

function arrival(id: number, changes: Partial<Violation> = {}): Violation {
  return { ...fixtureViolations()[0]!, id, event_id: `new-${id}`, created: '2024-05-31T11:59:00.000Z', ...changes };
}

describe('watch', () => {
  it('starts after the newest violation, prints each new one as it arrives, and exits 0 on Ctrl-C', async () => {
    const server = javaServer();
    const stop = new AbortController();
    const running = runCli(['watch', '-o', 'ndjson', '--interval', '100ms'], { signal: stop.signal });
    await until(twoMorePolls(server), 'the first poll');
    server.violations.push(arrival(110), arrival(111, { comment: 'resolved meanwhile' }));
    await until(twoMorePolls(server), 'the poll that reads 110');
    server.violations.push(arrival(112));
    await until(twoMorePolls(server), 'the poll that reads 112');
    stop.abort();
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(printedIds(r.stdout)).toEqual([110, 112]);
    expect(params(server.requests[0]!)).toEqual({ sort: 'id,DESC', size: '1' });
    expect(params(server.requests[1]!)).toEqual({ sort: 'id,ASC', 'last-violation': '108', size: '500' });
  });

  it('prints a violation whose lower id becomes visible after a higher one, and nothing twice', async () => {
    const server = javaServer();
    const stop = new AbortController();
    const running = runCli(['watch', '-o', 'ndjson', '--interval', '100ms'], { signal: stop.signal });
    await until(twoMorePolls(server), 'the first poll');
    // Two concurrent transactions took 140 and 141; the one holding 141 commits first.
    server.violations.push(arrival(141));
    await until(twoMorePolls(server), 'the poll that reads 141');
    server.violations.push(arrival(140));
    await until(twoMorePolls(server), 'the poll that reads 140');
    stop.abort();
    const r = await running;
    expect(r.code).toBe(0);
    expect(printedIds(r.stdout)).toEqual([141, 140]);
    // Every poll read again from just above the newest id at start (within the minute a commit may lag).
    expect(server.requests.slice(1).map((q) => params(q)['last-violation'])).toEqual(
      server.requests.slice(1).map(() => '108'),
    );
  });

  it('--since prints that period first; the filters of list-violations apply, client-side ones too', async () => {
    const server = javaServer();
    const stop = new AbortController();
    const running = runCli(['watch', '--since', '1d', '-r', 'eu-west-1', '--interval', '100ms', '-o', 'tsv'], {
      signal: stop.signal,
      env: { FULLSTOP_ACCOUNTS: '123456789012,210987654321' },
    });
    await until(twoMorePolls(server), 'the backfill');
    server.violations.push(arrival(120, { region: 'us-east-1' }), arrival(121, { region: 'eu-west-1' }));
    await until(twoMorePolls(server), 'the poll that reads 121');
    stop.abort();
    const r = await running;
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split('\n');
    expect(rows[0]!.split('\t').slice(0, 3)).toEqual(['account_id', 'region', 'id']);
    // 105 was created exactly a day before NOW: `from` is strict, as in list-violations.
    expect(rows.slice(1).map((row) => row.split('\t')[2])).toEqual(['106', '107', '121']);
    expect(params(server.requests[0]!)).toMatchObject({
      from: '2024-05-30T12:00:00.000Z',
      'last-violation': '1',
      sort: 'id,ASC',
      accounts: '123456789012,210987654321',
      regions: 'eu-west-1',
    });
  });

  it('waits out a failing server with growing pauses and a note on stderr, then carries on', async () => {
    const server = javaServer();
    let failures = 5;
    msw.use(
      http.get(`${BASE_URL}/api/violations`, () =>
        failures-- > 0 ? HttpResponse.json({ message: 'overloaded' }, { status: 503 }) : undefined,
      ),
    );
    const stop = new AbortController();
    const running = runCli(['watch', '--interval', '100ms', '-o', 'ndjson'], { signal: stop.signal });
    await until(() => server.requests.length >= 1, 'a poll that gets through');
    server.violations.push(arrival(130));
    await until(twoMorePolls(server), 'the poll that reads 130');
    stop.abort();
    const r = await running;
    expect(r.code).toBe(0);
    expect(printedIds(r.stdout)).toEqual([130]);
    const notes = r.stderr.trimEnd().split('\n');
    // The client retried 3 times inside each poll; the first poll failed, the second got through.
    expect(notes).toEqual([
      expect.stringMatching(
        /^warning: GET http:\/\/127\.0\.0\.1:\d+\/api\/violations\?sort=id%2CDESC&size=1: 503 service unavailable: overloaded; trying again in 0\.2 s$/,
      ),
      'warning: the server answers again (after 1 failed poll)',
    ]);
  });

  it('prints one line per violation on a terminal, cut to its width, the type coloured by severity', async () => {
    const server = javaServer();
    const stop = new AbortController();
    const running = runCli(['watch', '--since', '1d', '--interval', '100ms', '-t', 'WRONG_AMI'], {
      signal: stop.signal,
      tty: true,
      columns: 80,
      env: { FORCE_COLOR: '1' },
    });
    await until(twoMorePolls(server), 'the backfill');
    stop.abort();
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^Watching http:\/\/127\.0\.0\.1:\d+ for new violations every 0\.1 s \(Ctrl-C to stop\)\n$/,
    );
    // eslint-disable-next-line no-control-regex
    const plain = r.stdout.replace(/\u001b\[[0-9;]*m/g, '');
    expect(plain).toBe('2024-05-30T14:00:00.000Z  123456789012  eu-west-1       107      WRONG_AMI  i-0…\n');
    expect(r.stdout).toContain('\u001b[31mWRONG_AMI\u001b[39m');
  });

  it('ends at once when the token is refused (exit 4) or the request is bad', async () => {
    javaServer();
    const refused = await runCli(['watch', '--interval', '100ms'], {
      env: { FULLSTOP_TOKEN: 'wrong-0123456789-0123456789-0123' },
    });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('401 invalid_token');
    msw.use(http.get(`${BASE_URL}/api/violations`, () => HttpResponse.json({ message: 'bad from' }, { status: 400 })));
    expect((await runCli(['watch', '--interval', '100ms'])).code).toBe(1);
  });

  it.each([
    [['-o', 'json'], "argument 'json' is invalid. Allowed choices are text, ndjson, tsv, csv."],
    [['--interval', '0'], 'expected a duration from 100ms to 24h'],
    [['--interval', 'often'], 'expected a duration from 100ms to 24h'],
    [['--limit', '5'], "unknown option '--limit'"],
  ])('%j is a usage error (exit 2)', async (flags, message) => {
    const r = await runCli(['watch', ...flags]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(message);
  });
});
