/**
 * fast-check generators of HTTP requests against every endpoint: random and boundary values for each query
 * parameter, path id and body field, bad content types, huge bodies and bad tokens.
 */
import fc from 'fast-check';
import { ACCOUNT_A, STATIC, TOKEN_INFO } from './harness.js';

export interface FuzzRequest {
  /** For the histogram: which endpoint this request aims at. */
  endpoint: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/** Values at the edges of every parser: integers, booleans, dates, lists, encodings, injections. */
const BOUNDARY = [
  '',
  ' ',
  '0',
  '-0',
  '1',
  '-1',
  '01',
  '1.5',
  '1e3',
  '1e309',
  'NaN',
  'Infinity',
  '0x10',
  '+1',
  '2147483647',
  '2147483648',
  '-2147483648',
  '-2147483649',
  '9007199254740991',
  '9007199254740992',
  '99999999999999999999999',
  'true',
  'FALSE',
  'yes',
  'on',
  'null',
  'undefined',
  'nil',
  '2015-04-14T19:09:01.000Z',
  '2015-04-14T19:09:01Z',
  '2015-02-30T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '10000-01-01T00:00:00Z',
  '2015-04-14T25:00:00Z',
  '2015-04-14T10:00:00+18:01',
  '2015-04-14T10:00:00.123456789-05:30',
  '2015-04-14',
  '1d',
  ',',
  ',,,',
  'a,b,c',
  '=',
  'a=',
  '=b',
  'a=b',
  'a=b=c',
  'ami_name=seed-ami-1',
  'a"b=c',
  'k\\=v',
  '$.x=1',
  "1' OR '1'='1",
  '1; DROP TABLE violation;--',
  "') UNION SELECT * FROM rule --",
  '%',
  '%%',
  '\u0000',
  '\u202e',
  '😀',
  '\ud800',
  'é',
  '<script>',
  '../../etc/passwd',
  'id',
  'id,desc',
  'created,asc',
  'foo,bar',
  'ruleEntity.id',
  'id;drop',
  ACCOUNT_A,
  'x'.repeat(5000),
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
const percent = (text: string) => {
  try {
    return encodeURIComponent(text);
  } catch {
    return encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '')) + '%ED%A0%80';
  }
};

/** Percent-encoded, or now and then raw (a bare `%`, a broken UTF-8 sequence), as clients mangle them. */
const encoded = fc.oneof(
  { weight: 8, arbitrary: value.map(percent) },
  { weight: 1, arbitrary: fc.constantFrom('%', '%G1', '%ED%A0%80', '%C3%28', '%00', '+', '%2C', '[]', '%5B%5D') },
);

function query(params: string[]) {
  return fc
    .array(fc.tuple(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...params) }, fc.string()), encoded), {
      maxLength: 6,
    })
    .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${percent(k)}=${v}`).join('&')}`));
}

const LIST_PARAMS = [
  'accounts',
  'from',
  'to',
  'last-violation',
  'checked',
  'whitelisted',
  'severity',
  'min-severity',
  'priority',
  'audit-relevant',
  'type',
  'types',
  'application-ids',
  'application-version-ids',
  'regions',
  'instance-ids',
  'meta',
  'page',
  'size',
  'sort',
  '__proto__',
  'constructor',
];
const COUNT_PARAMS = ['from', 'to', 'resolved', 'whitelisted', 'accounts'];

const id = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 1, max: 30 }).map(String) },
  { weight: 2, arbitrary: encoded },
);

/** Mostly the admin (so that requests reach the routes), otherwise every kind of bad credential. */
const authorization = fc.oneof(
  { weight: 12, arbitrary: fc.constant<string | undefined>(`Bearer ${STATIC.admin}`) },
  {
    weight: 3,
    arbitrary: fc.constantFrom<string | undefined>(
      undefined,
      '',
      'Bearer',
      'Bearer ',
      'Bearer None',
      'Basic YWRtaW46YWRtaW4=',
      `bearer ${STATIC.alice}`,
      `Bearer ${STATIC.admin} extra`,
      `Bearer ${TOKEN_INFO.member}`,
      `Bearer ${TOKEN_INFO.expired}`,
      `Bearer ${TOKEN_INFO.noUid}`,
      `Bearer ${'x'.repeat(8000)}`,
      `Token ${STATIC.admin}`,
    ),
  },
  // Printable ASCII only: a client refuses to send anything else in a header.
  { weight: 1, arbitrary: fc.stringMatching(/^[\x21-\x7e]{1,80}$/).map((t) => `Bearer ${t}`) },
);

