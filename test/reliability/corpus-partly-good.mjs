// The readable files of the malformed corpus: good records around bad ones (junk, null identities, broken NDJSON
// lines, invalid UTF-8 in strings, broken envelopes, nesting 100,000 deep in fields), wrong types in every field
// the rules read, and large files read as a stream. Their good records must be kept.
import { closeSync, openSync, writeSync } from 'node:fs';
import { writeGzipBomb, writeWithHugeString } from './corpus-files.mjs';
import {
  DEEP,
  deepArray,
  deepObject,
  goodRecord,
  isBad,
  paths,
  STRING_BYTES,
  TEMPLATES,
  withValue,
  WRONG,
} from './corpus-records.mjs';

/** Writes them through the corpus context `c` (see malformed-corpus.mjs). */
export function writePartlyGood(c) {
  const { ingested, goods, records, manifest } = c;
  // Partly good files: good records around bad ones.
  const junk = [null, 1, 'record', [], {}, { eventID: 'no-source' }, { detail: {}, 'detail-type': 'x via CloudTrail' }];
  let good = goods('junk', 4);
  ingested(
    'records-with-junk',
    'json',
    good,
    junk.length,
    records([good[0], ...junk.slice(0, 4), good[1], ...junk.slice(4), good[2], good[3]]),
  );
  good = goods('user-identity-null', 2);
  const nullIdentity = [
    { ...goodRecord('uid-null-no-recipient'), userIdentity: null, recipientAccountId: undefined },
    { ...goodRecord('uid-null-with-recipient'), userIdentity: null },
  ];
  ingested('user-identity-null', 'json', [...good, nullIdentity[1]], 1, records([good[0], ...nullIdentity, good[1]]));
  good = goods('ndjson', 3);
  ingested(
    'ndjson-broken-line',
    'jsonl',
    good,
    2,
    [good[0], '{"eventID": "cut', good[1], 'NaN', good[2]]
      .map((r) => (typeof r === 'string' ? r : JSON.stringify(r)))
      .join('\n'),
  );
  good = goods('utf8', 2);
  const utf8 = Buffer.from(records([good[0], { ...goodRecord('good-utf8-invalid'), userAgent: '@@' }, good[1]]));
  const at = utf8.indexOf('@@');
  utf8[at] = 0xc3;
  utf8[at + 1] = 0x28;
  ingested('utf8-invalid-in-string', 'json', [...good, { eventID: 'good-utf8-invalid' }], 0, utf8);
  good = goods('envelope', 2);
  ingested(
    'eventbridge-broken',
    'json',
    good,
    2,
    JSON.stringify([
      { 'detail-type': 'AWS API Call via CloudTrail', detail: good[0] },
      { 'detail-type': 'AWS API Call via CloudTrail', detail: 'not an object' },
      { 'detail-type': 'AWS API Call via CloudTrail', detail: { ...goodRecord('x'), eventID: 5 } },
      good[1],
    ]),
  );
  good = goods('deep', 2);
  const deepFields = [
    ['requestParameters'],
    ['responseElements'],
    ['userIdentity', 'sessionContext'],
    ['additionalEventData'],
  ];
  const deepRecords = deepFields.map((path, i) => ({ path, id: `deep-${i}` }));
  const deepText = [JSON.stringify(good[0])];
  for (const { path, id } of deepRecords) {
    const marker = withValue({ ...TEMPLATES.RunInstances, eventID: id }, path, '@@DEEP@@');
    deepText.push(JSON.stringify(marker).replace('"@@DEEP@@"', deepObject(DEEP)));
  }
  const policyDeep = withValue(
    { ...TEMPLATES.CreateRole, eventID: 'deep-policy' },
    ['requestParameters', 'assumeRolePolicyDocument'],
    `{"Statement":${deepArray(DEEP)}}`,
  );
  deepText.push(JSON.stringify(policyDeep), JSON.stringify(good[1]));
  ingested('nested-100000-in-fields', 'json', good, 0, `{"Records":[${deepText.join(',')}]}`);

  // Wrong types in every field of every kind of record the rules read: one file per kind, good records around.
  for (const [kind, template] of Object.entries(TEMPLATES)) {
    const list = [];
    let bad = 0;
    for (const path of paths(template)) {
      for (const [i, value] of WRONG.entries()) {
        const record = withValue({ ...template, eventID: `${kind}-${path.join('.')}-${i}` }, path, value);
        if (isBad(record)) bad += 1;
        list.push(record);
      }
    }
    good = goods(`types-${kind}`, 2);
    ingested(`wrong-types-${kind}`, 'json', good, bad, records([good[0], ...list, good[1]]));
  }
  // And in a record that has no template of its own: numbers where every identifying string belongs.
  good = goods('numbers', 2);
  const numbers = ['eventID', 'eventSource', 'eventName', 'awsRegion', 'recipientAccountId'].map((field) => ({
    ...goodRecord(`numbers-${field}`),
    [field]: 123456789012,
  }));
  ingested('numbers-for-strings', 'json', [...good, numbers[4]], 4, records([good[0], ...numbers, good[1]]));

  // Large files, read as a stream: a 50 MB string inside one record, plain, gzipped, and as an NDJSON line.
  good = goods('huge-plain', 2);
  writeWithHugeString(ingested('string-50mb-in-records', 'json', good, 1), { before: [good[0]], after: [good[1]] });
  good = goods('huge-ndjson', 2);
  writeWithHugeString(ingested('string-50mb-ndjson-line', 'ndjson', good, 1), {
    before: [good[0]],
    after: [good[1]],
    open: '',
    close: '\n',
    separator: '\n',
  });
  good = goods('huge-gzip', 2);
  const hugeGzip = ingested('string-50mb-in-records-gzip', 'json.gz', good, 1);
  manifest.at(-1).decompressedBytes = writeGzipBomb(hugeGzip, {
    prefix: `{"Records":[${JSON.stringify(good[0])},${JSON.stringify(goodRecord('huge-string')).replace(/}$/, ',"userAgent":"')}`,
    fill: 0x61,
    fillBytes: STRING_BYTES,
    suffix: `"},${JSON.stringify(good[1])}]}`,
  });
  // A broken element between good ones in a file too large to parse at once (padding keeps it over 24 MB).
  good = goods('stream-broken', 3);
  const padding = Array.from({ length: 30_000 }, (_, i) => ({
    ...goodRecord(`pad-${i}`),
    eventName: 'DescribeTrails',
    userAgent: 'p'.repeat(900),
  }));
  const streamFile = ingested('stream-broken-element', 'json', good, 2);
  const fd = openSync(streamFile, 'w');
  writeSync(fd, `{"Records":[${JSON.stringify(good[0])},{"eventID": NaN},`);
  for (let i = 0; i < padding.length; i += 1000)
    writeSync(
      fd,
      padding
        .slice(i, i + 1000)
        .map((r) => JSON.stringify(r) + ',')
        .join(''),
    );
  writeSync(fd, `${JSON.stringify(good[1])},${deepArray(DEEP)},${JSON.stringify(good[2])}]}`);
  closeSync(fd);
}
