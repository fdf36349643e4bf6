// The files of the malformed corpus that are not CloudTrail at all: broken gzip, gzip bombs, not JSON, JSON of
// another shape, deep nesting and a lone 50 MB record. Each must be failed with a reason matching `reason`.
import { gzipSync } from 'node:zlib';
import { writeGzipBomb, writeWithHugeString } from './corpus-files.mjs';
import { DEEP, deepArray, deepObject, goodRecord } from './corpus-records.mjs';

/** Writes them through the corpus context `c` (see malformed-corpus.mjs). */
export function writeBroken(c) {
  const { failed, goods, sample, manifest, bombBytes } = c;
  // Broken gzip.
  const gz = gzipSync(sample);
  const GZIP = 'corrupt or truncated gzip';
  failed('gzip-truncated', 'json.gz', gz.subarray(0, Math.floor(gz.length / 2)), GZIP);
  const flipped = Buffer.from(gz);
  for (let i = 12; i < flipped.length - 8; i += 7) flipped[i] ^= 0x5a;
  failed('gzip-corrupt', 'json.gz', flipped, GZIP);
  const badCrc = Buffer.from(gz);
  badCrc.writeUInt32LE((badCrc.readUInt32LE(badCrc.length - 8) ^ 1) >>> 0, badCrc.length - 8);
  failed('gzip-bad-crc', 'json.gz', badCrc, GZIP);
  failed('gzip-header-only', 'json.gz', gz.subarray(0, 10), GZIP);
  failed('gzip-magic-only', 'json.gz', Buffer.from([0x1f, 0x8b]), GZIP);
  failed('gzip-second-member-corrupt', 'json.gz', Buffer.concat([gz, gz.subarray(0, 20)]), GZIP);
  failed('gzip-of-invalid-json', 'json.gz', gzipSync('{"Records": [ {"eventID": '), 'invalid JSON');

  // Gzip bombs: zeros, whitespace inside the records array, a first NDJSON line then no end of line.
  const bombs = [
    ['gzip-bomb-zeros', { fill: 0, fillBytes: bombBytes }, 'not CloudTrail'],
    [
      'gzip-bomb-records-whitespace',
      {
        prefix: `{"Records":[${JSON.stringify(goodRecord('bomb-0'))},`,
        fill: 0x20,
        fillBytes: bombBytes,
        suffix: ']}',
      },
      'more than',
    ],
    [
      'gzip-bomb-ndjson-line',
      {
        prefix: `${JSON.stringify(goodRecord('bomb-1'))}\n{"eventID":"`,
        fill: 0x61,
        fillBytes: bombBytes,
        suffix: '"}\n',
      },
      'more than',
    ],
  ];
  for (const [label, spec, reason] of bombs) {
    const path = failed(label, 'json.gz', undefined, reason);
    manifest.at(-1).decompressedBytes = writeGzipBomb(path, spec);
  }

  // Not JSON, or not CloudTrail.
  failed('empty', 'json', '', 'empty file');
  failed('whitespace-only', 'json', ' \n\t\r\n ', 'empty file');
  failed('bom-only', 'json', '\uFEFF', 'empty file');
  for (const [label, text] of [
    ['null', 'null'],
    ['number', '42'],
    ['string', '"Records"'],
    ['boolean', 'true'],
    ['records-missing', '{"eventVersion":"1.08"}'],
    ['records-lowercase', `{"records":${JSON.stringify(goods('lower', 1))}}`],
    ['array-without-records', '[1, 2, 3]'],
  ])
    failed(label, 'json', text, 'not CloudTrail');
  for (const [label, value] of [
    ['records-null', 'null'],
    ['records-object', '{}'],
    ['records-string', '"x"'],
    ['records-number', '5'],
  ])
    failed(label, 'json', `{"Records": ${value}}`, 'not CloudTrail: "Records" is');
  failed('records-duplicate-key', 'json', `${sample.slice(0, -1)},"Records":5}`, 'not CloudTrail');
  const INVALID = 'invalid JSON';
  failed('truncated-json', 'json', sample.slice(0, Math.floor(sample.length * 0.7)), INVALID);
  failed('trailing-garbage', 'json', `${sample} }{ garbage`, INVALID);
  failed('nan-literal', 'json', '{"Records": [NaN]}', INVALID);
  failed('single-quotes', 'json', "{'Records': []}", INVALID);
  failed('comments', 'json', `// a comment\n${sample}`, INVALID);
  failed('trailing-comma', 'json', `{"Records": [${JSON.stringify(goodRecord('comma'))},]}`, INVALID);
  failed(
    'utf8-invalid-between-tokens',
    'json',
    Buffer.concat([Buffer.from('{"Records":'), Buffer.from([0xff, 0xfe]), Buffer.from('[]}')]),
    INVALID,
  );
  failed(
    'utf16le-with-bom',
    'json',
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(sample, 'utf16le')]),
    INVALID,
  );
  failed('nul-bytes', 'json', Buffer.alloc(4096), INVALID);
  const binary = Buffer.alloc(8192);
  for (let i = 0, s = 7; i < binary.length; i += 1) binary[i] = s = (s * 1103515245 + 12345) & 0xff;
  failed('random-binary', 'json', binary, INVALID);
  failed('nested-array-100000', 'json', deepArray(DEEP), 'not CloudTrail');
  failed('nested-object-100000', 'json', deepObject(DEEP), 'not CloudTrail');
  failed('nested-records-100000-unclosed', 'json', `{"Records":[${'['.repeat(DEEP)}`, INVALID);
  // One record of 50 MB alone: too large to parse at once, and a large file must hold a list of records.
  const stringFile = failed('record-50mb-alone', 'json', undefined, 'not CloudTrail');
  writeWithHugeString(stringFile, { before: [], after: [], open: '', close: '', separator: '' });
}
