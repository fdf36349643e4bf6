/**
 * msw handlers served by a real HTTP server on a random local port (`@mswjs/http-middleware`), so the CLI and
 * client tests go through the real transport: sockets, keep-alive, timeouts. A request no handler answers fails
 * the test. `javaServer()` answers like the original Java server: Spring Data page envelope with snake_case keys
 * and a `sort` array, empty 403/404 bodies, Spring Boot error JSON, 405 for the batch resolution path it does not
 * have. It applies only the filters the Java server knows (`accounts`, `from`, `to`, `type`/`types`, `severity`,
 * application ids, `checked`, `last-violation`) and ignores `regions`/`meta`.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createMswApp } from '@mswjs/http-middleware';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { getResponse, http, HttpResponse, type RequestHandler } from 'msw';
import type { Violation, ViolationType } from '../../src/shared/violation.js';

/** The test server's URL, e.g. `http://127.0.0.1:40123`; set once `useMsw()` has started it. */
export let BASE_URL = '';
export const TOKEN = 'test-token-0123456789-0123456789-abc';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../fixtures/api/${name}`, import.meta.url), 'utf8'));

/** A fresh copy of the fixture violations (ids 101–109; 108 resolved, 109 whitelisted). */
export const fixtureViolations = () => fixture('violations.json') as Violation[];
export const fixtureTypes = () => fixture('violation-types.json') as ViolationType[];

let handlers: RequestHandler[] = [];
const unhandled: string[] = [];
let listening: Server | undefined;

/** Like msw's setupServer: `use()` adds handlers that win over earlier ones, `resetHandlers()` drops them. */
export const server = {
  use(...added: RequestHandler[]): void {
    handlers = [...added, ...handlers];
  },
  resetHandlers(): void {
    handlers = [];
  },
};

/** The one handler the middleware knows: it asks the handlers of the moment, as msw's setupServer would. */
const current = http.all('*', async ({ request }) => {
  const response = await getResponse(handlers, request);
  if (response) return response;
  unhandled.push(`${request.method} ${request.url}`);
  return HttpResponse.json({ error: 'no msw handler for this request' }, { status: 500 });
});

/** How many connections to the test server are open now. */
export function openConnections(): Promise<number> {
  return new Promise((resolve, reject) =>
    listening!.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

/** Starts the server for the calling test file; every request must be handled. */
export function useMsw(): void {
  beforeAll(async () => {
    // The middleware is CommonJS and sees msw's CommonJS typings: the same class, typed twice.
    listening = createHttpServer(createMswApp(current as unknown as Parameters<typeof createMswApp>[0]));
    await new Promise<void>((resolve) => listening!.listen(0, '127.0.0.1', resolve));
    BASE_URL = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  });
  afterEach(() => {
    server.resetHandlers();
    const missed = unhandled.splice(0);
    if (missed.length > 0) throw new Error(`requests without an msw handler: ${missed.join(', ')}`);
  });
  afterAll(async () => {
    listening?.closeAllConnections();
    await new Promise((resolve) => listening?.close(resolve));
  });
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
      const lastViolation = params.get('last-violation');
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
        // ViolationRepositoryImpl: `id >= lastViolation`, inclusive despite its documentation.
        .filter((v) => lastViolation === null || v.id >= Number(lastViolation))
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
    // Spring MVC: `/api/violations/{id}` matches the path for GET only, hence 405 (after authentication).
    http.post(`${BASE_URL}/api/violations/resolutions`, ({ request }) => {
      state.requests.push(request.clone());
      if (!authorised(request)) return unauthorised();
      return springError(
        405,
        'Method Not Allowed',
        "Request method 'POST' not supported",
        '/api/violations/resolutions',
      );
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
