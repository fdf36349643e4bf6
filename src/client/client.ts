/** The fullstop REST API client: the calls the CLI makes, typed, on top of {@link createHttp}. */
import type { Page, Violation, ViolationType } from '../shared/violation.js';
import { ApiError, InvalidResponseError } from './errors.js';
import { createHttp, type HttpOptions, type Query } from './http.js';
import { parseJson, toViolation, toViolationPage, toViolationType } from './normalize.js';

/** Query parameters of `GET /api/violations` (fullstop-api.md §1.4(1)); names are the wire names. */
export interface ViolationQuery {
  accounts?: string[];
  from?: Date;
  to?: Date;
  checked?: boolean;
  severity?: number;
  type?: string;
  types?: string[];
  'application-ids'?: string[];
  'application-version-ids'?: string[];
  /** Understood by newer servers only; older ones ignore them, so callers filter client-side too. */
  regions?: string[];
  meta?: string;
  'instance-ids'?: string[];
  page?: number;
  size?: number;
}

export type ClientOptions = HttpOptions;

export interface FullstopClient {
  listViolations(query: ViolationQuery): Promise<Page<Violation>>;
  getViolation(id: number): Promise<Violation>;
  /**
   * Posts the comment as raw text, as the original client does. The status is the answer: the updated violation
   * the server sends back is not parsed, since a batch of resolutions would only spend CPU on it.
   */
  resolveViolation(id: number, comment: string): Promise<void>;
  listViolationTypes(): Promise<ViolationType[]>;
}

function toWireQuery(query: ViolationQuery): Query {
  const wire: Query = { sort: 'id,DESC' };
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) wire[key] = value.length > 0 ? value.join(',') : undefined;
    else if (value instanceof Date) wire[key] = value.toISOString();
    else if (key === 'checked') wire[key] = value ? 'true' : undefined;
    else wire[key] = value as string | number;
  }
  return wire;
}

/** Creates an API client for one server, e.g. `createClient({ baseUrl: 'https://fullstop.example.org', token })`. */
export function createClient(options: ClientOptions): FullstopClient {
  const http = createHttp(options);
  return {
    async listViolations(query) {
      const res = await http({ method: 'GET', path: '/api/violations', query: toWireQuery(query) });
      return toViolationPage(parseJson(res.text, 'the violation list'));
    },
    async getViolation(id) {
      const res = await http({ method: 'GET', path: `/api/violations/${id}` });
      return toViolation(parseJson(res.text, `violation ${id}`));
    },
    async resolveViolation(id, comment) {
      await http({
        method: 'POST',
        path: `/api/violations/${id}/resolution`,
        body: comment,
        contentType: 'text/plain; charset=utf-8',
      });
    },
    async listViolationTypes() {
      const res = await http({ method: 'GET', path: '/api/violation-types' });
      const body = parseJson(res.text, 'the violation types');
      if (!Array.isArray(body)) throw new InvalidResponseError('the server sent violation types that are not a list');
      return body.map(toViolationType);
    },
  };
}

/** True when `error` is a 404 answer (the original server sends it with an empty body). */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}
