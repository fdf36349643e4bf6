import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

describe('help and version', () => {
  it.each([
    [['--help']],
    [['list-violations', '--help']],
    [['resolve-violations', '-h']],
    [['types', '--help']],
    [['configure', '-h']],
  ])('%j lists the environment variables and exit codes on stdout, exit 0', async (argv) => {
    const r = await runCli(argv);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const text of [
      'FULLSTOP_URL',
      'FULLSTOP_ACCOUNTS',
      'FULLSTOP_TOKEN',
      'FULLSTOP_TOKEN_COMMAND',
      'FULLSTOP_CONFIG_DIR',
      'NO_COLOR',
    ]) {
      expect(r.stdout).toContain(`  ${text}`);
    }
    expect(r.stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}3 .*\n {2}4 .*\n {2}130 /);
  });

  it.each([[['--version']], [['-V']], [['list-violations', '--version']], [['resolve-violations', '-V']]])(
    '%j prints the version',
    async (argv) => {
      const r = await runCli(argv);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(/^fullstop \d+\.\d+\.\d+\n$/);
    },
  );

  it('no command is a usage error with the help on stderr', async () => {
    const r = await runCli([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('Usage: fullstop [options] [command]');
  });
});
