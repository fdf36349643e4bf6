/** `fullstop count` against the original's count endpoints, and `fullstop show` against its violation endpoint. */
import { describe, expect, it } from 'vitest';
import { javaCounts } from '../helpers/java-rules.js';
import { fixtureViolations, javaServer, useMsw } from '../helpers/msw.js';
import { runCli } from '../helpers/run-cli.js';

useMsw();

const A = '123456789012';
const B = '210987654321';
const query = (request: Request) => Object.fromEntries(new URL(request.url).searchParams);

describe('count', () => {
  it('prints the counts per account and type as the server groups them', async () => {
    javaCounts(fixtureViolations());
    const r = await runCli(['count', '-o', 'json']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(r.stdout)).toEqual([
      { account: A, type: 'MISSING_USER_DATA', quantity: 1 },
      { account: A, type: 'UNSECURED_ROOT_USER', quantity: 1 },
      { account: A, type: 'WRONG_AMI', quantity: 2 },
      { account: A, type: 'WRONG_REGION', quantity: 1 },
      { account: B, type: 'EC2_WITH_KEYPAIR', quantity: 1 },
      { account: B, type: 'WRONG_REGION', quantity: 1 },
    ]);
  });

  it('adds up --by type and --by account, largest first', async () => {
    javaCounts(fixtureViolations());
    expect((await runCli(['count', '--by', 'type', '-o', 'csv'])).stdout).toBe(
      'type,quantity\nWRONG_AMI,2\nWRONG_REGION,2\nEC2_WITH_KEYPAIR,1\nMISSING_USER_DATA,1\nUNSECURED_ROOT_USER,1\n',
    );
    expect((await runCli(['count', '--by', 'account', '-o', 'tsv'])).stdout).toBe(
      `account\tquantity\n${A}\t5\n${B}\t2\n`,
    );
  });

  it('sends --accounts (else the configured accounts), --since, --resolved and --whitelisted', async () => {
    const requests = javaCounts(fixtureViolations());
    const resolved = await runCli(['count', '--resolved', '--since', '7d', '-o', 'json'], {
      env: { FULLSTOP_ACCOUNTS: A },
    });
    expect(JSON.parse(resolved.stdout)).toEqual([{ account: A, type: 'WRONG_AMI', quantity: 1 }]);
    expect(query(requests[0]!)).toEqual({ accounts: A, from: '2024-05-24T12:00:00.000Z', resolved: 'true' });
    const whitelisted = await runCli(['count', '--whitelisted', '--resolved', '--accounts', B, '-o', 'json']);
    expect(JSON.parse(whitelisted.stdout)).toEqual([]);
    expect(query(requests[1]!)).toEqual({ accounts: B, resolved: 'true', whitelisted: 'true' });
  });

  it('--by application asks each account (those with violations when none is configured)', async () => {
    const requests = javaCounts(fixtureViolations());
    const r = await runCli(['count', '--by', 'application', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(requests.map((q) => new URL(q.url).pathname)).toEqual([
      '/api/violation-count',
      `/api/violation-count/${A}`,
      `/api/violation-count/${B}`,
    ]);
    expect(JSON.parse(r.stdout)).toEqual([
      { account: A, application: null, version: null, quantity: 3 },
      { account: A, application: 'my-app', version: '1.0', quantity: 1 },
      { account: A, application: 'my-app', version: '1.1', quantity: 1 },
      { account: B, application: 'my-app', version: '1.1', quantity: 1 },
      { account: B, application: 'other-app', version: '2.3', quantity: 1 },
    ]);
    const text = await runCli(['count', '--by', 'application', '--accounts', B]);
    expect(text.stdout).toBe(
      `Account       Application  Version  Count\n${B}  my-app       1.1      1\n${B}  other-app    2.3      1\n`,
    );
  });

  it('draws a bar per row on a terminal, scaled to the largest, and totals on stderr', async () => {
    javaCounts(fixtureViolations());
    const r = await runCli(['count', '--by', 'account'], { tty: true, columns: 60, env: { NO_COLOR: '1' } });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('Account       Count');
    // 60 columns: the table is 19 wide, two spaces, then a 39-column bar for the largest.
    expect(lines[1]).toBe(`${A}  5      ${'█'.repeat(39)}`);
    expect(lines[2]).toMatch(new RegExp(`^${B} {2}2 {6}█{15}▋$`));
    expect(r.stderr).toBe('Total: 7\n');
  });

  it('rejects a bad --by (exit 2) and refused tokens (exit 4)', async () => {
    const requests = javaCounts(fixtureViolations());
    expect((await runCli(['count', '--by', 'region'])).code).toBe(2);
    expect((await runCli(['count', '--accounts', '12'])).code).toBe(2);
    expect(requests).toEqual([]);
    const refused = await runCli(['count'], { env: { FULLSTOP_TOKEN: 'wrong-0123456789-0123456789-0123' } });
    expect(refused).toMatchObject({ code: 4, stdout: '' });
    expect(refused.stderr).toContain('401 invalid_token: bad token');
  });
});

describe('show', () => {
  it('prints every field, the meta info pretty-printed', async () => {
    javaServer();
    const r = await runCli(['show', '107']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe(
      [
        'Id:           107',
        'Type:         WRONG_AMI (EC2 instance using illegal AMI)',
        'Severity:     3',
        'Priority:     1',
        'Status:       open',
        `Account:      ${A}`,
        'Region:       eu-west-1',
        'Instance:     i-0a1b2c3d',
        'Application:  my-app 1.1',
        `Username:     arn:aws:iam::${A}:root`,
        'Comment:      -',
        'Created:      2024-05-30T14:00:00.000Z',
        'Created by:   FULLSTOP',
        'Modified:     2024-05-30T14:00:00.000Z',
        'Modified by:  FULLSTOP',
        'Event id:     21cad05b-d412-4ef5-b238-000000000107',
        'Detected by:  org.zalando.stups.fullstop.plugin.ami.AmiPlugin',
        'Version:      0',
        'Meta info:',
        "  ami_owner_id: '999'",
        '  ami_id: ami-12345678',
        '  ami_name: taupage-1.2',
        'Help:         EC2 instance must not run an AMI other than Taupage or an approved one.',
        '',
      ].join('\n'),
    );
  });

  it('-o json prints the violation object; whitelisted ones say by which rule; lists stay lists', async () => {
    javaServer();
    const json = await runCli(['show', '104', '-o', 'json']);
    const fixture = fixtureViolations().find((v) => v.id === 104)!;
    expect(JSON.parse(json.stdout)).toEqual(fixture);
    expect((await runCli(['show', '104'])).stdout).toContain(
      'Meta info:\n  - mfa_active: false\n  - AKIAIOSFODNN7EXAMPLE\n',
    );
    expect((await runCli(['show', '109'])).stdout).toContain('Status:       whitelisted by rule 3\n');
    const csv = await runCli(['show', '101', '-o', 'csv']);
    expect(csv.stdout.split('\n')[0]).toBe(
      'id,version,event_id,account_id,region,instance_id,application_id,application_version_id,comment,rule_id,' +
        'username,created,created_by,last_modified,last_modified_by,plugin_fully_qualified_class_name,' +
        'violation_type,violation_severity,meta_info',
    );
  });

  it('exits 1 for a missing violation, 2 for a bad id, 4 for a refused token', async () => {
    javaServer();
    expect(await runCli(['show', '999'])).toMatchObject({
      code: 1,
      stdout: '',
      stderr: 'error: violation 999 not found\nhint: list ids with `fullstop list-violations --all`\n',
    });
    expect((await runCli(['show', 'abc'])).code).toBe(2);
    expect((await runCli(['show'])).code).toBe(2);
    const refused = await runCli(['show', '101'], { env: { FULLSTOP_TOKEN: 'wrong-0123456789-0123456789-0123' } });
    expect(refused.code).toBe(4);
  });
});
