import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatMetaInfo, formatMetaInfoField } from './meta-info.js';

// The mappings' expectations are what the original's format_meta_info gives with PyYAML's default flow style
// of 2017 (PyYAML 6 with default_flow_style=None reproduces it), except where it broke the line: nested
// collections of collections and values longer than 80 characters, which it printed over several lines.
describe('formatMetaInfo: one line, as the original printed it with PyYAML 3', () => {
  it.each<[string, unknown, string]>([
    [
      'a list of scalars in flow style',
      { allowed_regions: ['eu-central-1', 'eu-west-1'] },
      'allowed_regions: [eu-central-1, eu-west-1]',
    ],
    [
      'keys sorted, the empty string quoted',
      { key_name: 'ops', ami_id: 'ami-1', ami_name: '' },
      "ami_id: ami-1, ami_name: '', key_name: ops",
    ],
    ['nested maps in braces', { x: { b: ['v'], a: 1 }, z: [{ c: null }] }, 'x: {a: 1, b: [v]}, z: [{c: null}]'],
    [
      'numbers, booleans and null as YAML',
      { num: 1.5, t: true, f: false, none: null },
      'f: false, none: null, num: 1.5, t: true',
    ],
    [
      'strings that YAML 1.1 would read otherwise quoted',
      { a: '999', b: 'yes', c: '2024-05-30', d: 'a: b', e: '' },
      "a: '999', b: 'yes', c: '2024-05-30', d: 'a: b', e: ''",
    ],
    ['one-letter keys unquoted, as PyYAML does', { y: 1, n: 2 }, 'n: 2, y: 1'],
    ['control characters escaped in double quotes', { 'k\te': 'line 1\nline 2' }, '"k\\te": "line 1\\nline 2"'],
    ['wide characters as they are', { name: '日本語 🫠' }, 'name: 日本語 🫠'],
    [
      'the application keys dropped',
      { application_id: 'app', application_version: '1.0', ami_id: 'ami-1' },
      'ami_id: ami-1',
    ],
    ['nothing when only the application keys are there', { application_id: 'app', application_version: '1.0' }, ''],
    [
      'a list in brackets',
      [{ mfa_active: false }, 'AKIAIOSFODNN7EXAMPLE'],
      '[{mfa_active: false}, AKIAIOSFODNN7EXAMPLE]',
    ],
    ['a string as it is', 'key pair dev-key', 'key pair dev-key'],
    ['a number', 42, '42'],
    ['a boolean', false, 'false'],
    ['nothing for null', null, ''],
    ['nothing for undefined', undefined, ''],
    ['nothing for an empty map', {}, ''],
    ['nothing for an empty list', [], ''],
    ['an empty map inside', { a: {}, b: [] }, 'a: {}, b: []'],
    ['a last value in braces keeps them', { a: { b: 1 } }, 'a: {b: 1}'],
  ])('%s', (_name, meta, expected) => {
    expect(formatMetaInfo(meta)).toBe(expected);
  });

  it('never folds a long value', () => {
    const long = `${'x'.repeat(300)} ${'y'.repeat(300)}`;
    expect(formatMetaInfo({ long })).toBe(`long: ${long}`);
  });

  it('is one line for any JSON meta info that is not a bare string', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (meta) => {
        fc.pre(typeof meta !== 'string');
        expect(formatMetaInfo(meta)).not.toMatch(/[\r\n]/);
      }),
      { numRuns: 500 },
    );
  });
});

describe('formatMetaInfoField: the tsv/csv field stays as it was', () => {
  it.each<[unknown, string]>([
    [{ allowed_regions: ['eu-west-1', 'eu-central-1'] }, 'allowed_regions:, - eu-west-1, - eu-central-1'],
    [{ ami_owner_id: '', ami_id: 'ami-1', ami_name: 'x' }, "ami_id: ami-1, ami_name: x, ami_owner_id: ''"],
    [[{ mfa_active: false }, 'AKIA'], '- mfa_active: false, - AKIA'],
    ['key pair dev-key', 'key pair dev-key'],
    [null, ''],
    [{ application_id: 'app' }, ''],
  ])('%j → %j', (meta, expected) => {
    expect(formatMetaInfoField(meta)).toBe(expected);
  });
});
