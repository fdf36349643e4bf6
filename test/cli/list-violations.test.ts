import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { fixtureViolations, javaServer, useMsw } from '../helpers/msw.js';

useMsw();

const params = (request: Request) => Object.fromEntries(new URL(request.url).searchParams);

describe('list-violations against the original Java server', () => {
  it('sends the original query and prints JSON newest --limit, oldest first', async () => {
    const server = javaServer();
    const r = await runCli(['list-violations', '--since', '7d', '-l', '3', '--accounts', '123456789012', '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<{ id: number; meta_info: unknown }>;
    expect(rows.map((v) => v.id)).toEqual([104, 105, 107]);
    expect(rows[0]!.meta_info).toEqual([{ mfa_active: false }, 'AKIAIOSFODNN7EXAMPLE']);
    expect(server.requests).toHaveLength(1);
    expect(params(server.requests[0]!)).toEqual({
      sort: 'id,DESC',
      accounts: '123456789012',
      from: '2024-05-24T12:00:00.000Z',
      page: '0',
      size: '3',
    });
    expect(server.requests[0]!.headers.get('authorization')).toMatch(/^Bearer test-token-/);
  });

  it('prints [] and exits 0 when nothing matches', async () => {
    javaServer();
    const r = await runCli(['list-violations', '-t', 'NO_SUCH_TYPE', '-o', 'json']);
    expect(r).toMatchObject({ code: 0, stdout: '[]\n', stderr: '' });
  });

  it('pages through the API until --limit rows pass the client-side filters', async () => {
    const many = Array.from({ length: 250 }, (_, i) => {
      const v = fixtureViolations()[0]!;
      return {
        ...v,
        id: 1000 + i,
        region: i % 50 === 0 ? 'ap-south-1' : 'eu-west-1',
        created: '2024-05-31T00:00:00.000Z',
      };
    });
    const server = javaServer(many);
    const r = await runCli(['list-violations', '-r', 'ap-south-1', '-l', '5', '-o', 'tsv']);
    expect(r.code).toBe(0);
    const ids = r.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split('\t')[2]);
    expect(ids).toEqual(['1000', '1050', '1100', '1150', '1200']);
    expect(server.requests.map((q) => params(q).page)).toEqual(['0', '1', '2']);
    expect(params(server.requests[0]!)).toMatchObject({ size: '100', regions: 'ap-south-1' });
  });

  it('sends --instance-ids to the server and filters by them itself, since the Java server ignores them', async () => {
    const many = Array.from({ length: 30 }, (_, i) => ({
      ...fixtureViolations()[0]!,
      id: 2000 + i,
      instance_id: `i-${i}`,
    }));
    const server = javaServer(many);
    const r = await runCli(['list-violations', '--since', '7d', '--instance-ids', 'i-3,i-17', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((v: { instance_id: string }) => v.instance_id)).toEqual(['i-3', 'i-17']);
    expect(params(server.requests[0]!)).toMatchObject({ 'instance-ids': 'i-3,i-17' });
  });

  it('stops when the server has no more rows, even below --limit', async () => {
    const server = javaServer();
    const r = await runCli(['list-violations', '--since', '7d', '-r', 'us-east-1', '-o', 'json']);
    expect(JSON.parse(r.stdout).map((v: { id: number }) => v.id)).toEqual([103]);
    expect(server.requests).toHaveLength(1);
  });

  it('filters by meta info (-m) and by regex (-x) as the original client did', async () => {
    javaServer();
    const meta = await runCli(['list-violations', '--since', '7d', '-m', 'ami_name=another-ami', '-o', 'json']);
    expect(JSON.parse(meta.stdout).map((v: { id: number }) => v.id)).toEqual([101]);
    const re = await runCli(['list-violations', '--since', '7d', '-x', 'allowed_regions', '-o', 'json']);
    expect(JSON.parse(re.stdout).map((v: { id: number }) => v.id)).toEqual([102, 103]);
  });

  it('sends types=A,B for a type list and application filters under their API names', async () => {
    const server = javaServer();
    const r = await runCli([
      'list-violations',
      '--since',
      '7d',
      '-t',
      'WRONG_AMI,EC2_WITH_KEYPAIR',
      '--applications',
      'my-app',
      '--application-versions',
      '1.0,1.1',
      '--severity',
      '3',
      '-o',
      'json',
    ]);
    expect(JSON.parse(r.stdout).map((v: { id: number }) => v.id)).toEqual([101, 107]);
    expect(params(server.requests[0]!)).toMatchObject({
      types: 'WRONG_AMI,EC2_WITH_KEYPAIR',
      'application-ids': 'my-app',
      'application-version-ids': '1.0,1.1',
      severity: '3',
    });
  });

  it('--all merges open and resolved into one list of the newest --limit', async () => {
    const server = javaServer();
    const r = await runCli(['list-violations', '--since', '7d', '--all', '-l', '3', '-o', 'json']);
    expect(JSON.parse(r.stdout).map((v: { id: number }) => v.id)).toEqual([106, 107, 108]);
    expect(server.requests.map((q) => params(q).checked)).toEqual([undefined, 'true']);
  });

  it('--exit-code exits 3 when something matches and 0 when nothing does', async () => {
    javaServer();
    const found = await runCli(['list-violations', '--since', '7d', '--exit-code', '-o', 'ndjson']);
    expect(found.code).toBe(3);
    expect(found.stdout.trim().split('\n')).toHaveLength(7);
    const none = await runCli(['list-violations', '-t', 'PASSWORD_USED', '--exit-code']);
    expect(none).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('--until is sent as to', async () => {
    const server = javaServer();
    await runCli(['list-violations', '--since', '2024-05-01', '--until', '2024-05-30T10:00:00Z', '-o', 'json']);
    expect(params(server.requests[0]!)).toMatchObject({
      from: '2024-05-01T00:00:00.000Z',
      to: '2024-05-30T10:00:00.000Z',
    });
  });

  it('prints TSV and CSV with a header row and ISO timestamps', async () => {
    javaServer();
    const tsv = await runCli(['list-violations', '--since', '7d', '-t', 'WRONG_AMI', '-o', 'tsv']);
    expect(tsv.stdout).toBe(
      'account_id\tregion\tid\tviolation_type\tinstance_id\tapplication_id\tapplication_version_id\tmeta_info\tcomment\tcreated\tseverity\n' +
        "123456789012\teu-west-1\t101\tWRONG_AMI\ti-0a1b2c3d\tmy-app\t1.0\tami_id: ami-amishppl, ami_name: another-ami, ami_owner_id: ''\t\t2024-05-30T08:00:00.000Z\t3\n" +
        "123456789012\teu-west-1\t107\tWRONG_AMI\ti-0a1b2c3d\tmy-app\t1.1\tami_id: ami-12345678, ami_name: taupage-1.2, ami_owner_id: '999'\t\t2024-05-30T14:00:00.000Z\t3\n",
    );
    const csv = await runCli(['list-violations', '--since', '7d', '-t', 'WRONG_REGION', '-o', 'csv']);
    expect(csv.stdout.split('\n')[1]).toBe(
      '123456789012,eu-central-1,102,WRONG_REGION,i-0a1b2c3d,,,"allowed_regions:, - eu-west-1, - eu-central-1",,2024-05-30T09:00:00.000Z,1',
    );
  });

  it('prints a table with ISO times when stdout is not a terminal', async () => {
    javaServer();
    const r = await runCli(['list-violations', '--since', '7d', '-t', 'WRONG_AMI', '--accounts', '123456789012']);
    expect(r.stdout).toMatchInlineSnapshot(`
      "Account       Region     Id   Type       Instance    Application  Application Version  Meta Info                                                         Comment  Created                   Sev.
      123456789012  eu-west-1  101  WRONG_AMI  i-0a1b2c3d  my-app       1.0                  ami_id: ami-amishppl, ami_name: another-ami, ami_owner_id: ''              2024-05-30T08:00:00.000Z  3
      123456789012  eu-west-1  107  WRONG_AMI  i-0a1b2c3d  my-app       1.1                  ami_id: ami-12345678, ami_name: taupage-1.2, ami_owner_id: '999'           2024-05-30T14:00:00.000Z  3
      "
    `);
  });

  it('prints relative times on a terminal, and no colour with NO_COLOR', async () => {
    javaServer();
    const r = await runCli(['list-violations', '--since', '7d', '-t', 'EC2_WITH_KEYPAIR'], {
      tty: true,
      env: { NO_COLOR: '1' },
    });
    expect(r.stdout).toContain('23 hours ago');
    expect(r.stdout).not.toContain('\u001b[');
    const colored = await runCli(['list-violations', '--since', '7d', '-t', 'EC2_WITH_KEYPAIR'], { tty: true });
    expect(colored.stdout).toContain('\u001b[1mAccount');
  });

  it('prints meta info as one compact line, as the original did with PyYAML 3', async () => {
    javaServer();
    const r = await runCli(['list-violations', '-t', 'WRONG_REGION,UNSECURED_ROOT_USER']);
    const [, ...rows] = r.stdout.trimEnd().split('\n');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(
      /^123456789012 {2}eu-central-1 {2}102 .* {2}allowed_regions: \[eu-west-1, eu-central-1\] {2}/,
    );
    expect(rows[1]).toMatch(/^210987654321 {2}us-east-1 .* {2}allowed_regions: \[eu-west-1, eu-central-1\] {2}/);
    expect(rows[2]).toMatch(/^123456789012 {2}eu-west-1 .* {2}\[\{mfa_active: false\}, AKIAIOSFODNN7EXAMPLE\] {2}/);
  });

  it('-x matches the meta info as the table shows it, as the original did', async () => {
    javaServer();
    const r = await runCli([
      'list-violations',
      '-x',
      String.raw`allowed_regions: \[eu-west-1, eu-central`,
      '-o',
      'json',
    ]);
    expect(JSON.parse(r.stdout).map((v: { id: number }) => v.id)).toEqual([102, 103]);
  });

  it.each([40, 80, 200])('fits a %i-column terminal: one line per violation, long cells cut', async (columns) => {
    const wide = {
      ...fixtureViolations()[0]!,
      id: 110,
      instance_id: 'arn:aws:lambda:eu-central-1:123456789012:function:a-rather-long-function-name',
      meta_info: { ami_name: '日本語のイメージ名前がとても長い場合', owner: '🫠👨‍👩‍👧', ami_id: 'ami-' + 'f'.repeat(60) },
      comment: 'approved by 王小明\nsee SEC-42',
      created: '2024-05-31T11:00:00.000Z',
    };
    for (const env of [{ NO_COLOR: '1' }, { FORCE_COLOR: '1' }]) {
      javaServer([...fixtureViolations(), wide]);
      const r = await runCli(['list-violations', '--all'], { tty: true, columns, env });
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(1 + 9);
      for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(columns);
      expect(r.stdout).toContain('…');
      expect(r.stdout.includes('\u001b[1m')).toBe(env.FORCE_COLOR === '1');
    }
  });

  it('keeps full values when the table is piped', async () => {
    const long = { ...fixtureViolations()[0]!, id: 110, comment: 'x'.repeat(300), created: '2024-05-31T11:00:00.000Z' };
    javaServer([long]);
    const r = await runCli(['list-violations', '--all']);
    expect(r.stdout).toContain('x'.repeat(300));
    expect(r.stdout).not.toContain('…');
  });

  it('says so on stderr, on a terminal only, when nothing matches', async () => {
    javaServer();
    const r = await runCli(['list-violations', '-t', 'NOPE'], { tty: true });
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: 'No violations match.\n' });
  });
});
