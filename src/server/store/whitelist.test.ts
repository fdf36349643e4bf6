import { describe, it, expect } from 'vitest';
import { compileWhitelist, fullMatchRegex, type WhitelistRule } from './whitelist.js';
import { jsonPathMatches, toJsonPathPlus } from '../../shared/jayway-path.js';

const rule = (over: Partial<WhitelistRule>): WhitelistRule => ({
  id: 1,
  accountId: null,
  region: null,
  violationType: null,
  imageName: null,
  imageOwner: null,
  applicationId: null,
  applicationVersion: null,
  metaInfoJsonPath: null,
  reason: 'r',
  ...over,
});
const draft = {
  eventId: 'e',
  accountId: 'a',
  region: 'eu-west-1',
  type: 'T',
  metaInfo: { user_name: 'ses.ci-master-7', ami_owner_id: '42' },
};

describe('Jayway JsonPath on meta_info', () => {
  it('translates =~ into a full-match regex test and filters the root map itself', () => {
    expect(toJsonPathPlus('$.[?(@.user_name =~ /ses\\.ci-master-.+/)]')).toEqual({
      path: '$[?(_$_re0(@.user_name))]',
      filtersRoot: true,
      regexes: [{ source: 'ses\\.ci-master-.+', flags: '' }],
    });
    expect(jsonPathMatches('$.[?(@.user_name =~ /ses\\.ci-master-.+/)]', { user_name: 'ses.ci-master-7' })).toBe(true);
    expect(jsonPathMatches('$.[?(@.user_name =~ /ses\\.ci-master-.+/)]', { user_name: 'xses.ci-master-7' })).toBe(
      false,
    );
    expect(jsonPathMatches('$[?(@.user_name =~ /SES.*/i)]', { user_name: 'ses' })).toBe(true);
  });

  it('supports plain paths, comparisons and lists', () => {
    expect(jsonPathMatches('$.user_name', { user_name: 'x' })).toBe(true);
    expect(jsonPathMatches('$.missing', { user_name: 'x' })).toBe(false);
    expect(jsonPathMatches("$[?(@.n > 2 && @.kind == 'a')]", { n: 3, kind: 'a' })).toBe(true);
    expect(jsonPathMatches('$[?(@.id == 7)]', [{ id: 7 }, { id: 8 }])).toBe(true);
  });

  it('treats any error or non-JSON input as no match', () => {
    expect(jsonPathMatches('$[?(@.x ==', { x: 1 })).toBe(false);
    expect(jsonPathMatches('$.x', null)).toBe(false);
    expect(jsonPathMatches('$.x', 'text')).toBe(false);
    expect(jsonPathMatches('$[?(process.exit())]', { x: 1 })).toBe(false);
  });
});

describe('compileWhitelist', () => {
  it('needs every active criterion, ignores blank ones and matches nothing without criteria', () => {
    expect(compileWhitelist([rule({ accountId: '  ' })])(draft)).toBeUndefined();
    expect(compileWhitelist([rule({ accountId: 'a', region: 'eu-west-1' })])(draft)?.id).toBe(1);
    expect(compileWhitelist([rule({ accountId: 'a', region: 'us-east-1' })])(draft)).toBeUndefined();
    expect(compileWhitelist([rule({ imageOwner: '42' })])(draft)?.id).toBe(1);
    expect(compileWhitelist([rule({ violationType: 'T', applicationId: 'app' })])(draft)).toBeUndefined();
  });

  it('returns the first matching rule in order', () => {
    const match = compileWhitelist([
      rule({ id: 1, region: 'x' }),
      rule({ id: 2, accountId: 'a' }),
      rule({ id: 3, accountId: 'a' }),
    ]);
    expect(match(draft)?.id).toBe(2);
  });

  it('uses Java full-match semantics for image names and rejects invalid patterns quietly', () => {
    expect(fullMatchRegex('a|b')!('ab')).toBe(false);
    expect(fullMatchRegex('a|b')!('b')).toBe(true);
    expect(fullMatchRegex('(')).toBeUndefined();
    expect(compileWhitelist([rule({ imageName: '(' })])({ ...draft, metaInfo: { ami_name: '(' } })).toBeUndefined();
  });
});
