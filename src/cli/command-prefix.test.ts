import { describe, expect, it } from 'vitest';
import { expandCommandPrefix } from './command-prefix.js';
import { UsageError } from './errors.js';

const COMMANDS = ['configure', 'list-violations', 'resolve-violations', 'types', 'server', 'ingest'];

describe('command prefixes (the original AliasedGroup)', () => {
  it.each([
    [
      ['list', '-l', '5'],
      ['list-violations', '-l', '5'],
    ],
    [
      ['res', 'comment', '-t', 'X'],
      ['resolve-violations', 'comment', '-t', 'X'],
    ],
    [['t'], ['types']],
    [
      ['-h', 'conf'],
      ['-h', 'configure'],
    ],
  ])('%j runs %j', (argv, expected) => {
    expect(expandCommandPrefix(argv, COMMANDS)).toEqual(expected);
  });

  it.each([[['types']], [['nope']], [[]], [['--version']], [['']]])('leaves %j alone', (argv) => {
    expect(expandCommandPrefix(argv, COMMANDS)).toEqual(argv);
  });

  it('only expands the command word, never an argument after it', () => {
    expect(expandCommandPrefix(['types', 'li'], COMMANDS)).toEqual(['types', 'li']);
  });

  it('rejects a prefix of several commands as a usage error naming them', () => {
    expect(() => expandCommandPrefix(['s'], ['server', 'show'])).toThrow(UsageError);
    expect(() => expandCommandPrefix(['co'], ['configure', 'count', 'completion'])).not.toThrow();
    expect(() => expandCommandPrefix(['c'], ['count', 'completion'])).toThrow(
      'Too many matches for "c": completion, count',
    );
  });

  it("gives the original's four commands a prefix they share with newer ones", () => {
    const all = [...COMMANDS, 'count', 'completion', 'rules', 'show', 'watch'];
    expect(expandCommandPrefix(['c', '--url', 'x'], all)).toEqual(['configure', '--url', 'x']);
    expect(expandCommandPrefix(['r', '-i', '1', 'c'], all)).toEqual(['resolve-violations', '-i', '1', 'c']);
    expect(expandCommandPrefix(['ru', 'list'], all)).toEqual(['rules', 'list']);
    expect(expandCommandPrefix(['w'], all)).toEqual(['watch']);
  });

  it('skips the value of --profile when looking for the command word', () => {
    expect(expandCommandPrefix(['--profile', 'prod', 'list'], COMMANDS)).toEqual([
      '--profile',
      'prod',
      'list-violations',
    ]);
    expect(expandCommandPrefix(['--profile=prod', 'list'], COMMANDS)).toEqual(['--profile=prod', 'list-violations']);
  });
});
