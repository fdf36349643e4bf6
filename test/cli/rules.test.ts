/** `fullstop rules …` against an original-shaped server (RuleController): bodies, answers, errors, exit codes. */
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { javaRule, javaRules, OUTSIDER_TOKEN } from '../helpers/java-rules.js';
import { BASE_URL, javaServer, server as msw, useMsw } from '../helpers/msw.js';
import { runCli } from '../helpers/run-cli.js';

useMsw();

const posted = (state: ReturnType<typeof javaRules>, method = 'POST') =>
  state.requests.filter((r) => r.method === method).map((r) => JSON.parse(r.body) as Record<string, unknown>);

describe('rules list and show', () => {
  it('lists the rules in force by id; --all adds expired ones; json keeps the API fields', async () => {
    javaRules([
      javaRule(3, { violation_type_entity_id: 'WRONG_AMI', image_name: 'taupage-.*', reason: 'approved' }),
      javaRule(1, { expiry_date: '2024-05-01T00:00:00.000Z', reason: 'old' }),
      javaRule(2, { account_id: '123456789012', region: 'us-east-1', expiry_date: '2024-06-30T00:00:00.000Z' }),
    ]);
    const text = await runCli(['rules', 'list']);
    expect(text).toMatchObject({ code: 0, stderr: '' });
    expect(text.stdout.split('\n')[0]).toMatch(/^Id {2}Type +Account +Region/);
    expect(
      text.stdout
        .split('\n')
        .slice(1, -1)
        .map((line) => line.split(/\s+/)[0]),
    ).toEqual(['2', '3']);
    expect(text.stdout).toContain('never');

    const all = await runCli(['rules', 'ls', '--all', '-o', 'json']);
    const rules = JSON.parse(all.stdout) as Array<Record<string, unknown>>;
    expect(rules.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(rules[2]).toMatchObject({ violation_type_entity_id: 'WRONG_AMI', image_name: 'taupage-.*' });
  });

  it('on a terminal says when rules expire relative to now, and never for the default expiry', async () => {
    javaRules([
      javaRule(1, { expiry_date: '2024-05-11T12:00:00.000Z' }),
      javaRule(2, { expiry_date: '2024-06-20T12:00:00.000Z' }),
      javaRule(3),
    ]);
    const r = await runCli(['rules', 'list', '--all'], { tty: true, env: { NO_COLOR: '1' } });
    const expiry = (id: number) => r.stdout.split('\n').find((line) => line.startsWith(`${id} `))!;
    expect(expiry(1)).toContain('expired 20 days ago');
    expect(expiry(2)).toContain('in 20 days');
    expect(expiry(3)).toContain('never');
    expect((await runCli(['rules', 'show', '2'], { tty: true, env: { NO_COLOR: '1' } })).stdout).toContain(
      'Expires:       2024-06-20T12:00:00.000Z (in 20 days)\n',
    );
  });

  it('shows one rule with every field, or says it does not exist (exit 1)', async () => {
    javaRules([javaRule(7, { violation_type_entity_id: 'WRONG_AMI', reason: 'approved AMIs' })]);
    const r = await runCli(['rules', 'show', '7']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Id: +7\nStatus: +active\nReason: +approved AMIs\nType: +WRONG_AMI\n/);
    expect(r.stdout).toMatch(/Expires: +never\n/);
    expect(JSON.parse((await runCli(['rules', 'show', '7', '-o', 'json'])).stdout)).toMatchObject({ id: 7 });
    expect(await runCli(['rules', 'show', '8'])).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'error: whitelisting rule 8 not found\nhint: list the rules with `fullstop rules list --all`\n',
    });
    expect((await runCli(['rules', 'show', 'x'])).code).toBe(2);
  });

  it('exits 4 when the caller is not in an allowed team (empty 403) or the token is refused', async () => {
    javaRules([javaRule(1)]);
    const outsider = await runCli(['rules', 'list'], { env: { FULLSTOP_TOKEN: OUTSIDER_TOKEN } });
    expect(outsider.code).toBe(4);
    expect(outsider.stderr).toContain('403 forbidden');
    const refused = await runCli(['rules', 'list'], { env: { FULLSTOP_TOKEN: 'wrong-token-0123456789-0123456789' } });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('401 invalid_token: bad token');
  });
});

