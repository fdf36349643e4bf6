/**
 * What shell completion needs to know of the program, read from commander itself so that the scripts never
 * fall behind the commands: every command path, its subcommands, its flags, which flags take a value and
 * where the values come from (fixed choices, the server's violation types, the configured profiles, files).
 */
import type { Command, Option } from 'commander';

/** Values computed when completing, by `fullstop __complete KIND`. */
export type Dynamic = 'types' | 'profiles';

export interface FlagSpec {
  /** `-o`, `--output`. */
  names: string[];
  description: string;
  takesValue: boolean;
  /** Fixed values (`-o`: text, json, …). */
  choices?: string[];
  dynamic?: Dynamic;
}

export interface CommandSpec {
  /** `''` for the program, `list-violations`, `rules add`. */
  path: string;
  description: string;
  subcommands: Array<{ name: string; description: string }>;
  flags: FlagSpec[];
  /** What the positional arguments take: fixed words, files, or nothing worth completing. */
  args: { words: string[] } | 'files' | 'none';
}

/** Flags whose values are violation types or profiles, wherever they appear. */
const DYNAMIC: Record<string, Dynamic> = { '--type': 'types', '--profile': 'profiles' };
/** Commands whose arguments are paths. */
const FILE_ARGS = new Set(['ingest']);

function flagOf(option: Option): FlagSpec {
  const names = [option.short, option.long].filter((n): n is string => typeof n === 'string');
  const takesValue = option.required || option.optional;
  const flag: FlagSpec = { names, description: option.description, takesValue };
  if (takesValue && option.argChoices) flag.choices = [...option.argChoices];
  const dynamic = option.long ? DYNAMIC[option.long] : undefined;
  if (takesValue && dynamic) flag.dynamic = dynamic;
  return flag;
}

function argsOf(command: Command, path: string, root: Command, topics: string[]): CommandSpec['args'] {
  if (FILE_ARGS.has(path)) return 'files';
  if (path === 'help') {
    const names = root.commands.filter((c) => !c.name().startsWith('__')).map((c) => c.name());
    return { words: [...topics, ...names] };
  }
  const choices = command.registeredArguments.flatMap((arg) => arg.argChoices ?? []);
  return choices.length > 0 ? { words: choices } : 'none';
}

/** Every visible command of `root`, depth first, the program itself (path '') first; `topics` of `help`. */
export function completionSpec(root: Command, topics: string[]): CommandSpec[] {
  const help = root.createHelp();
  const globals = help
    .visibleOptions(root)
    .filter((o) => o.long === '--profile')
    .map(flagOf);
  const specs: CommandSpec[] = [];
  const visit = (command: Command, path: string) => {
    const subcommands = help.visibleCommands(command).filter((c) => !c.name().startsWith('__'));
    const own = help.visibleOptions(command).map(flagOf);
    specs.push({
      path,
      description: command.description(),
      subcommands: subcommands.map((c) => ({ name: c.name(), description: c.description() })),
      flags: path === '' ? own : [...own, ...globals],
      args: path === '' ? 'none' : argsOf(command, path, root, topics),
    });
    for (const sub of subcommands) visit(sub, path === '' ? sub.name() : `${path} ${sub.name()}`);
  };
  visit(root, '');
  return specs;
}

/** Words the scripts embed unquoted-safe: command names, flags, choices. */
export function checkWord(word: string): string {
  if (!/^[\w.,:+=@/-]+$/.test(word)) throw new Error(`cannot embed ${JSON.stringify(word)} in a completion script`);
  return word;
}