/** Content types, good and bad; undefined sends none. */
const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant<string | undefined>('application/json') },
  {
    weight: 2,
    arbitrary: fc.constantFrom<string | undefined>(
      undefined,
      'text/plain',
      'application/xml',
      'application/json; charset=latin1',
      'application/json; charset=utf-8',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
      '*/*',
      'application/jsonx',
      ';;;',
    ),
  },
);

const HUGE = 'x'.repeat(1024 * 1024 + 10);
/** A JSON value of any shape, or a body that is not JSON at all (broken, deeply nested, huge, binary). */
const rawBody = fc.oneof(
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
const violationBody = fc.oneof(rawBody, violationFields(false), { weight: 2, arbitrary: violationFields(true) });

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

const ruleBody = fc.oneof(rawBody, ruleFields(false), ruleFields(true), { weight: 2, arbitrary: goodRule });

function request(
  endpoint: string,
  method: string,
  path: fc.Arbitrary<string>,
  body?: fc.Arbitrary<string>,
): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      path,
      authorization,
      type: body === undefined ? fc.constant(undefined) : contentType,
      body: body ?? fc.constant(undefined),
    })
    .map(({ path, authorization, type, body }) => ({
      endpoint,
      method,
      path,
      headers: {
        ...(authorization === undefined ? {} : { authorization }),
        ...(type === undefined ? {} : { 'content-type': type }),
      },
      ...(body === undefined ? {} : { body }),
    }));
}

export const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(
  {
    weight: 6,
    arbitrary: request(
      'GET /api/violations',
      'GET',
      query(LIST_PARAMS).map((q) => `/api/violations${q}`),
    ),
  },
  {
    weight: 2,
    arbitrary: request(
      'GET /api/violations/{id}',
      'GET',
      id.map((i) => `/api/violations/${i}`),
    ),
  },
  {
    weight: 3,
    arbitrary: request(
      'POST /api/violations/{id}/resolution',
      'POST',
      id.map((i) => `/api/violations/${i}/resolution`),
      fc.oneof(rawBody, value),
    ),
  },
  { weight: 3, arbitrary: request('POST /api/violations', 'POST', fc.constant('/api/violations'), violationBody) },
  {
    weight: 1,
    arbitrary: request(
      'GET /api/violation-types',
      'GET',
      query(['x']).map((q) => `/api/violation-types${q}`),
    ),
  },
  {
    weight: 2,
    arbitrary: request(
      'GET /api/violation-count',
      'GET',
      query(COUNT_PARAMS).map((q) => `/api/violation-count${q}`),
    ),
  },
  {
    weight: 2,
    arbitrary: request(
      'GET /api/violation-count/{account}',
      'GET',
      fc.tuple(id, query(COUNT_PARAMS)).map(([a, q]) => `/api/violation-count/${a}${q}`),
    ),
  },
  { weight: 1, arbitrary: request('GET /api/whitelisting-rules', 'GET', fc.constant('/api/whitelisting-rules')) },
  {
    weight: 3,
    arbitrary: request('POST /api/whitelisting-rules', 'POST', fc.constant('/api/whitelisting-rules'), ruleBody),
  },
  {
    weight: 1,
    arbitrary: request(
      'GET /api/whitelisting-rules/{id}',
      'GET',
      id.map((i) => `/api/whitelisting-rules/${i}`),
    ),
  },
  {
    weight: 2,
    arbitrary: request(
      'PUT /api/whitelisting-rules/{id}',
      'PUT',
      id.map((i) => `/api/whitelisting-rules/${i}`),
      ruleBody,
    ),
  },
  {
    weight: 2,
    arbitrary: request(
      'DELETE /api/whitelisting-rules/{id}',
      'DELETE',
      fc.tuple(id, encoded).map(([i, expiry]) => `/api/whitelisting-rules/${i}?expiryDate=${expiry}`),
    ),
  },
  { weight: 1, arbitrary: request('GET /api/ingest/failures', 'GET', fc.constant('/api/ingest/failures')) },
  {
    weight: 1,
    arbitrary: request(
      'GET /health',
      'GET',
      query(['x']).map((q) => `/health${q}`),
    ),
  },
  { weight: 1, arbitrary: request('GET /api-docs', 'GET', fc.constant('/api-docs')) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom('PATCH', 'DELETE', 'PUT', 'OPTIONS', 'HEAD', 'POST'),
        fc.constantFrom('/api/violations', '/api/violation-types', '/health', '/', '/api', '/api/x/../violations'),
        rawBody,
      )
      .chain(([method, path, body]) =>
        request(
          'other methods and paths',
          method,
          fc.constant(path),
          method === 'HEAD' || method === 'OPTIONS' ? undefined : fc.constant(body),
        ),
      ),
  },
);
