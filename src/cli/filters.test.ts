import { describe, expect, it } from 'vitest';
import { metaMatches, parseMetaFilter } from './meta-filter.js';
import { remetaMatches } from './filters.js';
import { formatMetaInfo } from './output/meta-info.js';

describe('meta filter', () => {
  it('parses k=v pairs, trimming, keeping = in values', () => {
    expect(parseMetaFilter(' a = 1 ,b=x=y')).toEqual([
      ['a', '1'],
      ['b', 'x=y'],
    ]);
    expect(() => parseMetaFilter('novalue')).toThrow('invalid meta filter "novalue"');
  });

  it.each([
    [{ ami_name: 'another-ami' }, 'ami_name=another-ami', true],
    [{ ami_name: 'another-ami', x: 1 }, 'ami_name=another-ami,x=1', true],
    [{ ami_name: 'taupage' }, 'ami_name=another-ami', false],
    ['{"ami_name": "another-ami"}', 'ami_name=another-ami', true],
    ['plain text', 'ami_name=x', false],
    [null, 'a=b', false],
    [[{ a: 'b' }], 'a=b', false],
    [{ flag: false }, 'flag=false', true],
    [{}, 'missing=', false],
    // Python's str() spellings, which the original compared against.
    [{ flag: true }, 'flag=True', true],
    [{ flag: false }, 'flag=False', true],
    [{ flag: true }, 'flag=False', false],
    [{ gone: null }, 'gone=None', true],
    [{ gone: null }, 'gone=null', true],
    [{ other: 1 }, 'missing=None', true],
    [{ text: 'True' }, 'text=true', false],
  ])('%j with %s → %s', (meta, filter, expected) => {
    expect(metaMatches(meta, parseMetaFilter(filter))).toBe(expected);
  });
});

describe('formatMetaInfo (as the original printed it)', () => {
  it.each([
    [null, ''],
    ['foo', 'foo'],
    [{ b: 2, a: 'x' }, 'a: x, b: 2'],
    [{ ami_owner_id: '', n: '999' }, "ami_owner_id: '', n: '999'"],
    [{ application_id: 'app', application_version: '1.0', k: 'v' }, 'k: v'],
    [['a', 'b'], '[a, b]'],
    [{ allowed_regions: ['eu-west-1', 'eu-central-1'] }, 'allowed_regions: [eu-west-1, eu-central-1]'],
    [{ a: { b: 1 } }, 'a: {b: 1}'],
  ])('%j → %j', (meta, text) => {
    expect(formatMetaInfo(meta)).toBe(text);
  });
});

describe('remeta', () => {
  it('matches at the start of the formatted meta info, like re.match', () => {
    expect(remetaMatches({ app_name: 'foobar' }, /app_name: foo/, formatMetaInfo)).toBe(true);
    expect(remetaMatches({ app_name: 'foobar' }, /foobar/, formatMetaInfo)).toBe(false);
    expect(remetaMatches({ app_name: 'foobar' }, /.*foobar/, formatMetaInfo)).toBe(true);
    expect(remetaMatches(null, /.*/, formatMetaInfo)).toBe(false);
    expect(remetaMatches('app_name, foobar', /app_name/g, formatMetaInfo)).toBe(true);
  });
});

describe('the meta parameter sent to a newer server', () => {
  it('leaves out the pairs only the client matches (Python spellings), keeping the rest', async () => {
    const { toViolationQuery } = await import('./violation-query.js');
    const query = (meta: string) =>
      toViolationQuery({ since: new Date(0), limit: 20, meta: parseMetaFilter(meta) }, []).meta;
    expect(query('public=True,ami_name=x')).toBe('ami_name=x');
    expect(query('a=None,b=null,c=False')).toBeUndefined();
    expect(query('flag=true')).toBe('flag=true');
  });
});
