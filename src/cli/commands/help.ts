import type { Command } from 'commander';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { HELP_TOPICS } from '../help.js';

const EXAMPLES = `
Examples:
  $ fullstop help environment
  $ fullstop help exit-codes
  $ fullstop help rules add`;

/** The command that `words` name (`rules add`), or undefined. */
function find(root: Command, words: string[]): Command | undefined {
  let command: Command | undefined = root;
  for (const word of words) {
    command = command?.commands.find((c) => c.name() === word || c.aliases().includes(word));
  }
  return command;
}

export function register(program: Command, ctx: Context): void {
  program
    .command('help')
    .description('show the help of a command, or a topic: environment, exit-codes')
    .argument('[topic...]', 'a topic, or a command such as "rules add"')
    .addHelpText('after', EXAMPLES)
    .action((words: string[]) => {
      const topic = HELP_TOPICS[words.join(' ')];
      if (topic) {
        for (const line of topic.text.split('\n')) ctx.io.out(line);
        return;
      }
      const command = words.length === 0 ? program : find(program, words);
      if (!command) {
        throw new UsageError(`no help topic or command "${words.join(' ')}"`, {
          hint: `topics: ${Object.keys(HELP_TOPICS).join(', ')}; commands: ${program.commands
            .map((c) => c.name())
            .filter((name) => !name.startsWith('__'))
            .join(', ')}`,
        });
      }
      command.outputHelp();
    });
}
