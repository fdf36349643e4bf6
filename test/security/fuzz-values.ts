/**
 * The values the fuzzer sends: boundary and random values for query parameters and path ids, and request bodies
 * (broken, nested, huge, binary, with random or valid fields) for every endpoint that takes one.
 */
import fc from 'fast-check';
import { ACCOUNT_A } from './harness.js';

/** Values at the edges of every parser: integers, booleans, dates, lists, encodings, injections. */
// prettier-ignore
const BOUNDARY = [
  '', ' ', '0', '-0', '1', '-1', '01', '1.5', '1e3', '1e309', 'NaN', 'Infinity', '0x10', '+1', '2147483647',
  '2147483648', '-2147483648', '-2147483649', '9007199254740991', '9007199254740992',
  '99999999999999999999999', 'true', 'FALSE', 'yes', 'on', 'null', 'undefined', 'nil',
  '2015-04-14T19:09:01.000Z', '2015-04-14T19:09:01Z', '2015-02-30T00:00:00Z', '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z', '9999-12-31T23:59:59.999Z', '10000-01-01T00:00:00Z', '2015-04-14T25:00:00Z',
  '2015-04-14T10:00:00+18:01', '2015-04-14T10:00:00.123456789-05:30', '2015-04-14', '1d', ',', ',,,', 'a,b,c',
  '=', 'a=', '=b', 'a=b', 'a=b=c', 'ami_name=seed-ami-1', 'a"b=c', 'k\\=v', '$.x=1', "1' OR '1'='1",
  '1; DROP TABLE violation;--', "') UNION SELECT * FROM rule --", '%', '%%', '\u0000', '\u202e', '😀', '\ud800',
  'é', '<script>', '../../etc/passwd', 'id', 'id,desc', 'created,asc', 'foo,bar', 'ruleEntity.id', 'id;drop',
  ACCOUNT_A, 'x'.repeat(5000),
];

/** A query or path value: boundary values, then random text of any kind. */
export const value = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...BOUNDARY) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.integer().map(String) },
  { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
);

/** Percent-encoding; a lone surrogate, which encodeURIComponent refuses, goes as its (invalid) UTF-8 bytes. */
export const percent = (text: string) => {
  try {
    return encodeURIComponent(text);
  } catch {
    return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '')) + '%ED%A0%80';
  }
};

