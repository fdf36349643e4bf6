#!/usr/bin/env node
// Writes a corpus of malformed CloudTrail files for the reliability suite, plus `.manifest.json` (hidden, so
// ingesting the folder skips it) saying what fullstop must make of each file:
//   - "failed": not CloudTrail at all; the ingest reports it with a reason matching `reason` (a regex source);
//   - "ingested": readable; the records listed in `good` are kept (each is a StopLogging call, so exactly one
//     CLOUDTRAIL_TAMPERING violation per good record), `badRecords` records are skipped as bad, and the others
//     (wrong types in fields the rules read) are read without a rule throwing.
//
//   node test/reliability/malformed-corpus.mjs --out DIR [--bomb-gib 10]
//
// Large files are written in pieces and the gzip bombs are assembled from one compressed block repeated (a
// deflate block that ends in a full flush does not refer back past itself), so a 10 GiB bomb takes a moment and
// never sits in memory.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { constants, crc32, deflateRawSync, gzipSync } from 'node:zlib';

const ACCOUNT = '123456789012';
const MIB = 1024 * 1024;
const STRING_BYTES = 50 * MIB;
const DEEP = 100_000;

/** One good record: a StopLogging call, which default rules turn into exactly one CLOUDTRAIL_TAMPERING violation. */
export function goodRecord(eventID) {
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, userName: 'alice' },
    eventTime: '2024-05-01T10:00:00Z',
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    awsRegion: 'eu-west-1',
    requestParameters: { name: `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/main` },
    responseElements: null,
    eventID,
    recipientAccountId: ACCOUNT,
  };
}

const identity = (type = 'IAMUser') => ({
  type,
  principalId: 'AIDAEXAMPLE',
  arn: type === 'Root' ? `arn:aws:iam::${ACCOUNT}:root` : `arn:aws:iam::${ACCOUNT}:user/bob`,
  accountId: ACCOUNT,
  userName: 'bob',
  sessionContext: { attributes: { mfaAuthenticated: 'false', creationDate: '2024-05-01T09:00:00Z' } },
});

const base = (eventSource, eventName, extra) => ({
  eventVersion: '1.08',
  userIdentity: identity(),
  eventTime: '2024-05-01T10:00:00Z',
  eventSource,
  eventName,
  awsRegion: 'us-east-1',
  sourceIPAddress: '192.0.2.1',
  userAgent: 'aws-cli/2',
  requestParameters: null,
  responseElements: null,
  recipientAccountId: ACCOUNT,
  ...extra,
});

