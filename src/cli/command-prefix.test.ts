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
    expect(() => expandCommandPrefix(['co'], ['configure', 'count'])).toThrow(UsageError);
    expect(() => expandCommandPrefix(['co'], ['configure', 'count'])).toThrow(
      'Too many matches for "co": configure, count',
    );
  });
});
