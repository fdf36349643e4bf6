/**
 * Injected I/O: commands write data with `out` and everything else with `err`, and ask
 * `canPrompt` before prompting. Tests pass buffers; `systemIo()` wires the real process streams.
 */
import { isatty } from 'node:tty';

export interface InputPrompt {
  message: string;
  default?: string | undefined;
  /** Returns true, or the message to show while the answer is not acceptable. */
  validate?: (value: string) => true | string;
}

export interface ConfirmPrompt {
  message: string;
  default?: boolean;
}

/** Interactive questions; the real one is @inquirer/prompts on stderr, tests script the answers. */
export interface Prompter {
  input(prompt: InputPrompt): Promise<string>;
  confirm(prompt: ConfirmPrompt): Promise<boolean>;
}

export interface Io {
  /** Writes one line of data to stdout. */
  out(line: string): void;
  /** Writes one line of diagnostics to stderr. */
  err(line: string): void;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** stdin and stdout are terminals, so a person can answer a prompt. */
  canPrompt: boolean;
  /** Terminal width of stdout, when it is a terminal. */
  columns: number | undefined;
  prompter: Prompter;
  /** The real stderr stream, for progress bars; absent in tests. */
  progressStream?: NodeJS.WriteStream | undefined;
}

/**
 * Whether to colour a stream. `FORCE_COLOR` wins (`0`/`false` turns colour off); otherwise `NO_COLOR` (any
 * non-empty value) and `TERM=dumb` turn it off, and only terminals get colour. chalk does not honour
 * NO_COLOR itself, hence this check.
 */
export function wantsColor(isTTY: boolean, env: Record<string, string | undefined>): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.toLowerCase());
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

function systemPrompter(): Prompter {
  // @inquirer/prompts is loaded on the first question only; it writes to stderr so stdout stays data.
  const context = { output: process.stderr };
  return {
    async input(prompt) {
      const { input } = await import('@inquirer/prompts');
      return input({ message: prompt.message, default: prompt.default, validate: prompt.validate }, context);
    },
    async confirm(prompt) {
      const { confirm } = await import('@inquirer/prompts');
      return confirm({ message: prompt.message, default: prompt.default }, context);
    },
  };
}

/** The Io of the running process. */
export function systemIo(): Io {
  // isatty() on the descriptors, not `process.stdin.isTTY`: touching process.stdin builds a stream (and
  // loads readline) at start-up just to ask a question.
  const stdoutIsTTY = isatty(1);
  return {
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
    stdoutIsTTY,
    stderrIsTTY: isatty(2),
    canPrompt: isatty(0) && stdoutIsTTY,
    columns: stdoutIsTTY ? process.stdout.columns : undefined,
    prompter: systemPrompter(),
    get progressStream() {
      return process.stderr;
    },
  };
}
