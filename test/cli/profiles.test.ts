/** Profiles: several servers in one config file, chosen by --profile or FULLSTOP_PROFILE; the default keeps its layout. */
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BASE_URL, javaServer, TOKEN, useMsw } from '../helpers/msw.js';
import { runCli, tempHome } from '../helpers/run-cli.js';

useMsw();

const A = '123456789012';
const B = '210987654321';
/** Nothing listens there: a command that used it would fail with exit 1. */
const NOWHERE = 'http://127.0.0.1:9';

function homeWith(config: unknown): string {
  const home = tempHome();
  mkdirSync(join(home, 'config'));
  writeFileSync(join(home, 'config/config.json'), JSON.stringify(config));
  return home;
}

const readConfig = (home: string) => JSON.parse(readFileSync(join(home, 'config/config.json'), 'utf8')) as unknown;
const accountsSent = (server: ReturnType<typeof javaServer>) =>
  server.requests.map((q) => new URL(q.url).searchParams.get('accounts'));

describe('profiles', () => {
  it('configure --profile stores a named profile beside the default settings, which keep their place', async () => {
    const home = homeWith({ url: NOWHERE, accounts: [A], token_command: 'echo t' });
    const r = await runCli(
      ['--profile', 'prod', 'configure', '--url', BASE_URL, '--accounts', B],
      { bare: true },
      home,
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `Stored ${BASE_URL} and 1 account(s) in ${join(home, 'config/config.json')} (profile prod)\n`,
    );
    expect(readConfig(home)).toEqual({
      url: NOWHERE,
      accounts: [A],
      token_command: 'echo t',
      profiles: { prod: { url: BASE_URL, accounts: [B] } },
    });
    expect(statSync(join(home, 'config/config.json')).mode & 0o777).toBe(0o600);
    // The option may also follow the command.
    await runCli(
      ['configure', '--url', 'https://ci.example.org', '--accounts', A, '--profile', 'ci'],
      { bare: true },
      home,
    );
    expect((readConfig(home) as { profiles: object }).profiles).toEqual({
      prod: { url: BASE_URL, accounts: [B] },
      ci: { url: 'https://ci.example.org', accounts: [A] },
    });
  });

  it('--profile, else FULLSTOP_PROFILE, else the default profile gives the URL and the accounts', async () => {
    const home = homeWith({ url: NOWHERE, accounts: [A], profiles: { prod: { url: BASE_URL, accounts: [B] } } });
    const env = { FULLSTOP_TOKEN: TOKEN };
    const server = javaServer();
    expect((await runCli(['--profile', 'prod', 'list-violations'], { bare: true, env }, home)).code).toBe(0);
    expect((await runCli(['list-violations', '--profile', 'prod'], { bare: true, env }, home)).code).toBe(0);
    const fromEnv = await runCli(['list-violations'], { bare: true, env: { ...env, FULLSTOP_PROFILE: 'prod' } }, home);
    expect(fromEnv.code).toBe(0);
    expect(accountsSent(server)).toEqual([B, B, B]);
    // The flag beats the variable; the default profile is the top level, which points nowhere here.
    const flagWins = await runCli(
      ['--profile', 'default', 'list-violations'],
      { bare: true, env: { ...env, FULLSTOP_PROFILE: 'prod' } },
      home,
    );
    expect(flagWins.code).toBe(1);
    expect(flagWins.stderr).toContain(`could not reach ${NOWHERE} (ECONNREFUSED)`);
  });

  it('environment variables and flags still override the profile', async () => {
    const home = homeWith({ profiles: { prod: { url: NOWHERE, accounts: [B], token_command: 'exit 3' } } });
    const server = javaServer();
    const r = await runCli(
      ['--profile', 'prod', 'list-violations', '--accounts', A],
      { bare: true, env: { FULLSTOP_URL: BASE_URL, FULLSTOP_TOKEN: TOKEN } },
      home,
    );
    expect(r.code).toBe(0);
    expect(accountsSent(server)).toEqual([A]);
    // The profile's token command runs when no token is given.
    const viaCommand = await runCli(
      ['--profile', 'prod', 'types'],
      { bare: true, env: { FULLSTOP_URL: BASE_URL } },
      home,
    );
    expect(viaCommand.code).toBe(1);
    expect(viaCommand.stderr).toContain('token command failed (exit 3)');
  });

  it('an unknown profile is a usage error naming the configured ones; a bad name too', async () => {
    const home = homeWith({ url: NOWHERE, profiles: { prod: { url: BASE_URL } } });
    expect(await runCli(['--profile', 'staging', 'types'], { bare: true }, home)).toMatchObject({
      code: 2,
      stdout: '',
      stderr:
        'error: profile "staging" is not configured\n' +
        'hint: run `fullstop --profile staging configure`; configured: default, prod\n',
    });
    const badFlag = await runCli(['--profile', 'a.b', 'types'], { bare: true }, home);
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toContain('invalid profile name "a.b"');
    const badEnv = await runCli(['types'], { bare: true, env: { FULLSTOP_PROFILE: '../x' } }, home);
    expect(badEnv).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('FULLSTOP_PROFILE: invalid profile name'),
    });
    const unconfigured = await runCli(
      ['--profile', 'prod', 'types'],
      { bare: true },
      homeWith({ profiles: { prod: {} } }),
    );
    expect(unconfigured.stderr).toContain('run `fullstop --profile prod configure` or set FULLSTOP_URL');
  });

  it("keeps the original client's fullstop.yaml as the default profile when a named profile creates config.json", async () => {
    const home = tempHome();
    mkdirSync(join(home, 'config'));
    mkdirSync(join(home, '.config/fullstop'), { recursive: true });
    writeFileSync(join(home, '.config/fullstop/fullstop.yaml'), `url: ${BASE_URL}\naccounts: '${A}'\n`);
    const env = { FULLSTOP_TOKEN: TOKEN };
    await runCli(['--profile', 'prod', 'configure', '--url', NOWHERE, '--accounts', B], { bare: true, env }, home);
    expect(readConfig(home)).toEqual({
      url: BASE_URL,
      accounts: [A],
      profiles: { prod: { url: NOWHERE, accounts: [B] } },
    });
    const server = javaServer();
    expect((await runCli(['list-violations'], { bare: true, env }, home)).code).toBe(0);
    expect(accountsSent(server)).toEqual([A]);
  });
});
