import { describe, expect, it } from 'vitest';
import {
  folderPrefix,
  isPastWindow,
  keepKey,
  parseCloudTrailKey,
  planScan,
  type ListDirs,
  type ScanRange,
} from './key-path.js';
import type { SourceFilter } from './source.js';

const FILE = '123456789012_CloudTrail_eu-west-1_20240105T1200Z_abc.json.gz';
const ORG = 'o-a1b2c3d4e5';

describe('parseCloudTrailKey', () => {
  it.each([
    [
      `AWSLogs/123456789012/CloudTrail/eu-west-1/2024/01/05/${FILE}`,
      { account: '123456789012', region: 'eu-west-1', date: '2024-01-05' },
    ],
    [
      `logs/x/AWSLogs/123456789012/CloudTrail/us-gov-west-1/2024/12/31/${FILE}`,
      { account: '123456789012', region: 'us-gov-west-1', date: '2024-12-31' },
    ],
    [
      `AWSLogs/${ORG}/210987654321/CloudTrail/ap-southeast-2/2023/02/28/f.json`,
      { orgId: ORG, account: '210987654321', region: 'ap-southeast-2', date: '2023-02-28' },
    ],
  ])('parses %s', (key, expected) => {
    expect(parseCloudTrailKey(key)).toEqual(expected);
  });

  it.each([
    ['not in the layout', 'random/file.json'],
    ['a short account id', `AWSLogs/12345/CloudTrail/eu-west-1/2024/01/05/${FILE}`],
    ['a digest file', `AWSLogs/123456789012/CloudTrail-Digest/eu-west-1/2024/01/05/${FILE}`],
    ['an impossible day', `AWSLogs/123456789012/CloudTrail/eu-west-1/2024/02/30/${FILE}`],
    ['a month 13', `AWSLogs/123456789012/CloudTrail/eu-west-1/2024/13/01/${FILE}`],
    ['a folder, not a file', 'AWSLogs/123456789012/CloudTrail/eu-west-1/2024/01/05/'],
    ['a prefix glued to AWSLogs', `myAWSLogs/123456789012/CloudTrail/eu-west-1/2024/01/05/${FILE}`],
  ])('rejects %s', (_, key) => {
    expect(parseCloudTrailKey(key)).toBeUndefined();
  });
});

describe('keepKey', () => {
  const key = (account: string, region: string, day: string) =>
    `AWSLogs/${account}/CloudTrail/${region}/${day}/${FILE}`;
  const inLayout = key('123456789012', 'eu-west-1', '2024/01/05');

  it('keeps a key outside the layout only when no filter is set', () => {
    expect(keepKey('notes/readme.json', {})).toBe(true);
    expect(keepKey('notes/readme.json', { accounts: [] })).toBe(true);
    expect(keepKey('notes/readme.json', { regions: ['eu-west-1'] })).toBe(false);
    expect(keepKey('notes/readme.json', { since: new Date('2020-01-01T00:00:00Z') })).toBe(false);
  });

  it('always drops digests, insights and folder markers', () => {
    expect(keepKey(`AWSLogs/123456789012/CloudTrail-Digest/eu-west-1/2024/01/05/${FILE}`, {})).toBe(false);
    expect(keepKey(`AWSLogs/${ORG}/123456789012/CloudTrail-Insight/eu-west-1/2024/01/05/${FILE}`, {})).toBe(false);
    expect(keepKey('AWSLogs/123456789012/CloudTrail/eu-west-1/', {})).toBe(false);
  });

  it('filters by account and region', () => {
    expect(keepKey(inLayout, { accounts: ['123456789012'], regions: ['eu-west-1'] })).toBe(true);
    expect(keepKey(inLayout, { accounts: ['210987654321'] })).toBe(false);
    expect(keepKey(inLayout, { regions: ['us-east-1'] })).toBe(false);
  });

  it('keeps days from the day of since, and one day after the day of until', () => {
    const at = (iso: string) => new Date(iso);
    expect(keepKey(inLayout, { since: at('2024-01-05T23:59:00Z') })).toBe(true);
    expect(keepKey(inLayout, { since: at('2024-01-06T00:00:00Z') })).toBe(false);
    expect(keepKey(inLayout, { until: at('2024-01-04T08:00:00Z') })).toBe(true);
    expect(keepKey(inLayout, { until: at('2024-01-03T23:59:59Z') })).toBe(false);
  });
});

describe('folderPrefix', () => {
  it.each([
    ['', ''],
    ['/', ''],
    ['logs', 'logs/'],
    ['/logs/trail/', 'logs/trail/'],
  ])('%j → %j', (input, expected) => expect(folderPrefix(input)).toBe(expected));
});

/** A fake directory tree, recording every prefix listed. */
function tree(dirs: Record<string, string[]>): { listDirs: ListDirs; listed: string[] } {
  const listed: string[] = [];
  return {
    listed,
    listDirs: async (prefix) => {
      listed.push(prefix);
      return dirs[prefix] ?? [];
    },
  };
}

async function plan(base: string, filter: SourceFilter, listDirs: ListDirs): Promise<ScanRange[]> {
  const out: ScanRange[] = [];
  for await (const range of planScan(base, filter, listDirs)) out.push(range);
  return out;
}

