/**
 * The time window of list-violations and resolve-violations: fullstop-cli 1.0.13 (its last release, "By default
 * do not restrict violations by time") sends `from` only when `-s/--since` is given, so neither command has a
 * default window.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { javaServer, useMsw } from '../helpers/msw.js';

useMsw();

const params = (request: Request) => Object.fromEntries(new URL(request.url).searchParams);

describe('without -s/--since', () => {
  it('list-violations sends no from and lists violations older than a day', async () => {
    const server = javaServer();
    const r = await runCli(['list-violations', '-t', 'WRONG_AMI', '-o', 'json']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(server.requests).toHaveLength(1);
    expect(params(server.requests[0]!)).not.toHaveProperty('from');
    expect(params(server.requests[0]!)).not.toHaveProperty('to');
    // 101 was created 28 hours before the tests' clock: a one-day default would have hidden it.
    expect(JSON.parse(r.stdout).map((v: { id: number }) => v.id)).toEqual([101, 107]);
  });

  it('list-violations --all sends no from on either request', async () => {
    const server = javaServer();
    const r = await runCli(['list-violations', '--all', '-t', 'WRONG_AMI', '-o', 'json']);
    expect(JSON.parse(r.stdout).map((v: { id: number }) => v.id)).toEqual([101, 107, 108]);
    expect(server.requests.map((q) => params(q).from)).toEqual([undefined, undefined]);
  });

  it('resolve-violations sends no from and resolves violations older than a day', async () => {
    const server = javaServer();
    const r = await runCli(['resolve-violations', '-t', 'WRONG_AMI', 'approved AMI']);
    expect(r.code).toBe(0);
    const listing = server.requests.filter((q) => q.method === 'GET');
    expect(listing).toHaveLength(1);
    expect(params(listing[0]!)).not.toHaveProperty('from');
    expect([...server.resolutions.keys()].sort()).toEqual([101, 107]);
  });

  it('resolve-violations --dry-run sends no from either', async () => {
    const server = javaServer();
    const r = await runCli(['resolve-violations', '-t', 'WRONG_REGION', '--dry-run', '-o', 'json', 'c']);
    expect(JSON.parse(r.stdout).map((v: { id: number }) => v.id)).toEqual([102, 103]);
    expect(params(server.requests[0]!)).not.toHaveProperty('from');
  });
});

describe('with -s/--since', () => {
  it.each([['list-violations'], ['resolve-violations']])('%s sends it as from', async (command) => {
    const server = javaServer();
    const argv = command === 'list-violations' ? [command, '-s', '1d'] : [command, '-s', '1d', '-t', 'X', 'c'];
    await runCli([...argv, '-o', 'json']);
    expect(params(server.requests[0]!).from).toBe('2024-05-30T12:00:00.000Z');
  });
});

describe('help', () => {
  it.each([['list-violations'], ['resolve-violations']])('%s --help shows no default window', async (command) => {
    const r = await runCli([command, '--help']);
    // The option's description, which commander wraps over several lines.
    const since = /-s, --since <time_spec>([\s\S]*?)\n {2}-/.exec(r.stdout)?.[1]?.replace(/\s+/g, ' ');
    expect(since).toBe(' only violations newer than this: 30s, 15m, 24h, 7d, 2w or an ISO date (default: any age)');
  });
});
