import { Argument, type Command } from 'commander';
import type { Context } from '../../context.js';
import { HELP_TOPICS } from '../../help.js';

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

const EXAMPLES = `
Examples:
  $ source <(fullstop completion bash)                              # add this line to ~/.bashrc
  $ source <(fullstop completion zsh)                               # to ~/.zshrc, after compinit
  $ fullstop completion fish > ~/.config/fish/completions/fullstop.fish

Completes commands, flags, output formats, profiles and violation types. The types come from the server and
are kept for a day in the settings directory (cache/violation-types.json); when the server cannot be reached,
completion offers the types it knew (or none) within two seconds, without an error.`;

/** The completion script for `shell`, for the commands of `root`. */
export async function completionScript(shell: Shell, root: Command): Promise<string> {
  const { completionSpec } = await import('./spec.js');
  const specs = completionSpec(root, Object.keys(HELP_TOPICS));
  if (shell === 'bash') return (await import('./bash.js')).bashScript(specs);
  if (shell === 'zsh') return (await import('./zsh.js')).zshScript(specs);
  return (await import('./fish.js')).fishScript(specs);
}

/** The words `fullstop __complete KIND` prints; anything unexpected yields no words, never an error. */
async function dynamicWords(kind: string, ctx: Context): Promise<string[]> {
  try {
    if (kind === 'types') return await (await import('./types-cache.js')).completionTypes(ctx);
    if (kind === 'profiles') return await (await import('../../config-store.js')).listProfiles(ctx.configDir);
  } catch {
    // Completion must stay silent: a broken config or environment shows up when a real command runs.
  }
  return [];
}

export function register(program: Command, ctx: Context): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh, fish)')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText('after', EXAMPLES)
    .action(async (shell: Shell) => {
      ctx.io.out((await completionScript(shell, program)).trimEnd());
    });
  // Called by the scripts while completing: violation types, profiles.
  program
    .command('__complete', { hidden: true })
    .argument('[kind]')
    .allowExcessArguments()
    .allowUnknownOption()
    .action(async (kind: string | undefined) => {
      for (const word of await dynamicWords(kind ?? '', ctx)) ctx.io.out(word);
    });
}
