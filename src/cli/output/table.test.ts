import { stripVTControlCharacters } from 'node:util';
import fc from 'fast-check';
import stringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { cut, oneLine } from './fit.js';
import type { Column, TextStyle } from './render-types.js';
import { renderTable } from './table.js';

interface Row {
  account: string;
  type: string;
  instance: string;
  meta: string;
  comment: string;
  severity: number;
}

const columns: Column<Row>[] = [
  { key: 'account', title: 'Account', value: (r) => r.account },
  { key: 'type', title: 'Type', value: (r) => r.type },
  { key: 'instance', title: 'Instance', value: (r) => r.instance, cutFirst: true },
  { key: 'meta', title: 'Meta Info', value: (r) => r.meta, cutFirst: true },
  { key: 'comment', title: 'Comment', value: (r) => r.comment, cutFirst: true },
  {
    key: 'severity',
    title: 'Sev.',
    value: (r) => r.severity,
    paint: (r, chalk) => (r.severity >= 3 ? chalk.red : undefined),
  },
];

const rows: Row[] = [
  {
    account: '123456789012',
    type: 'WRONG_AMI',
    instance: 'arn:aws:lambda:eu-central-1:123456789012:function:a-rather-long-function-name',
    meta: 'ami_id: ami-1, ami_name: 日本語のイメージ名前, ami_owner_id: 🫠👨‍👩‍👧',
    comment: 'approved by 王小明\nsee SEC-42',
    severity: 3,
  },
  {
    account: '210987654321',
    type: 'WRONG_REGION',
    instance: 'i-1',
    meta: '漢字漢字漢字漢字漢字漢字',
    comment: '',
    severity: 1,
  },
];

const style = (width: number | undefined, color = false): TextStyle => ({
  color,
  relativeTime: false,
  now: new Date(0),
  width,
});
const lines = (text: string) => text.split('\n');

describe('text table on a terminal', () => {
  it.each([40, 60, 80, 120, 200])('is one line per row, at most %i columns wide, colour on or off', (width) => {
    for (const color of [false, true]) {
      const table = renderTable({ rows, columns, raw: (r) => r }, style(width, color));
      expect(lines(table)).toHaveLength(rows.length + 1);
      for (const line of lines(table)) expect(stringWidth(line)).toBeLessThanOrEqual(width);
    }
  });

  it('colours after cutting: without the colour codes the table is the same', () => {
    for (const width of [40, 80, 120]) {
      const plain = renderTable({ rows, columns, raw: (r) => r }, style(width, false));
      const coloured = renderTable({ rows, columns, raw: (r) => r }, style(width, true));
      expect(coloured).toMatch(/^\u001b\[1mAc/);
      expect(coloured).toMatch(/\u001b\[31m3\u001b\[39m\n/);
      expect(stripVTControlCharacters(coloured)).toBe(plain);
    }
  });

  it('cuts the cut-first columns, widest first, and keeps the others whole', () => {
    const table = lines(renderTable({ rows, columns, raw: (r) => r }, style(120)));
    expect(stringWidth(table[0]!)).toBe(120);
    expect(table[1]).toMatch(
      /^123456789012 {2}WRONG_AMI {5}arn:aws:lambda:eu-central-… {2}ami_id: ami-1, ami_name: … +/,
    );
    expect(table[1]).toMatch(/ {2}approved by 王小明 see SEC-… {2}3$/);
    expect(table[2]).toMatch(/^210987654321 {2}WRONG_REGION {2}i-1 +漢字漢字漢字漢字漢字漢字 +1$/);
  });

  it('cuts a wide character whole, never in half', () => {
    const table = lines(renderTable({ rows, columns, raw: (r) => r }, style(60)));
    for (const line of table) expect(line).not.toContain('\uFFFD');
    expect(table.join('\n')).toMatch(/漢…|漢字…/);
  });

  it('shows control characters in values as one line, and escape sequences harmlessly', () => {
    const evil = [{ ...rows[1]!, comment: 'a\tb\r\nc\u001b[2Jd' }];
    const table = renderTable({ rows: evil, columns, raw: (r) => r }, style(200));
    expect(lines(table)).toHaveLength(2);
    expect(table).toContain('a b c\uFFFD[2Jd');
    expect(table).not.toContain('\u001b');
  });

  it('holds for any values and any width (property)', () => {
    const text = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }));
    const row = fc.record({
      account: text,
      type: text,
      instance: text,
      meta: text,
      comment: text,
      severity: fc.integer({ min: 0, max: 4 }),
    });
    fc.assert(
      fc.property(
        fc.array(row, { maxLength: 5 }),
        fc.integer({ min: 20, max: 250 }),
        fc.boolean(),
        (some, width, color) => {
          fc.pre(some.length > 0);
          const table = renderTable({ rows: some, columns, raw: (r) => r }, style(width, color));
          expect(lines(table)).toHaveLength(some.length + 1);
          for (const line of lines(table)) {
            expect(stringWidth(line)).toBeLessThanOrEqual(width);
            // eslint-disable-next-line no-control-regex
            expect(stripVTControlCharacters(line)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('leaves out the last columns on a terminal too narrow for one character each', () => {
    const table = lines(renderTable({ rows, columns, raw: (r) => r }, style(12)));
    expect(table).toHaveLength(3);
    for (const line of table) expect(stringWidth(line)).toBeLessThanOrEqual(12);
  });
});

describe('text table piped (not a terminal)', () => {
  it('keeps full values; a value with a line break spans two lines', () => {
    const table = lines(renderTable({ rows, columns, raw: (r) => r }, style(undefined)));
    expect(table).toHaveLength(4);
    expect(table[1]).toContain(rows[0]!.instance);
    expect(table[1]).toContain(rows[0]!.meta);
    expect(table[1]).toContain('approved by 王小明');
    expect(table[2]).toMatch(/^ +see SEC-42$/);
    expect(table.join('\n')).not.toContain('…');
    // Columns line up by display width: the wide characters take two columns each.
    const column = (line: string, index: number) => stringWidth(line.slice(0, index));
    const sev = column(table[0]!, table[0]!.indexOf('Sev.'));
    expect(column(table[1]!, table[1]!.length - 1)).toBe(sev);
    expect(column(table[3]!, table[3]!.length - 1)).toBe(sev);
    expect(column(table[2]!, table[2]!.indexOf('see'))).toBe(column(table[1]!, table[1]!.indexOf('approved')));
  });
});

describe('cut and oneLine', () => {
  it.each<[string, number, string]>([
    ['abc', 3, 'abc'],
    ['abcd', 3, 'ab…'],
    ['日本語', 6, '日本語'],
    ['日本語', 5, '日本…'],
    ['日本語', 4, '日…'],
    ['👨‍👩‍👧x', 3, '👨‍👩‍👧x'],
    ['👨‍👩‍👧xy', 3, '👨‍👩‍👧…'],
    ['👨‍👩‍👧xy', 2, '…'],
    ['abc', 0, ''],
  ])('cut(%j, %i) → %j', (text, width, expected) => {
    expect(cut(text, width)).toBe(expected);
  });

  it('turns line breaks and tabs into a space and other control characters into �', () => {
    expect(oneLine('a\r\nb\tc\u0007d\u009be')).toBe('a b c\uFFFDd\uFFFDe');
  });
});
