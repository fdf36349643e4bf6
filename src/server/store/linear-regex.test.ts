import { describe, it, expect } from 'vitest';
import { compileFullMatch, MAX_PATTERN_LENGTH } from '../../shared/linear-regex.js';
import { compileJsonPath, jsonPathMatches, MAX_JSON_PATH_LENGTH } from '../../shared/jayway-path.js';
import { invalidCriterion } from './whitelist.js';

const matcher = (pattern: string, flags?: string) => {
  const compiled = compileFullMatch(pattern, flags);
  if ('error' in compiled) throw new Error(compiled.error);
  return compiled.matches;
};
const errorOf = (pattern: string, flags?: string) => {
  const compiled = compileFullMatch(pattern, flags);
  return 'error' in compiled ? compiled.error : undefined;
};
const timed = <T>(work: () => T): { result: T; ms: number } => {
  const started = performance.now();
  const result = work();
  return { result, ms: performance.now() - started };
};

describe('linear-time full matches (image_name)', () => {
  it('matches the whole input, as Java String.matches does', () => {
    expect(matcher('taupage-\\d+')('taupage-12')).toBe(true);
    expect(matcher('taupage-\\d+')('my-taupage-12')).toBe(false);
    expect(matcher('a|b')('ab')).toBe(false);
    expect(matcher('(?i)TAUPAGE.*')('taupage-1')).toBe(true);
    expect(matcher('\\Qa.b\\E')('a.b')).toBe(true);
    expect(matcher('\\Qa.b\\E')('axb')).toBe(false);
    expect(matcher('.*(?<=-prod)')('app-prod')).toBe(true);
    expect(matcher('SES.*', 'i')('ses')).toBe(true);
  });

  it('takes linear time on the inputs that make backtracking engines take exponential time', () => {
    const input = `${'a'.repeat(100_000)}!`;
    for (const pattern of ['(a+)+$', '(a|aa)+', '(a|a?)+', '(.*a){12}']) {
      const { result, ms } = timed(() => matcher(pattern)(input));
      expect([pattern, result]).toEqual([pattern, false]);
      expect(ms).toBeLessThan(2000);
    }
  });

  it('refuses what needs backtracking, unknown flags and overlong patterns, saying why', () => {
    expect(errorOf('(a)\\1')).toContain('invalid escape sequence');
    expect(errorOf('(?=a)a')).toContain('unsupported Perl syntax');
    expect(errorOf('a*+')).toContain('invalid nested repetition operator');
    expect(errorOf('(')).toContain('missing closing )');
    expect(errorOf('a', 'x')).toBe("flag 'x' is not supported (i, m, s and u are)");
    expect(errorOf('a'.repeat(MAX_PATTERN_LENGTH + 1))).toBe(`longer than ${MAX_PATTERN_LENGTH} characters`);
    expect(errorOf('a{1001}')).toContain('invalid repeat count');
    expect(invalidCriterion({ imageName: '(?!x)y', metaInfoJsonPath: null })).toBe(
      "image_name: not a valid regular expression (invalid or unsupported Perl syntax: `(?!`): '(?!x)y'",
    );
  });
});

describe('=~ and filters in meta_info_json_path', () => {
  it('runs =~ on the linear-time engine, over strings and the text of numbers and booleans', () => {
    const { result, ms } = timed(() =>
      jsonPathMatches('$.[?(@.user_name =~ /(a|aa)+$/)]', { user_name: `${'a'.repeat(100_000)}!` }),
    );
    expect([result, ms < 2000]).toEqual([false, true]);
    expect(jsonPathMatches('$.[?(@.user_name =~ /a+/)]', { user_name: 'aaa' })).toBe(true);
    expect(jsonPathMatches('$[?(@.port =~ /22|3389/)]', [{ port: 22 }])).toBe(true);
    expect(jsonPathMatches('$[?(@.public =~ /true/)]', [{ public: true }])).toBe(true);
    expect(jsonPathMatches('$[?(@.missing =~ /.*/)]', [{ other: 'x' }])).toBe(false);
    expect(jsonPathMatches('$[?(@.o =~ /.*/)]', [{ o: { a: 1 } }])).toBe(false);
    expect(jsonPathMatches("$[?(@.a =~ /x/ && @['b'] =~ /Y/i)]", [{ a: 'x', b: 'y' }])).toBe(true);
  });

  it('refuses method calls, JavaScript regular expressions, bad =~ patterns and overlong paths', () => {
    const errorOfPath = (path: string) => {
      const compiled = compileJsonPath(path);
      return 'error' in compiled ? compiled.error : undefined;
    };
    expect(errorOfPath('$[?(@.a.repeat(100000000))]')).toBe(
      'functions and methods cannot be called in @.a.repeat(100000000)',
    );
    expect(errorOfPath('$[?(/(a+)+$/.test(@.a))]')).toBe(
      'functions and methods cannot be called in /(a+)+$/.test(@.a)',
    );
    expect(errorOfPath('$[?(@.a == /(a+)+$/)]')).toBe('a regular expression may only follow =~ in @.a == /(a+)+$/');
    expect(errorOfPath('$[?(_$_re0(@.a))]')).toBe('names beginning with _$_ are reserved');
    expect(errorOfPath('$[?(@.a =~ /(?=x)/)]')).toBe(
      'regular expression /(?=x)/: invalid or unsupported Perl syntax: `(?=`',
    );
    expect(errorOfPath('$[?(@.a =~ /x/g)]')).toBe(
      "regular expression /x/g: flag 'g' is not supported (i, m, s and u are)",
    );
    expect(errorOfPath(`$.${'a'.repeat(MAX_JSON_PATH_LENGTH)}`)).toBe(`longer than ${MAX_JSON_PATH_LENGTH} characters`);
  });

  it('checks a long path in linear time', () => {
    const path = `$[?(${Array.from({ length: 150 }, () => '@.a =~ /x/').join(' || ')})]`.slice(0, MAX_JSON_PATH_LENGTH);
    const slashes = `$${' =~ /'.repeat(300)}`;
    for (const candidate of [path, slashes, `$${'/'.repeat(MAX_JSON_PATH_LENGTH - 1)}`]) {
      const { ms } = timed(() => compileJsonPath(candidate));
      expect(ms).toBeLessThan(1000);
    }
  });
});
