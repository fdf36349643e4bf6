/**
 * The original client's command group (clickclick's AliasedGroup) ran a command from any unique prefix of its
 * name (`fullstop list`, `fullstop res ...`), so scripts may rely on it; commander only knows full names.
 */
import { UsageError } from './errors.js';

/**
 * Returns `argv` with the command word expanded to the one command it is a unique prefix of; an exact name or
 * an unknown word is left alone (commander reports it), and a prefix of several commands is a usage error.
 */
export function expandCommandPrefix(argv: string[], commands: string[]): string[] {
  // The program's own options (-V, -h) take no value, so the first word that is not an option is the command.
  const at = argv.findIndex((arg) => !arg.startsWith('-'));
  const word = argv[at];
  if (word === undefined || word === '' || commands.includes(word)) return argv;
  const matches = commands.filter((name) => name.startsWith(word));
  if (matches.length === 0) return argv;
  if (matches.length > 1) throw new UsageError(`Too many matches for "${word}": ${[...matches].sort().join(', ')}`);
  return [...argv.slice(0, at), matches[0]!, ...argv.slice(at + 1)];
}
