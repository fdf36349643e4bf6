import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempHome } from '../helpers/run-cli.js';
import { BASE_URL, javaServer, TOKEN, useMsw } from '../helpers/msw.js';

useMsw();

const storeOf = (home: string) => JSON.parse(readFileSync(join(home, 'config', 'config.json'), 'utf8'));

describe('configure', () => {
  it('stores --url and --accounts without prompting, mode 0600', async () => {
    const r = await runCli(
      ['configure', '--url', 'https://fullstop.example.org/', '--accounts', '123456789012, 210987654321'],
      { bare: true },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `Stored https://fullstop.example.org and 2 account(s) in ${join(r.home, 'config', 'config.json')}\n`,
    );
    expect(storeOf(r.home)).toEqual({
      url: 'https://fullstop.example.org',
      accounts: ['123456789012', '210987654321'],
    });
    expect(statSync(join(r.home, 'config', 'config.json')).mode & 0o777).toBe(0o600);
  });

  it('without a terminal fails with a usage error when a value is missing', async () => {
    const r = await runCli(['configure', '--url', 'https://x.example.org'], { bare: true });
    expect(r).toMatchObject({
      code: 2,
      stdout: '',
      stderr:
        '--accounts required when not running in a terminal\n'.replace(/^/, 'error: ') +
        'hint: fullstop configure --url URL --accounts ID[,ID…]\n',
    });
  });

  it('validates the URL and the account ids', async () => {
    const url = await runCli(['configure', '--url', 'ftp://x', '--accounts', '123456789012'], { bare: true });
    expect(url).toMatchObject({ code: 2, stderr: 'error: --url: not an http(s) URL: ftp://x\n' });
    const accounts = await runCli(['configure', '--url', 'https://x.example.org', '--accounts', '1234'], {
      bare: true,
    });
    expect(accounts).toMatchObject({ code: 2, stderr: 'error: --accounts: not a 12-digit AWS account id: 1234\n' });
  });

  it('prompts on a terminal, defaulting to the current values', async () => {
    const home = tempHome();
    await runCli(['configure', '--url', 'https://old.example.org', '--accounts', '123456789012'], { bare: true }, home);
    const r = await runCli(['configure'], { bare: true, tty: true, answers: ['', '123456789012,210987654321'] }, home);
    expect(r.code).toBe(0);
    expect(r.prompts).toEqual(['Fullstop URL', 'AWS account IDs (comma separated)']);
    expect(storeOf(home)).toEqual({ url: 'https://old.example.org', accounts: ['123456789012', '210987654321'] });
  });

  it('reads a URL without a scheme as https, as the original prompt did', async () => {
    const home = tempHome();
    const r = await runCli(
      ['configure'],
      { bare: true, tty: true, answers: ['fullstop.example.org', '123456789012'] },
      home,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(storeOf(home)).toEqual({ url: 'https://fullstop.example.org', accounts: ['123456789012'] });
  });

  it("reads the original client's fullstop.yaml while no store exists, and the file's settings are used", async () => {
    const home = tempHome();
    mkdirSync(join(home, '.config', 'fullstop'), { recursive: true });
    writeFileSync(join(home, '.config', 'fullstop', 'fullstop.yaml'), `accounts: '123456789012'\nurl: ${BASE_URL}\n`);
    const server = javaServer();
    const r = await runCli(
      ['list-violations', '--since', '7d', '-o', 'json'],
      { bare: true, env: { FULLSTOP_TOKEN: TOKEN } },
      home,
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((v: { account_id: string }) => v.account_id)).toEqual(
      Array(5).fill('123456789012'),
    );
    expect(new URL(server.requests[0]!.url).searchParams.get('accounts')).toBe('123456789012');
  });

  it('says how to configure when no URL is set', async () => {
    const r = await runCli(['list-violations'], { bare: true });
    expect(r).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'error: No Fullstop URL configured: run `fullstop configure` or set FULLSTOP_URL\n',
    });
  });

  it('a broken config file is a clear error, not a crash', async () => {
    const home = tempHome();
    mkdirSync(join(home, 'config'), { recursive: true });
    writeFileSync(join(home, 'config', 'config.json'), '{"url": 42}');
    const r = await runCli(['list-violations'], { bare: true }, home);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `error: ${join(home, 'config', 'config.json')}: "url" is not an http(s) URL\nhint: run \`fullstop configure\` to fix it\n`,
    );
  });

  it('runs the token command only when a token is needed, and reports its failure', async () => {
    const server = javaServer();
    const ok = await runCli(['types', '-o', 'json'], {
      bare: true,
      env: { FULLSTOP_URL: BASE_URL, FULLSTOP_TOKEN_COMMAND: `printf '  ${TOKEN}\\n'` },
    });
    expect(ok.code).toBe(0);
    expect(server.requests[0]!.headers.get('authorization')).toBe(`Bearer ${TOKEN}`);
    const failed = await runCli(['types'], {
      bare: true,
      env: { FULLSTOP_URL: BASE_URL, FULLSTOP_TOKEN_COMMAND: 'echo no zign >&2; exit 3' },
    });
    expect(failed).toMatchObject({
      code: 1,
      stderr:
        'error: token command failed (exit 3): no zign\n' +
        'hint: check FULLSTOP_TOKEN_COMMAND or token_command in the config file, or set FULLSTOP_TOKEN\n',
    });
    const help = await runCli(['types', '--help'], { bare: true, env: { FULLSTOP_TOKEN_COMMAND: 'exit 1' } });
    expect(help.code).toBe(0);
  });
});
