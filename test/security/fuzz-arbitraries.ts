/**
 * fast-check generators of HTTP requests against every endpoint: random and boundary values for each query
 * parameter, path id and body field, bad content types, huge bodies and bad tokens.
 */
import fc from 'fast-check';
import { STATIC, TOKEN_INFO } from './harness.js';
import { batchBody, encoded, percent, rawBody, ruleBody, value, violationBody } from './fuzz-values.js';

export interface FuzzRequest {
  /** For the histogram: which endpoint this request aims at. */
  endpoint: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

function query(params: string[]) {
  return fc
    .array(fc.tuple(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...params) }, fc.string()), encoded), {
      maxLength: 6,
    })
    .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${percent(k)}=${v}`).join('&')}`));
}

// prettier-ignore
const LIST_PARAMS = [
  'accounts', 'from', 'to', 'last-violation', 'checked', 'whitelisted', 'severity', 'min-severity', 'priority',
  'audit-relevant', 'type', 'types', 'application-ids', 'application-version-ids', 'regions', 'instance-ids',
  'meta', 'page', 'size', 'sort', '__proto__', 'constructor',
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
    weight: 3,
    arbitrary: request(
      'POST /api/violations/resolutions',
      'POST',
      fc.constant('/api/violations/resolutions'),
      batchBody,
    ),
  },
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
