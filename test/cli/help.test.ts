import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { createContext } from '../../src/cli/context.js';
import { ENVIRONMENT_TOPIC, EXIT_CODES_TOPIC } from '../../src/cli/help.js';
import { buildProgram, COMMANDS } from '../../src/cli/main.js';
import { runCli } from '../helpers/run-cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** A context that prints nothing and asks nothing, for building the program. */
function quietContext() {
  return createContext({
    io: {
      out: () => {},
      err: () => {},
      stdoutIsTTY: false,
      stderrIsTTY: false,
      canPrompt: false,
      columns: undefined,
      prompter: {} as never,
    },
    env: {},
  });
}

/** Every command path of the program, e.g. ['rules', 'add']; the hidden completion helper left out. */
function commandPaths(): string[][] {
  const program = buildProgram(quietContext());
  const paths: string[][] = [];
  const visit = (command: Command, path: string[]) => {
    for (const sub of command.commands) {
      if (sub.name().startsWith('__')) continue;
      paths.push([...path, sub.name()]);
      visit(sub, [...path, sub.name()]);
    }
  };
  visit(program, []);
  return paths;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

describe('help', () => {
  it.each(commandPaths())(
    '%s … --help has an Examples section that runs fullstop, and points to the topics',
    async (...path) => {
      const r = await runCli([...path, '--help']);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      expect(r.stdout).toMatch(new RegExp(`^Usage: fullstop ${path.join(' ')}[ |]`));
      expect(r.stdout).toMatch(/\nExamples:\n( {2}\$ .*\bfullstop .+\n)+/);
      expect(r.stdout).toContain('fullstop help environment');
      expect(r.stdout).toContain('fullstop help exit-codes');
    },
  );

  it('lists every command the program has (the check above covers them all)', () => {
    expect(commandPaths().map((path) => path.join(' '))).toEqual([
      'configure',
      'list-violations',
      'resolve-violations',
      'types',
      'show',
      'count',
      'watch',
      'rules',
      'rules list',
      'rules show',
      'rules add',
      'rules update',
      'rules expire',
      'lifecycle',
      'server',
      'ingest',
      'migrate',
      'export',
      'import',
      'completion',
      'help',
    ]);
  });

  it('`help environment` documents every FULLSTOP_ variable the code reads, in one place', async () => {
    const r = await runCli(['help', 'environment']);
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: `${ENVIRONMENT_TOPIC}\n` });
    const used = new Set(
      [...sources(join(root, 'src')), ...sources(join(root, 'bin'))]
        .filter((file) => !file.endsWith('.test.ts'))
        .flatMap((file) => [
          ...readFileSync(file, 'utf8').matchAll(/\bFULLSTOP_[A-Z0-9]+(?:_[A-Z0-9]+)*(?![A-Z0-9_])/g),
        ])
        .map((match) => match[0]),
    );
    expect(used.size).toBeGreaterThan(15);
    for (const name of used) expect(r.stdout, name).toMatch(new RegExp(`^ {2}${name}\\b`, 'm'));
  });

  it('`help exit-codes` explains 0, 1, 2, 3, 4 and 130', async () => {
    const r = await runCli(['help', 'exit-codes']);
    expect(r.stdout).toBe(`${EXIT_CODES_TOPIC}\n`);
    expect(r.stdout).toMatch(
      /\n {2}0 .*\n(.*\n)* {2}1 .*\n(.*\n)* {2}2 .*\n(.*\n)* {2}3 .*\n(.*\n)* {2}4 .*\n(.*\n)* {2}130 /,
    );
  });

  it("`help COMMAND` is that command's help; an unknown topic is a usage error naming the topics", async () => {
    expect((await runCli(['help', 'rules', 'add'])).stdout).toBe((await runCli(['rules', 'add', '--help'])).stdout);
    expect((await runCli(['help'])).stdout).toBe((await runCli(['--help'])).stdout);
    expect(await runCli(['help', 'nope'])).toMatchObject({
      code: 2,
      stdout: '',
      stderr: expect.stringContaining('error: no help topic or command "nope"\nhint: topics: environment, exit-codes;'),
    });
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

describe('the program built for one command', () => {
  // The hidden completion helper (`__complete`) comes with `completion`.
  const visible = (program: Command) =>
    program.commands.map((command) => command.name()).filter((name) => !name.startsWith('__'));

  it('knows every command under the name main() looks it up by', () => {
    expect(visible(buildProgram(quietContext()))).toEqual(COMMANDS.map(([name]) => name));
  });

  it('holds that command alone, with the same help as in the whole program', () => {
    const whole = buildProgram(quietContext());
    const helpOf = (program: Command, name: string) =>
      program.commands.find((command) => command.name() === name)!.helpInformation();
    for (const [name] of COMMANDS) {
      const alone = buildProgram(quietContext(), name);
      expect(visible(alone)).toEqual([name]);
      expect(helpOf(alone, name)).toBe(helpOf(whole, name));
    }
  });
});
