/**
 * The command-line entry: builds the commander program from one explicit list of commands, runs it, and is
 * the only place that turns an error into a message on stderr and an exit code.
 */
import { Command, CommanderError } from 'commander';
import {
  AbortedError,
  ApiError,
  AuthError,
  InvalidResponseError,
  NetworkError,
  TimeoutError,
} from '../client/errors.js';
import * as completion from './commands/completion/index.js';
import * as configure from './commands/configure.js';
import * as count from './commands/count/index.js';
import * as exportCommand from './commands/export.js';
import * as help from './commands/help.js';
import * as importCommand from './commands/import.js';
import * as ingest from './commands/ingest.js';
import * as lifecycle from './commands/lifecycle.js';
import * as listViolations from './commands/list-violations.js';
import * as migrate from './commands/migrate.js';
import * as resolveViolations from './commands/resolve-violations/index.js';
import * as rules from './commands/rules/index.js';
import * as server from './commands/server.js';
import * as show from './commands/show.js';
import * as types from './commands/types.js';
import * as watch from './commands/watch/index.js';
import * as profileOption from './profile-option.js';
import type { Context } from './context.js';
import { commandIndex, expandCommandPrefix } from './command-prefix.js';
import { CliError, EXIT, ExitSignal, type ExitCode } from './errors.js';
import { ENVIRONMENT_HELP } from './help.js';
import { packageVersion } from '../shared/package-version.js';

export type { Context } from './context.js';
export type { Io } from './io.js';
export {
  CliError,
  UsageError,
  NotConfiguredError,
  InterruptedError,
  ExitSignal,
  EXIT,
  type ExitCode,
} from './errors.js';

type Register = (program: Command, ctx: Context) => void;

/** The commands by name, as each registers itself (a test keeps the two in step). */
export const COMMANDS: ReadonlyArray<readonly [name: string, register: Register]> = [
  ['configure', configure.register],
  ['list-violations', listViolations.register],
  ['resolve-violations', resolveViolations.register],
  ['types', types.register],
  ['show', show.register],
  ['count', count.register],
  ['watch', watch.register],
  ['rules', rules.register],
  ['lifecycle', lifecycle.register],
  // `server`, `ingest`, `migrate`, `export` and `import` reach the server code through one dynamic import() in
  // their actions, so the other commands never load it.
  ['server', server.register],
  ['ingest', ingest.register],
  ['migrate', migrate.register],
  ['export', exportCommand.register],
  ['import', importCommand.register],
  ['completion', completion.register],
  ['help', help.register],
];
const COMMAND_NAMES = COMMANDS.map(([name]) => name);
/** These read the whole program: the help topics list every command, completion scripts name them all. */
const NEED_EVERY_COMMAND = new Set(['help', 'completion']);

function withoutTrailingNewline(text: string): string {
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

/**
 * Builds the program with every command, or with `only` that one (and the program-wide options): enough to run
 * it, and it spares a command's start-up the options and help texts of all the others (~6 ms of ~90 on the CI
 * machine). Exported for tests that inspect the help.
 */
export function buildProgram(ctx: Context, only?: string): Command {
  const version = `fullstop ${packageVersion()}`;
  const program = new Command('fullstop')
    .description('List and resolve fullstop audit violations of your AWS accounts.')
    .version(version, '-V, --version', 'print the version and exit')
    .helpOption('-h, --help', 'show help')
    .helpCommand(false)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (text) => ctx.io.out(withoutTrailingNewline(text)),
      writeErr: (text) => ctx.io.err(withoutTrailingNewline(text)),
    })
    .addHelpText('afterAll', ENVIRONMENT_HELP);
  // The program-wide --profile (its help line is in every command's epilogue).
  profileOption.register(program, ctx);
  for (const [name, register] of COMMANDS) if (only === undefined || name === only) register(program, ctx);
  for (const command of program.commands) command.version(version, '-V, --version', 'print the version and exit');
  return program;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code; never calls process.exit. */
export async function main(argv: string[], ctx: Context): Promise<number> {
  try {
    const args = expandCommandPrefix(argv, COMMAND_NAMES);
    const word = args[commandIndex(args)];
    const only = word !== undefined && COMMAND_NAMES.includes(word) && !NEED_EVERY_COMMAND.has(word) ? word : undefined;
    await buildProgram(ctx, only).parseAsync(args, { from: 'user' });
    return EXIT.ok;
  } catch (error) {
    return report(error, ctx);
  } finally {
    await ctx.close();
  }
}

interface Failure {
  code: ExitCode;
  message?: string;
  hint?: string | undefined;
}

function classify(error: unknown): Failure {
  if (error instanceof ExitSignal) return { code: error.exitCode };
  if (error instanceof CommanderError) {
    // commander printed its own message already.
    const ok = ['commander.helpDisplayed', 'commander.version'].includes(error.code);
    return { code: ok ? EXIT.ok : EXIT.usage };
  }
  if (error instanceof CliError) return { code: error.exitCode, message: error.message, hint: error.hint };
  if (error instanceof AuthError) {
    return {
      code: EXIT.auth,
      message: `${error.method} ${error.url}: ${error.message}`,
      hint:
        error.status === 401
          ? 'the server did not accept the token: pass --token, set FULLSTOP_TOKEN or FULLSTOP_TOKEN_COMMAND'
          : 'the token is valid but not allowed to do this (resolving needs membership in the account)',
    };
  }
  if (error instanceof ApiError)
    return { code: EXIT.failure, message: `${error.method} ${error.url}: ${error.message}` };
  if (error instanceof TimeoutError) {
    return {
      code: EXIT.failure,
      message: error.message,
      hint: 'raise --timeout (or FULLSTOP_TIMEOUT) if the server is just slow',
    };
  }
  if (error instanceof NetworkError) {
    const tries = error.attempts > 1 ? ` (${error.attempts} attempts)` : '';
    return {
      code: EXIT.failure,
      message: error.message,
      hint:
        error.phase === 'connect'
          ? 'check the server URL (FULLSTOP_URL or `fullstop configure`)'
          : `the server, or a proxy in front of it, dropped the connection${tries}; try again later`,
    };
  }
  if (error instanceof InvalidResponseError) {
    return {
      code: EXIT.failure,
      message: error.message,
      hint: 'try again; if it persists, check that the configured URL is a fullstop server',
    };
  }
  if (error instanceof AbortedError) return { code: EXIT.interrupted, message: 'interrupted' };
  // @inquirer/prompts rejects with these when the prompt is closed (Ctrl-C) or aborted.
  if (error instanceof Error && ['ExitPromptError', 'AbortPromptError'].includes(error.name)) {
    return { code: EXIT.interrupted, message: 'interrupted' };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: EXIT.failure,
    message: `unexpected failure: ${message}`,
    hint: 'set FULLSTOP_DEBUG=1 to see the stack trace',
  };
}

function report(error: unknown, ctx: Context): number {
  const failure = classify(error);
  if (failure.message) ctx.io.err(`error: ${failure.message}`);
  if (failure.hint) ctx.io.err(`hint: ${failure.hint}`);
  if (
    ctx.env.FULLSTOP_DEBUG === '1' &&
    error instanceof Error &&
    !(error instanceof CommanderError) &&
    !(error instanceof ExitSignal)
  ) {
    ctx.io.err(error.stack ?? String(error));
  }
  return failure.code;
}