describe('planScan', () => {
  const bucket = tree({
    'logs/AWSLogs/': ['111111111111', '222222222222', ORG, 'junk'],
    [`logs/AWSLogs/${ORG}/`]: ['333333333333', '444444444444'],
    'logs/AWSLogs/111111111111/CloudTrail/': ['eu-west-1', 'us-east-1'],
    'logs/AWSLogs/222222222222/CloudTrail/': ['eu-central-1'],
    [`logs/AWSLogs/${ORG}/333333333333/CloudTrail/`]: ['eu-west-1'],
    [`logs/AWSLogs/${ORG}/444444444444/CloudTrail/`]: ['eu-west-1'],
  });

  it('lists the base whole without a filter, and discovers nothing', async () => {
    const t = tree({});
    expect(await plan('logs', {}, t.listDirs)).toEqual([{ prefix: 'logs/' }]);
    expect(t.listed).toEqual([]);
  });

  it('narrows to the named accounts and regions, in plain and organisation layouts', async () => {
    const t = tree({
      'logs/AWSLogs/': ['111111111111', '222222222222', ORG],
      [`logs/AWSLogs/${ORG}/`]: ['333333333333'],
    });
    const ranges = await plan(
      'logs',
      { accounts: ['111111111111', '333333333333'], regions: ['eu-west-1'] },
      t.listDirs,
    );
    expect(ranges).toEqual([
      { prefix: 'logs/AWSLogs/111111111111/CloudTrail/eu-west-1/' },
      { prefix: `logs/AWSLogs/${ORG}/333333333333/CloudTrail/eu-west-1/` },
    ]);
    expect(t.listed).toEqual(['logs/AWSLogs/', `logs/AWSLogs/${ORG}/`]);
  });

  it('lists each account whole when only accounts are given', async () => {
    const ranges = await plan('logs/', { accounts: ['222222222222'] }, bucket.listDirs);
    expect(ranges).toEqual([{ prefix: 'logs/AWSLogs/222222222222/CloudTrail/' }]);
  });

  it('discovers regions and starts each at the since day when dates are given', async () => {
    const t = tree({
      'AWSLogs/': ['111111111111'],
      'AWSLogs/111111111111/CloudTrail/': ['eu-west-1', 'us-east-1'],
    });
    const ranges = await plan(
      '',
      { since: new Date('2024-01-05T10:00:00Z'), until: new Date('2024-01-07T10:00:00Z') },
      t.listDirs,
    );
    expect(ranges).toEqual([
      {
        prefix: 'AWSLogs/111111111111/CloudTrail/eu-west-1/',
        startAfter: 'AWSLogs/111111111111/CloudTrail/eu-west-1/2024/01/05',
        lastDay: '2024-01-08',
      },
      {
        prefix: 'AWSLogs/111111111111/CloudTrail/us-east-1/',
        startAfter: 'AWSLogs/111111111111/CloudTrail/us-east-1/2024/01/05',
        lastDay: '2024-01-08',
      },
    ]);
    expect(t.listed).toEqual(['AWSLogs/', 'AWSLogs/111111111111/CloudTrail/']);
  });

  it('starts from a base that already points into the layout', async () => {
    const t = tree({ [`x/AWSLogs/${ORG}/`]: ['333333333333', '444444444444'] });
    expect(await plan(`x/AWSLogs/${ORG}`, { regions: ['eu-west-1'] }, t.listDirs)).toEqual([
      { prefix: `x/AWSLogs/${ORG}/333333333333/CloudTrail/eu-west-1/` },
      { prefix: `x/AWSLogs/${ORG}/444444444444/CloudTrail/eu-west-1/` },
    ]);
    expect(
      await plan('AWSLogs/111111111111/CloudTrail/eu-west-1/', { accounts: ['111111111111'] }, t.listDirs),
    ).toEqual([{ prefix: 'AWSLogs/111111111111/CloudTrail/eu-west-1/' }]);
    expect(await plan('AWSLogs/111111111111/', { accounts: ['222222222222'] }, t.listDirs)).toEqual([]);
    expect(
      await plan('AWSLogs/111111111111/CloudTrail/eu-west-1/2024/', { regions: ['eu-west-1'] }, t.listDirs),
    ).toEqual([{ prefix: 'AWSLogs/111111111111/CloudTrail/eu-west-1/2024/' }]);
  });

  it('discovers every account, including those of organisation trails, when only regions are given', async () => {
    const ranges = await plan('logs', { regions: ['eu-west-1'] }, bucket.listDirs);
    expect(ranges.map((r) => r.prefix)).toEqual([
      'logs/AWSLogs/111111111111/CloudTrail/eu-west-1/',
      'logs/AWSLogs/222222222222/CloudTrail/eu-west-1/',
      `logs/AWSLogs/${ORG}/333333333333/CloudTrail/eu-west-1/`,
      `logs/AWSLogs/${ORG}/444444444444/CloudTrail/eu-west-1/`,
    ]);
  });
});

describe('isPastWindow', () => {
  it('is true only for layout keys after the last day of a dated range', () => {
    const range: ScanRange = { prefix: 'AWSLogs/111111111111/CloudTrail/eu-west-1/', lastDay: '2024-01-08' };
    expect(isPastWindow(`${range.prefix}2024/01/08/${FILE}`, range)).toBe(false);
    expect(isPastWindow(`${range.prefix}2024/01/09/${FILE}`, range)).toBe(true);
    expect(isPastWindow(`${range.prefix}2024/01/09/${FILE}`, { prefix: range.prefix })).toBe(false);
  });
});
