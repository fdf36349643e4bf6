/**
 * msw for the CLI and client tests: unhandled requests fail the test, and `javaServer()` answers like the
 * original Java server (fullstop-api.md §1–§2): Spring page envelope with snake_case keys and a `sort` array,
 * empty 403/404 bodies, Spring Boot error JSON. It applies only the filters the Java server knows
 * (`accounts`, `from`, `to`, `type`/`types`, `severity`, application ids, `checked`) and ignores `regions`/`meta`.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { http, HttpResponse, type RequestHandler } from 'msw';
import { setupServer } from 'msw/node';
import type { Violation, ViolationType } from '../../src/shared/violation.js';

export const BASE_URL = 'https://fullstop.example.org';
export const TOKEN = 'test-token-0123456789-0123456789-abc';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/api/${name}`, import.meta.url), 'utf8'));

/** A fresh copy of the fixture violations (ids 101–109; 108 resolved, 109 whitelisted). */
export const fixtureViolations = () => fixture('violations.json') as Violation[];
export const fixtureTypes = () => fixture('violation-types.json') as ViolationType[];

export const server = setupServer();

/** Starts msw for the calling test file; every request must be handled. */
export function useMsw(): void {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());
}

/** Spring Boot 1.5's default error body. */
export function springError(status: number, error: string, message: string, path: string) {
  return HttpResponse.json(
    { timestamp: 1717059600000, status, error, exception: 'org.springframework.web.HttpException', message, path },
    { status },
  );
}

/** The Spring Data 1.13 page envelope, as the Java server serialises it. */
export function javaPage<T>(
  all: T[],
  page: number,
  size: number,
  sort: { property: string; direction: 'ASC' | 'DESC' },
) {
  const content = all.slice(page * size, page * size + size);
  const totalPages = Math.ceil(all.length / size);
  return {
    content,
    last: page + 1 >= totalPages,
    total_pages: totalPages,
    total_elements: all.length,
    size,
    number: page,
    sort: [
      {
        direction: sort.direction,
        property: sort.property,
        ignore_case: false,
        null_handling: 'NATIVE',
        ascending: sort.direction === 'ASC',
        descending: sort.direction === 'DESC',
      },
    ],
    first: page === 0,
    number_of_elements: content.length,
  };
}

const list = (params: URLSearchParams, key: string) =>
  params
    .getAll(key)
    .flatMap((value) => value.split(','))
    .filter((v) => v !== '');

export interface JavaServer {
  handlers: RequestHandler[];
  /** Every request the server received, in order. */
  requests: Request[];
  /** Comments posted per violation id, as raw bodies. */
  resolutions: Map<number, { body: string; contentType: string | null }>;
  violations: Violation[];
}

/** A simulated Java server over `violations` (default: the fixtures); `token` is required as Bearer. */
export function javaServer(violations: Violation[] = fixtureViolations(), token = TOKEN): JavaServer {
  const state: JavaServer = { handlers: [], requests: [], resolutions: new Map(), violations };
  const authorised = (request: Request) => request.headers.get('authorization') === `Bearer ${token}`;
  const unauthorised = () =>
    HttpResponse.json({ error: 'invalid_token', error_description: 'Access token expired' }, { status: 401 });
  state.handlers = [
    http.get(`${BASE_URL}/api/violations`, ({ request }) => {
      state.requests.push(request.clone());
      if (!authorised(request)) return unauthorised();
      const params = new URL(request.url).searchParams;
      const page = Number(params.get('page') ?? 0);
      const size = Number(params.get('size') ?? 10);
      const [property = 'id', direction = 'ASC'] = (params.get('sort') ?? 'id,ASC').split(',');
      const accounts = list(params, 'accounts');
      const types = [...list(params, 'types'), ...list(params, 'type')];
      const from = params.get('from');
      const to = params.get('to');
      if (from !== null && Number.isNaN(Date.parse(from))) {
        return springError(
          400,
          'Bad Request',
          `Failed to convert value of type 'java.lang.String' to required type 'org.joda.time.DateTime'`,
          '/api/violations',
        );
      }
      const checked = params.get('checked') === 'true';
      const severity = params.get('severity');
      const apps = list(params, 'application-ids');
      const versions = list(params, 'application-version-ids');
      const rows = state.violations
        .filter((v) => (checked ? v.comment !== null && v.rule_id === null : v.comment === null && v.rule_id === null))
        .filter((v) => accounts.length === 0 || accounts.includes(v.account_id ?? ''))
        .filter((v) => types.length === 0 || types.includes(v.violation_type.id))
        .filter((v) => from === null || Date.parse(v.created ?? '') > Date.parse(from))
        .filter((v) => to === null || Date.parse(v.created ?? '') < Date.parse(to))
        .filter((v) => severity === null || v.violation_type.violation_severity === Number(severity))
        .filter((v) => apps.length === 0 || apps.includes(v.application_id ?? ''))
        .filter((v) => versions.length === 0 || versions.includes(v.application_version_id ?? ''))
        .sort((a, b) => (direction.toUpperCase() === 'DESC' ? b.id - a.id : a.id - b.id));
      return HttpResponse.json(
        javaPage(rows, page, size, { property, direction: direction.toUpperCase() as 'ASC' | 'DESC' }),
      );
    }),
    http.get(`${BASE_URL}/api/violations/:id`, ({ request, params }) => {
      state.requests.push(request.clone());
      if (!authorised(request)) return unauthorised();
      const found = state.violations.find((v) => v.id === Number(params.id));
      return found ? HttpResponse.json(found) : new HttpResponse(null, { status: 404 });
    }),
    http.post(`${BASE_URL}/api/violations/:id/resolution`, async ({ request, params }) => {
      state.requests.push(request.clone());
      if (!authorised(request)) return unauthorised();
      const found = state.violations.find((v) => v.id === Number(params.id));
      if (!found) return new HttpResponse(null, { status: 404 });
      const body = await request.text();
      state.resolutions.set(found.id, { body, contentType: request.headers.get('content-type') });
      found.comment = body;
      return HttpResponse.json(found);
    }),
    http.get(`${BASE_URL}/api/violation-types`, ({ request }) => {
      state.requests.push(request.clone());
      if (!authorised(request)) return unauthorised();
      return HttpResponse.json(fixtureTypes());
    }),
  ];
  server.use(...state.handlers);
  return state;
}