/** Percent-encoded, or now and then raw (a bare `%`, a broken UTF-8 sequence), as clients mangle them. */
export const encoded = fc.oneof(
  { weight: 8, arbitrary: value.map(percent) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%G1', '%ED%A0%80', '%C3%28', '%00', '+', '%2C', '[]', '%5B%5D') },
);

const HUGE = 'x'.repeat(1024 * 1024 + 10);
/** A JSON value of any shape, or a body that is not JSON at all (broken, deeply nested, huge, binary). */
export const rawBody = fc.oneof(
  { weight: 6, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '',
      '{',
      '{"a":',
      'null',
      '[]',
      '"text"',
      '{"__proto__":{"x":1}}',
      '{"constructor":{"prototype":{}}}',
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
      `{"meta_info":${'{"a":'.repeat(200)}1${'}'.repeat(200)}}`,
    ),
  },
  { weight: 1, arbitrary: fc.constant(HUGE) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')) },
);

const fieldValue = fc.oneof(value, fc.constant(null), fc.integer(), fc.boolean(), fc.jsonValue({ maxDepth: 2 }));

/** A string field: a boundary value or random text, sometimes a value of another type or null. */
const text = fc.oneof({ weight: 4, arbitrary: value }, { weight: 1, arbitrary: fieldValue });

const violationFields = (required: boolean) =>
  fc
    .record(
      {
        event_id: text,
        account_id: fc.oneof(fc.constant(ACCOUNT_A), text),
        region: text,
        violation_type: fc.oneof(fc.constantFrom('WRONG_AMI', 'WRONG_REGION'), text),
        instance_id: text,
        meta_info: fc.jsonValue({ maxDepth: 4 }),
        username: text,
        application_id: text,
        application_version: text,
      },
      { requiredKeys: required ? ['event_id', 'account_id', 'region', 'violation_type'] : [] },
    )
    .map((v) => JSON.stringify(v));

/** Broken bodies, bodies with random fields, and bodies with every required field (which reach the store). */
export const violationBody = fc.oneof(rawBody, violationFields(false), { weight: 2, arbitrary: violationFields(true) });

/** JsonPath-like strings from the pieces filters are made of, some valid, most not. */
const jsonPath = fc
  .array(
    fc.constantFrom(
      '$',
      '.',
      '..',
      '[',
      ']',
      '[?(',
      ')]',
      '@.a',
      '@.ami_name',
      "@['b']",
      ' == ',
      ' =~ ',
      '/(a+)+$/',
      '/x/i',
      '/x/g',
      ' && ',
      '||',
      "'s'",
      '"q"',
      '1',
      '*',
      '.repeat(9)',
      '(',
      ')',
      '?',
      'process.exit()',
      '_$_re0',
      '\\',
      ' ',
    ),
    { maxLength: 10 },
  )
  .map((parts) => parts.join(''));

const ruleFields = (required: boolean) =>
  fc
    .record(
      {
        reason: fc.oneof(fc.constant('fuzz'), text),
        account_id: text,
        region: text,
        application_id: text,
        application_version: text,
        image_name: fc.oneof(fc.constantFrom('(a+)+$', '(a)\\1', '(?=x)', '[', 'seed-.*', '.{0,1000}'), text),
        image_owner: text,
        expiry_date: fc.oneof(text, fc.integer().map(String), fc.double()),
        violation_type: fc.oneof(fc.constantFrom('WRONG_AMI', 'NOPE'), text),
        meta_info_json_path: fc.oneof(jsonPath, text),
        version: fc.oneof(fc.integer(), fc.double(), text),
      },
      { requiredKeys: required ? ['reason'] : [] },
    )
    .map((v) => JSON.stringify(v));

/** A rule the server should accept, with one or two criteria, so that whitelisting runs on later violations. */
const goodRule = fc
  .record(
    {
      reason: fc.string({ minLength: 1, maxLength: 20 }).filter((r) => r.trim() !== ''),
      account_id: fc.constantFrom(ACCOUNT_A, '222222222222'),
      region: fc.constantFrom('eu-west-1', 'us-east-1'),
      image_name: fc.constantFrom('(a+)+$', 'seed-ami-\\d+', '.*', '(?i)TAUPAGE.*', '(a|aa)+'),
      meta_info_json_path: fc.constantFrom('$.user_name', '$.[?(@.user_name =~ /user-(1|2)+$/)]', '$..level'),
      violation_type: fc.constantFrom('WRONG_AMI', 'WRONG_REGION'),
      expiry_date: fc.constantFrom('2999-01-01T00:00:00Z', null),
    },
    { requiredKeys: ['reason'] },
  )
  .map((v) => JSON.stringify(v));

export const ruleBody = fc.oneof(rawBody, ruleFields(false), ruleFields(true), { weight: 2, arbitrary: goodRule });

/** Ids for the batch resolution: seeded ones, unknown and boundary numbers, and values of other types. */
const batchId = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 30 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>(0, -1, 1.5, 2 ** 31, 2 ** 53, 2 ** 53 + 2, 1e308, -0, '1', null, true, [], {}),
  },
  { weight: 1, arbitrary: fc.integer() },
);

const batchFields = (required: boolean) =>
  fc
    .record(
      {
        ids: fc.oneof(
          { weight: 6, arbitrary: fc.array(batchId, { maxLength: 12 }) },
          { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 5, '1,2', {}, [[1]]) },
          // Over the limit of 1,000 ids, all distinct.
          { weight: 1, arbitrary: fc.constant(Array.from({ length: 1001 }, (_, i) => i + 1)) },
          // Exactly at the limit: ids that mostly do not exist.
          { weight: 1, arbitrary: fc.constant(Array.from({ length: 1000 }, (_, i) => 1_000_000 + i)) },
        ),
        comment: fc.oneof({ weight: 3, arbitrary: fc.constant('fuzz batch') }, { weight: 2, arbitrary: text }),
      },
      { requiredKeys: required ? ['ids', 'comment'] : [] },
    )
    .map((v) => JSON.stringify(v));

/** Bodies of `POST /api/violations/resolutions`: broken, random, and well formed (which resolve seeded violations). */
export const batchBody = fc.oneof(rawBody, batchFields(false), { weight: 3, arbitrary: batchFields(true) });