/** A record of every kind the rules read, with every field they look at present and well typed. */
const TEMPLATES = {
  RunInstances: base('ec2.amazonaws.com', 'RunInstances', {
    requestParameters: {
      instancesSet: { items: [{ imageId: 'ami-1', minCount: 1, maxCount: 1, keyName: 'key' }] },
      userData: '<sensitiveDataRemoved>',
      instanceType: 't3.micro',
    },
    responseElements: {
      instancesSet: { items: [{ instanceId: 'i-1', imageId: 'ami-1', keyName: 'key', instanceState: { code: 0 } }] },
      ownerId: ACCOUNT,
    },
  }),
  StartInstances: base('ec2.amazonaws.com', 'StartInstances', {
    requestParameters: { instancesSet: { items: [{ instanceId: 'i-1' }] } },
    responseElements: { instancesSet: { items: [{ instanceId: 'i-1' }] } },
  }),
  CreateFunction: base('lambda.amazonaws.com', 'CreateFunction20150331', {
    requestParameters: { functionName: 'f', code: { s3Bucket: 'bucket', s3Key: 'code.zip' }, runtime: 'nodejs20.x' },
    responseElements: { functionName: 'f', functionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:f` },
  }),
  UpdateFunctionCode: base('lambda.amazonaws.com', 'UpdateFunctionCode20150331v2', {
    requestParameters: { functionName: 'f', s3Bucket: 'bucket', s3Key: 'code.zip' },
    responseElements: { functionName: 'f' },
  }),
  ConsoleLoginRoot: base('signin.amazonaws.com', 'ConsoleLogin', {
    userIdentity: identity('Root'),
    responseElements: { ConsoleLogin: 'Success' },
    additionalEventData: { MFAUsed: 'No', LoginTo: 'https://console.aws.amazon.com' },
  }),
  ConsoleLoginUser: base('signin.amazonaws.com', 'ConsoleLogin', {
    responseElements: { ConsoleLogin: 'Success' },
    additionalEventData: { MFAUsed: 'No' },
  }),
  CreateAccessKey: base('iam.amazonaws.com', 'CreateAccessKey', {
    userIdentity: identity('Root'),
    requestParameters: {},
    responseElements: { accessKey: { accessKeyId: 'AKIAEXAMPLE', status: 'Active' } },
  }),
  CreateLoginProfile: base('iam.amazonaws.com', 'CreateLoginProfile', {
    requestParameters: { userName: 'carol', passwordResetRequired: true },
  }),
  CreateRole: base('iam.amazonaws.com', 'CreateRole', {
    requestParameters: {
      roleName: 'r',
      assumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999999999999:root' }, Action: 'sts:AssumeRole' },
        ],
      }),
    },
    responseElements: { role: { roleId: 'AROA1', arn: `arn:aws:iam::${ACCOUNT}:role/r`, roleName: 'r' } },
  }),
  UpdateAssumeRolePolicy: base('iam.amazonaws.com', 'UpdateAssumeRolePolicy', {
    requestParameters: { roleName: 'r', policyDocument: '{"Statement":[{"Effect":"Allow","Principal":"*"}]}' },
  }),
  AuthorizeSecurityGroupIngress: base('ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', {
    requestParameters: {
      groupId: 'sg-1',
      groupName: 'web',
      ipPermissions: {
        items: [
          {
            ipProtocol: 'tcp',
            fromPort: 22,
            toPort: 22,
            ipRanges: { items: [{ cidrIp: '0.0.0.0/0' }] },
            ipv6Ranges: { items: [{ cidrIpv6: '::/0' }] },
          },
        ],
      },
      cidrIp: '0.0.0.0/0',
      ipProtocol: '-1',
      fromPort: 0,
      toPort: 65535,
    },
  }),
  CreateDBInstance: base('rds.amazonaws.com', 'CreateDBInstance', {
    requestParameters: { dBInstanceIdentifier: 'db1', publiclyAccessible: true },
    responseElements: { dBInstanceIdentifier: 'db1', publiclyAccessible: true, endpoint: { address: 'db1.example' } },
  }),
  UpdateTrail: base('cloudtrail.amazonaws.com', 'UpdateTrail', {
    requestParameters: {
      name: 'main',
      trailName: 'main',
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: false,
    },
  }),
  PutEventSelectors: base('cloudtrail.amazonaws.com', 'PutEventSelectors', {
    requestParameters: {
      trailName: 'main',
      eventSelectors: [{ readWriteType: 'ReadOnly', includeManagementEvents: true }],
      advancedEventSelectors: [{ fieldSelectors: [{ field: 'eventCategory', equals: ['Data'] }] }],
    },
  }),
  DeleteTrail: base('cloudtrail.amazonaws.com', 'DeleteTrail', { requestParameters: { name: 'main' } }),
};

/** Values of the wrong type (or shape) for any field: numbers where strings belong, objects, lists, null… */
const WRONG = [
  null,
  0,
  -1.5,
  1e308,
  12345678901234567890,
  true,
  false,
  '',
  '   ',
  'x',
  '123456789012',
  [],
  ['x', 1, null],
  {},
  { items: 5 },
  { items: [null, 1, 'x', []] },
  { toString: 'x', valueOf: 'y' },
  JSON.parse('{"__proto__": {"polluted": true}}'),
  'é\u0000\u202e😀',
  'x'.repeat(10_000),
];

/** Every field path of a template (objects and arrays, to any depth). */
function paths(value, prefix = []) {
  if (value === null || typeof value !== 'object') return [];
  const out = [];
  for (const [key, child] of Object.entries(value)) {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    out.push(path, ...paths(child, path));
  }
  return out;
}

function withValue(record, path, value) {
  const copy = structuredClone(record);
  let target = copy;
  for (const key of path.slice(0, -1)) target = target[key];
  target[path.at(-1)] = value;
  return copy;
}

/** Whether fullstop must count the record as bad: the fields every violation needs are missing or mistyped. */
function isBad(record) {
  const text = (v) => typeof v === 'string';
  const nonBlank = (v) => text(v) && v.trim() !== '';
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return true;
  if (![record.eventID, record.eventSource, record.eventName, record.awsRegion].every(text)) return true;
  const who = record.userIdentity;
  const callerAccount = who !== null && typeof who === 'object' ? who.accountId : undefined;
  return !nonBlank(record.recipientAccountId) && !nonBlank(callerAccount);
}

const deepArray = (depth) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObject = (depth) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** gzip of `prefix`, then `fill` repeated to `fillBytes`, then `suffix`, written block by block. */
function writeGzipBomb(path, { prefix = '', fill, fillBytes, suffix = '' }) {
  const fd = openSync(path, 'w');
  const chunk = Buffer.alloc(16 * MIB, fill);
  const flushed = (bytes) => deflateRawSync(bytes, { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const block = flushed(chunk);
  const chunks = Math.floor(fillBytes / chunk.length);
  const head = Buffer.from(prefix);
  const tail = Buffer.from(suffix);
  writeSync(fd, Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff]));
  writeSync(fd, flushed(head));
  let crc = crc32(head);
  const chunkCrc = crc32(chunk);
  for (let i = 0; i < chunks; i += 1) {
    writeSync(fd, block);
    crc = crc32Combine(crc, chunkCrc, chunk.length);
  }
  writeSync(fd, deflateRawSync(tail, { level: 9 }));
  crc = crc32Combine(crc, crc32(tail), tail.length);
  const trailer = Buffer.alloc(8);
  const total = head.length + chunks * chunk.length + tail.length;
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(total % 2 ** 32, 4);
  writeSync(fd, trailer);
  closeSync(fd);
  return total;
}

// CRC-32 of two pieces from the CRCs of each (zlib's crc32_combine, GF(2) matrix method).
function gf2Times(matrix, vector) {
  let sum = 0;
  for (let i = 0; vector !== 0; i += 1, vector >>>= 1) if (vector & 1) sum ^= matrix[i];
  return sum >>> 0;
}
function gf2Square(square, matrix) {
  for (let n = 0; n < 32; n += 1) square[n] = gf2Times(matrix, matrix[n]);
}
export function crc32Combine(crc1, crc2, length2) {
  if (length2 <= 0) return crc1;
  const even = new Array(32);
  const odd = new Array(32);
  odd[0] = 0xedb88320;
  for (let n = 1, row = 1; n < 32; n += 1, row <<= 1) odd[n] = row >>> 0;
  gf2Square(even, odd);
  gf2Square(odd, even);
  let length = length2;
  let crc = crc1 >>> 0;
  do {
    gf2Square(even, odd);
    if (length % 2 === 1) crc = gf2Times(even, crc);
    length = Math.floor(length / 2);
    if (length === 0) break;
    gf2Square(odd, even);
    if (length % 2 === 1) crc = gf2Times(odd, crc);
    length = Math.floor(length / 2);
  } while (length !== 0);
  return (crc ^ crc2) >>> 0;
}

/** A file of `{"Records": [good, …huge record…, good]}` written in pieces: the huge string never sits in memory whole. */
function writeWithHugeString(path, { before, after, open = '{"Records":[', close = ']}', separator = ',' }) {
  const fd = openSync(path, 'w');
  writeSync(fd, open + before.map((r) => JSON.stringify(r) + separator).join(''));
  const record = JSON.stringify({ ...goodRecord('huge-string'), userAgent: '@@' });
  const [start, end] = record.split('@@');
  writeSync(fd, start);
  const piece = Buffer.alloc(MIB, 'a');
  for (let i = 0; i < STRING_BYTES / MIB; i += 1) writeSync(fd, piece);
  writeSync(fd, end + after.map((r) => separator + JSON.stringify(r)).join('') + close);
  closeSync(fd);
}

export function writeCorpus(out, { bombBytes = 10 * 1024 ** 3 } = {}) {
  mkdirSync(out, { recursive: true });
  const manifest = [];
  let n = 0;
  const name = (label, ext) => `${String(++n).padStart(2, '0')}-${label}.${ext}`;
  const failed = (label, ext, content, reason) => {
    const file = name(label, ext);
    if (content !== undefined) writeFileSync(join(out, file), content);
    manifest.push({ file, expect: 'failed', reason });
    return join(out, file);
  };
  const goods = (label, count) => Array.from({ length: count }, (_, i) => goodRecord(`good-${label}-${i}`));
  const ingested = (label, ext, good, badRecords, content) => {
    const file = name(label, ext);
    if (content !== undefined) writeFileSync(join(out, file), content);
    manifest.push({ file, expect: 'ingested', good: good.map((r) => r.eventID), badRecords });
    return join(out, file);
  };
  const records = (list) => JSON.stringify({ Records: list });
  const sample = records(goods('sample', 3));

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

  writeFileSync(join(out, '.manifest.json'), JSON.stringify(manifest, null, 1));
  return manifest;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, 'bomb-gib': { type: 'string', default: '10' } } });
  if (!values.out) {
    process.stderr.write('usage: malformed-corpus.mjs --out DIR [--bomb-gib 10]\n');
    process.exit(2);
  }
  const manifest = writeCorpus(values.out, { bombBytes: Number(values['bomb-gib']) * 1024 ** 3 });
  process.stdout.write(`${manifest.length} files in ${values.out}\n`);
}
