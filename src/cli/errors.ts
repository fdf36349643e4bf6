/**
 * Errors that carry their own exit code and an optional hint, so `main()` is the only place that turns a
 * failure into output and a status. Commands throw; they never print-and-exit.
 */

/** Process exit codes (documented in `fullstop --help`). */
export const EXIT = {
  ok: 0,
  /** Runtime failure: API error, network, any failed item of a batch. */
  failure: 1,
  /** Bad flag or value, missing argument, missing configuration. */
  usage: 2,
  /** `--exit-code` was given and at least one violation matched. */
  violationsFound: 3,
  /** The server refused the token (401/403). */
  auth: 4,
  /** Ctrl-C or a closed prompt. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export interface CliErrorOptions {
  hint?: string;
  cause?: unknown;
}

/** A failure the user can act on; printed as `error: message` plus `hint: …`. Exit 1 unless a subclass says otherwise. */
export class CliError extends Error {
  override name = 'CliError';
  readonly exitCode: ExitCode = EXIT.failure;
  readonly hint: string | undefined;

  constructor(message: string, options: CliErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.hint = options.hint;
  }
}

/** The command line itself is wrong: bad flag, bad value, bad combination. Exit 2. */
export class UsageError extends CliError {
  override name = 'UsageError';
  override readonly exitCode = EXIT.usage;
}

/** A required setting (server URL, accounts) is missing. Exit 2, like a usage error. */
export class NotConfiguredError extends CliError {
  override name = 'NotConfiguredError';
  override readonly exitCode = EXIT.usage;
}

/** The user stopped us (Ctrl-C, closed prompt). Exit 130. */
export class InterruptedError extends CliError {
  override name = 'InterruptedError';
  override readonly exitCode = EXIT.interrupted;
}

/** Not an error: a command asks `main()` to exit with this code after it has printed everything. */
export class ExitSignal extends Error {
  override name = 'ExitSignal';
  constructor(readonly exitCode: ExitCode) {
    super(`exit ${exitCode}`);
  }
}