describe('rules add', () => {
  it('sends every field under its input key (violation_type, not violation_type_entity_id) and prints the id', async () => {
    javaServer();
    const state = javaRules([javaRule(4)]);
    const r = await runCli([
      'rules',
      'add',
      '--account',
      '123456789012',
      '--region',
      'eu-west-1',
      '--type',
      'WRONG_AMI',
      '--application',
      'my-app',
      '--application-version',
      '1.0',
      '--image-name',
      'taupage-.*',
      '--image-owner',
      '999',
      '--meta-path',
      '$[?(@.ami_id =~ /ami-.+/)]',
      '--reason',
      ' approved AMIs ',
      '--expires',
      '30d',
    ]);
    expect(r).toMatchObject({ code: 0, stdout: '5\n', stderr: 'Created whitelisting rule 5\n' });
    expect(posted(state)).toEqual([
      {
        account_id: '123456789012',
        region: 'eu-west-1',
        violation_type: 'WRONG_AMI',
        application_id: 'my-app',
        application_version: '1.0',
        image_name: 'taupage-.*',
        image_owner: '999',
        meta_info_json_path: '$[?(@.ami_id =~ /ami-.+/)]',
        reason: 'approved AMIs',
        expiry_date: '2024-06-30T12:00:00.000Z',
      },
    ]);
    expect(state.rules.at(-1)).toMatchObject({ id: 5, violation_type_entity_id: 'WRONG_AMI' });
  });

  it('prints the new rule in the machine formats; no --expires means never (null: the server stores 9999-01-01)', async () => {
    javaServer();
    const state = javaRules();
    const r = await runCli([
      'rules',
      'add',
      '--type',
      'WRONG_REGION',
      '--region',
      'us-east-1',
      '--reason',
      'DR',
      '-o',
      'json',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ id: 1, expiry_date: '9999-01-01T00:00:00.000Z', region: 'us-east-1' });
    expect(posted(state)[0]).toMatchObject({ expiry_date: null, account_id: null });
  });

  it.each([
    [['--type', 'WRONG_AMI'], "error: required option '--reason <text>' not specified"],
    [['--reason', '  '], 'the reason must not be empty'],
    [['--account', '1234', '--reason', 'r'], 'not a 12-digit AWS account id'],
    [['--image-name', 'taupage-(', '--reason', 'r'], 'not a valid regular expression: missing closing )'],
    [['--expires', '2024-01-01', '--reason', 'r'], 'must lie in the future: 2024-01-01T00:00:00.000Z'],
    [['--expires', 'soon', '--reason', 'r'], 'invalid time "soon"'],
    [['--meta-path', '$[?(@.a ==', '--reason', 'r'], "--meta-path: not a valid JsonPath (')' missing"],
  ])('refuses %j with exit 2 before creating anything', async (flags, message) => {
    javaServer();
    const state = javaRules();
    const r = await runCli(['rules', 'add', ...flags]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(message);
    expect(posted(state)).toEqual([]);
  });

  it('refuses a violation type the server does not know (exit 2), naming the closest', async () => {
    javaServer();
    const state = javaRules();
    const r = await runCli(['rules', 'add', '--type', 'wrong_ami', '--reason', 'r']);
    expect(r).toMatchObject({
      code: 2,
      stderr: 'error: --type: the server knows no violation type wrong_ami\nhint: did you mean WRONG_AMI?\n',
    });
    expect(posted(state)).toEqual([]);
  });

  it('warns about a rule without criteria (it whitelists nothing) and one without --type (every type)', async () => {
    javaServer();
    javaRules();
    const none = await runCli(['rules', 'add', '--reason', 'r']);
    expect(none.code).toBe(0);
    expect(none.stderr).toMatch(/^warning: the rule has no criteria: the server skips a rule without criteria/);
    const anyType = await runCli(['rules', 'add', '--account', '123456789012', '--reason', 'r']);
    expect(anyType.stderr).toMatch(/^warning: without --type the rule whitelists violations of every type/);
    const typed = await runCli(['rules', 'add', '--type', 'WRONG_AMI', '--reason', 'r']);
    expect(typed.stderr).toBe('Created whitelisting rule 3\n');
  });

  it('sends a rule once: a 502 after the request may have been done is not retried', async () => {
    javaServer();
    const bodies: string[] = [];
    msw.use(
      http.post(`${BASE_URL}/api/whitelisting-rules`, async ({ request }) => {
        bodies.push(await request.text());
        return new HttpResponse('<html>Bad Gateway</html>', { status: 502 });
      }),
    );
    const r = await runCli(['rules', 'add', '--type', 'WRONG_AMI', '--reason', 'r']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('502 bad gateway');
    expect(bodies).toHaveLength(1);
  });
});

describe('rules add --dry-run: the open violations the rule matches, as the server would decide', () => {
  const dryRun = async (flags: string[]) => {
    const server = javaServer();
    const state = javaRules();
    const r = await runCli(['rules', 'add', ...flags, '--reason', 'r', '--dry-run', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    expect(posted(state)).toEqual([]);
    return { ids: (JSON.parse(r.stdout) as Array<{ id: number }>).map((v) => v.id), r, server };
  };

  it.each([
    [
      ['--type', 'WRONG_AMI'],
      [101, 107],
    ],
    [['--type', 'WRONG_AMI', '--image-name', 'another-.*'], [101]],
    // A full match, as Java's String.matches: a prefix is not enough, alternatives bind to the whole name.
    [['--image-name', 'another'], []],
    [['--image-name', 'another-ami|taupage'], [101]],
    [['--image-owner', '999'], [107]],
    [
      ['--application', 'my-app'],
      [101, 106, 107],
    ],
    [
      ['--application', 'my-app', '--application-version', '1.1'],
      [106, 107],
    ],
    [
      ['--account', '210987654321'],
      [103, 106],
    ],
    [['--region', 'eu-central-1'], [102]],
    [['--meta-path', "$[?(@.ami_id == 'ami-12345678')]"], [107]],
    [['--meta-path', '$.[?(@.ami_name =~ /taupage-\\d\\.\\d/)]'], [107]],
    // =~ is a full match too; a list of meta info is filtered element by element.
    [['--meta-path', '$[?(@.ami_name =~ /taupage/)]'], []],
    [['--meta-path', '$[?(@.mfa_active == false)]'], [104]],
    [
      ['--meta-path', '$.allowed_regions'],
      [102, 103],
    ],
  ])('%j matches %j', async (flags, expected) => {
    expect((await dryRun(flags)).ids).toEqual(expected);
  });

  it('asks the server only for the candidates and sums up on stderr', async () => {
    const { r, server } = await dryRun(['--type', 'WRONG_AMI', '--account', '123456789012']);
    const queries = server.requests
      .filter((q) => new URL(q.url).pathname === '/api/violations')
      .map((q) => Object.fromEntries(new URL(q.url).searchParams));
    expect(queries).toEqual([
      { sort: 'id,DESC', size: '1' },
      { sort: 'id,DESC', accounts: '123456789012', type: 'WRONG_AMI', page: '0', size: '2000' },
    ]);
    expect(r.stderr).toContain('dry run: the rule matches 2 of the 7 open violations (2 checked); nothing was created');
    expect(r.stderr).toContain('note: a rule whitelists violations that arrive after it exists');
  });

  it('a rule without criteria matches nothing and fetches nothing', async () => {
    const { ids, server, r } = await dryRun([]);
    expect(ids).toEqual([]);
    expect(server.requests.map((q) => new URL(q.url).pathname)).toEqual(['/api/violations']);
    expect(r.stderr).toContain('matches 0 of the 7 open violations (0 checked)');
  });
});

describe('rules update and expire', () => {
  it('update replaces the rule with the old fields changed by the flags and prints the new id', async () => {
    javaServer();
    const state = javaRules([
      javaRule(12, {
        violation_type_entity_id: 'WRONG_REGION',
        account_id: '123456789012',
        region: 'us-east-1',
        expiry_date: '2024-07-01T00:00:00.000Z',
        reason: 'DR',
      }),
    ]);
    const r = await runCli(['rules', 'update', '12', '--reason', 'DR, SEC-42', '--region', '']);
    expect(r).toMatchObject({ code: 0, stdout: '13\n', stderr: 'Rule 12 expired; replaced by rule 13\n' });
    expect(posted(state, 'PUT')).toEqual([
      {
        account_id: '123456789012',
        region: null,
        violation_type: 'WRONG_REGION',
        application_id: null,
        application_version: null,
        image_name: null,
        image_owner: null,
        meta_info_json_path: null,
        reason: 'DR, SEC-42',
        expiry_date: '2024-07-01T00:00:00.000Z',
      },
    ]);
    expect(state.rules.find((rule) => rule.id === 12)!.expiry_date).toBe('2024-05-31T12:00:00.000Z');
  });

  it('update needs a change, an existing rule and warns when the rule had expired', async () => {
    javaServer();
    javaRules([javaRule(1, { expiry_date: '2024-01-01T00:00:00.000Z', violation_type_entity_id: 'WRONG_AMI' })]);
    expect((await runCli(['rules', 'update', '1'])).code).toBe(2);
    expect(await runCli(['rules', 'update', '9', '--reason', 'x'])).toMatchObject({ code: 1, stdout: '' });
    const revived = await runCli(['rules', 'update', '1', '--reason', 'again']);
    expect(revived.code).toBe(0);
    expect(revived.stderr).toContain('warning: rule 1 expired already (2024-01-01T00:00:00.000Z)');
  });

  it('expire sends expiryDate, reports the new expiry, and tells a missing rule from an expired one', async () => {
    const state = javaRules([javaRule(1), javaRule(2, { expiry_date: '2024-05-01T00:00:00.000Z' })]);
    const r = await runCli(['rules', 'expire', '1', '--at', '2h']);
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: 'Rule 1 expires at 2024-05-31T14:00:00.000Z\n' });
    const deleted = state.requests.find((q) => q.method === 'DELETE')!;
    expect(new URL(deleted.url).searchParams.get('expiryDate')).toBe('2024-05-31T14:00:00.000Z');

    const byDefault = await runCli(['rules', 'expire', '1', '-o', 'json']);
    expect(JSON.parse(byDefault.stdout)).toMatchObject({ id: 1, expiry_date: '2024-05-31T12:01:00.000Z' });

    expect(await runCli(['rules', 'expire', '2'])).toMatchObject({
      code: 1,
      stderr:
        'error: whitelisting rule 2 expired already (2024-05-01T00:00:00.000Z)\n' +
        'hint: an expired rule stays expired; `fullstop rules update` makes a new one from it\n',
    });
    expect((await runCli(['rules', 'expire', '3'])).stderr).toContain('error: whitelisting rule 3 not found');
    expect((await runCli(['rules', 'expire', '1', '--at', '2024-05-01'])).code).toBe(2);
  });
});
