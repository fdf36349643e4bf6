import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';
import { javaServer, useMsw } from '../helpers/msw.js';

useMsw();

describe('types', () => {
  it('lists the types sorted by id as TSV', async () => {
    javaServer();
    const r = await runCli(['types', '-o', 'tsv']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      'id\tviolation_severity\tpriority\ttitle\thelp_text\n' +
        'EC2_WITH_KEYPAIR\t0\t4\tEC2 SSH Keypair used\tEC2 instances should not have a SSH key associated. Please use even, odd and piu for SSH access.\n' +
        'MISSING_USER_DATA\t0\t3\tEC2 without user data\tTaupage EC2 instance was started without any userdata.\n' +
        'UNSECURED_ROOT_USER\t4\t1\tUnsecured root user\tThe root user has an active secret key or MFA is not active\n' +
        'WRONG_AMI\t3\t1\tEC2 instance using illegal AMI\tEC2 instance must not run an AMI other than Taupage or an approved one.\n' +
        'WRONG_REGION\t1\t2\tEC2 instance in illegal region\tEC2 instance must run in allowed regions only.\n',
    );
  });

  it('prints the API objects unchanged as JSON', async () => {
    javaServer();
    const r = await runCli(['types', '-o', 'json']);
    const types = JSON.parse(r.stdout);
    expect(types[0]).toEqual({
      id: 'EC2_WITH_KEYPAIR',
      help_text: 'EC2 instances should not have a SSH key associated. Please use even, odd and piu for SSH access.',
      violation_severity: 0,
      audit_relevant: false,
      title: 'EC2 SSH Keypair used',
      priority: 4,
      version: 1,
      created: '2015-05-28T09:00:00.000Z',
      created_by: 'migration_script',
      last_modified: '2015-05-28T09:00:00.000Z',
      last_modified_by: 'migration_script',
    });
  });

  it('wraps long help texts to the terminal width', async () => {
    javaServer();
    const r = await runCli(['types'], { tty: true, env: { NO_COLOR: '1' } });
    expect(r.code).toBe(0);
    expect(Math.max(...r.stdout.split('\n').map((line) => line.length))).toBeLessThanOrEqual(200);
    expect(r.stdout.split('\n')[0]).toMatch(/^Id\s+Sev\.\s+Prio\.\s+Title\s+Help Text$/);
  });
});

describe('command prefixes', () => {
  it('runs a command from a unique prefix of its name, as the original client did', async () => {
    javaServer();
    const full = await runCli(['types', '-o', 'tsv']);
    const short = await runCli(['ty', '-o', 'tsv']);
    expect(short).toMatchObject({ code: 0, stderr: '', stdout: full.stdout });
  });

  it('still rejects a word that is no prefix of a command', async () => {
    const r = await runCli(['typo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown command 'typo'");
  });
});
