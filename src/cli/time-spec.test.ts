import { describe, expect, it } from 'vitest';
import { parseTimeSpec } from './time-spec.js';

const now = new Date('2024-05-31T12:00:00.000Z');

describe('parseTimeSpec', () => {
  it.each([
    ['30s', '2024-05-31T11:59:30.000Z'],
    ['15m', '2024-05-31T11:45:00.000Z'],
    ['24h', '2024-05-30T12:00:00.000Z'],
    ['7d', '2024-05-24T12:00:00.000Z'],
    ['2w', '2024-05-17T12:00:00.000Z'],
    ['1D', '2024-05-30T12:00:00.000Z'],
    ['2024-05-01', '2024-05-01T00:00:00.000Z'],
    ['2024-05-01T10:20', '2024-05-01T10:20:00.000Z'],
    ['2024-05-01T10:20:30Z', '2024-05-01T10:20:30.000Z'],
    ['2024-05-01T10:20:30.5+02:00', '2024-05-01T08:20:30.500Z'],
    ['2015-04-14T19:09:01.000Z', '2015-04-14T19:09:01.000Z'],
  ])('%s → %s', (spec, iso) => {
    expect(parseTimeSpec(spec, now).toISOString()).toBe(iso);
  });

  it.each(['', 'yesterday', '7', '7y', '-1d', '2024-13-01', '2024-05-01T25:00'])('rejects %j', (spec) => {
    expect(() => parseTimeSpec(spec, now)).toThrow(/^invalid time ".*": use a duration like 30s, 15m, 24h, 7d or 2w/);
  });
});
