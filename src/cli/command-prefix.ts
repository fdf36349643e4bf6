/**
 * The original client's command group (clickclick's AliasedGroup) ran a command from any unique prefix of its
 * name (`fullstop list`, `fullstop res ...`), so scripts may rely on it; commander only knows full names.
 * The original had four commands; a prefix that was unique among them keeps meaning the same command now that
 * there are more (`fullstop r` is still resolve-violations, not rules).
 */
import { UsageError } from './errors.js';

/** The original client's commands, which win a prefix they share with newer ones. */
const ORIGINAL_COMMANDS = ['configure', 'list-violations', 'resolve-violations', 'types'];
/** Program options that take a value: the word after them is that value, not the command. */
const VALUE_OPTIONS = new Set(['--profile']);

/** Where the command word is: the first word that is neither an option nor a program option's value. */
export function commandIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (VALUE_OPTIONS.has(arg)) i++;
    else if (!arg.startsWith('-')) return i;
  }
  return -1;
}

/**
 * Returns `argv` with the command word expanded to the one command it is a unique prefix of; an exact name or
 * an unknown word is left alone (commander reports it), and a prefix of several commands is a usage error.
 */
export function expandCommandPrefix(argv: string[], commands: string[]): string[] {
  const at = commandIndex(argv);
  const word = argv[at];
  if (word === undefined || word === '' || commands.includes(word)) return argv;
  let matches = commands.filter((name) => name.startsWith(word));
  if (matches.length > 1) {
    const original = matches.filter((name) => ORIGINAL_COMMANDS.includes(name));
    if (original.length === 1) matches = original;
  }
  if (matches.length === 0) return argv;
  if (matches.length > 1) throw new UsageError(`Too many matches for "${word}": ${[...matches].sort().join(', ')}`);
  return [...argv.slice(0, at), matches[0]!, ...argv.slice(at + 1)];
}
