import { describe, expect, it } from 'vitest';
import { toCsvLine, toTsvLine } from './delimited.js';
import { render, type Column } from './render.js';
import { wantsColor } from '../io.js';

interface Row {
  id: number;
  note: string | null;
}
const columns: Column<Row>[] = [
  { key: 'id', title: 'Id', value: (r) => r.id },
  { key: 'note', title: 'Note', value: (r) => r.note },
];
const rows: Row[] = [
  { id: 1, note: 'tab\there' },
  { id: 2, note: null },
  { id: 3, note: 'say "hi", then\nleave' },
];
const style = { color: false, relativeTime: false, now: new Date(0), width: undefined };

describe('renderers', () => {
  it('json is one array, [] when empty', async () => {
    expect(await render({ rows, columns, raw: (r) => r }, 'json', style)).toEqual([JSON.stringify(rows, null, 2)]);
    expect(await render({ rows: [], columns, raw: (r) => r }, 'json', style)).toEqual(['[]']);
  });

  it('ndjson is one object per line', async () => {
    expect(await render({ rows, columns, raw: (r) => r }, 'ndjson', style)).toEqual(rows.map((r) => JSON.stringify(r)));
  });

  it('tsv escapes tabs, newlines and backslashes', async () => {
    expect(await render({ rows, columns, raw: (r) => r }, 'tsv', style)).toEqual([
      'id\tnote',
      '1\ttab\\there',
      '2\t',
      '3\tsay "hi", then\\nleave',
    ]);
    expect(toTsvLine(['a\\b'])).toBe('a\\\\b');
  });

  it('csv quotes as RFC 4180', async () => {
    expect(await render({ rows, columns, raw: (r) => r }, 'csv', style)).toEqual([
      'id,note',
      '1,tab\there',
      '2,',
      '3,"say ""hi"", then\nleave"',
    ]);
    expect(toCsvLine([null, undefined, true, 0])).toBe(',,true,0');
  });

  it('text is a borderless table, nothing when empty', async () => {
    expect(await render({ rows: rows.slice(0, 2), columns, raw: (r) => r }, 'text', style)).toEqual([
      'Id  Note\n1   tab\there\n2',
    ]);
    expect(await render({ rows: [], columns, raw: (r) => r }, 'text', style)).toEqual([]);
  });
});

describe('wantsColor', () => {
  it.each([
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: '1' }, false],
    [true, { NO_COLOR: '' }, true],
    [true, { TERM: 'dumb' }, false],
    [false, { FORCE_COLOR: '1' }, true],
    [true, { FORCE_COLOR: '0', NO_COLOR: '' }, false],
    [true, { FORCE_COLOR: '1', NO_COLOR: '1' }, true],
  ])('tty=%s env=%j → %s', (tty, env, expected) => {
    expect(wantsColor(tty, env)).toBe(expected);
  });
});
