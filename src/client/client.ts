/** The fullstop REST API client: the calls the CLI makes, typed, on top of {@link createHttp}. */
import type { BatchResolutionOutcome } from '../shared/resolution-batch.js';
import type {
  CountByAccountAndType,
  CountByAppVersionAndType,
  Page,
  Violation,
  ViolationType,
  WhitelistingRule,
  WhitelistingRuleInput,
} from '../shared/violation.js';
import { ApiError, InvalidResponseError, OutcomeUnknownError } from './errors.js';
import { createHttp, type HttpOptions, type Query } from './http.js';
import {
  parseJson,
  toBatchOutcomes,
  toLifecyclePage,
  toViolation,
  toViolationPage,
  toViolationType,
} from './normalize.js';
import {
  toCountsByAccountAndType,
  toCountsByAppVersionAndType,
  toWhitelistingRule,
  toWhitelistingRules,
} from './normalize-rules.js';
import type { Lifecycle } from '../shared/lifecycle.js';

/** Query parameters of `GET /api/violations`, as the original server takes them; names are the wire names. */
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
  /** Violations with this id or a higher one (the original's filter is inclusive). */
  'last-violation'?: number;
  page?: number;
  size?: number;
  /** `property,ASC|DESC`; default `id,DESC`, as the original client asks. */
  sort?: string;
}

/** Query parameters of `GET /api/violation-count[/{account}]`. */
export interface CountQuery {
  /** Ignored by the per-account count, whose account is in the path. */
  accounts?: string[];
  from?: Date;
  to?: Date;
  /** Count resolved instead of open violations. */
  resolved?: boolean;
  /** Count whitelisted violations (wins over `resolved`). */
  whitelisted?: boolean;
}

export type ClientOptions = HttpOptions;

export interface LifecycleQuery {
  application: string;
  version?: string | undefined;
  page?: number;
  size?: number;
  sort?: string;
}

export interface FullstopClient {
  listViolations(query: ViolationQuery): Promise<Page<Violation>>;
  getViolation(id: number): Promise<Violation>;
  /**
   * Posts the comment as raw text, as the original client does. The status is the answer: the updated violation
   * the server sends back is not parsed, since a batch of resolutions would only spend CPU on it.
   */
  resolveViolation(id: number, comment: string): Promise<void>;
  /**
   * Whether the server has `POST /api/violations/resolutions` (this project's server does, the original does
   * not). Asked once per client with a request that carries no id, so it resolves nothing.
   */
  supportsBatchResolution(): Promise<boolean>;
  /**
   * Resolves `ids` (at most MAX_BATCH_RESOLUTION_IDS) in one request; one outcome per id, as the server sent them.
   * Throws OutcomeUnknownError when the server may have resolved them but its answer was lost or unreadable.
   */
  resolveViolations(ids: number[], comment: string): Promise<BatchResolutionOutcome[]>;
  listViolationTypes(): Promise<ViolationType[]>;
  /** `GET /api/violation-count`: counts per account and type. */
  countByAccountAndType(query: CountQuery): Promise<CountByAccountAndType[]>;
  /** `GET /api/violation-count/{account}`: counts of one account per application, version and type. */
  countByAppVersionAndType(account: string, query: CountQuery): Promise<CountByAppVersionAndType[]>;
  /** Every whitelisting rule, expired ones included. */
  listWhitelistingRules(): Promise<WhitelistingRule[]>;
  getWhitelistingRule(id: number): Promise<WhitelistingRule>;
  /** Creates a rule; sent once, never retried, so that a lost answer cannot create it twice. */
  createWhitelistingRule(rule: WhitelistingRuleInput): Promise<WhitelistingRule>;
  /** Expires rule `id` and creates its replacement from `rule` (rules are immutable); returns the new rule. */
  replaceWhitelistingRule(id: number, rule: WhitelistingRuleInput): Promise<WhitelistingRule>;
  /** Moves the rule's expiry to `at` (the server's default: a minute from now); both must lie in the future. */
  expireWhitelistingRule(id: number, at?: Date): Promise<void>;
  /**
   * One page of an application's lifecycle records (`GET /api/lifecycles/applications/{name}/versions[/{version}]`),
   * of all its versions or of one; `sort` as Spring takes it: `created,desc`, or `created,id,desc` for both.
   */
  listLifecycles(query: LifecycleQuery): Promise<Page<Lifecycle>>;
  /** Closes the connections once in-flight requests are done; the client is unusable afterwards. */
  close(): Promise<void>;
}

/** Lists joined with commas, dates in ISO UTC, `true` flags only (false is every server's default). */
function toWireQuery(query: ViolationQuery | CountQuery, base: Query = {}): Query {
  const wire: Query = { ...base };
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) wire[key] = value.length > 0 ? value.join(',') : undefined;
    else if (value instanceof Date) wire[key] = value.toISOString();
    else if (typeof value === 'boolean') wire[key] = value ? 'true' : undefined;
    else wire[key] = value as string | number;
  }
  return wire;
}

const RULES_PATH = '/api/whitelisting-rules';

/**
 * How a server without the batch endpoint answers its path: the original (Spring MVC) 405, since
 * `/api/violations/{id}` matches it for GET only; a gateway or an older build of this server 404; some
 * proxies 501.
 */
const NO_BATCH_ENDPOINT = new Set([404, 405, 501]);
const BATCH_PATH = '/api/violations/resolutions';
const JSON_TYPE = 'application/json';

/** Creates an API client for one server, e.g. `createClient({ baseUrl: 'https://fullstop.example.org', token })`. */
export function createClient(options: ClientOptions): FullstopClient {
  const http = createHttp(options);
  let batchProbe: Promise<boolean> | undefined;
  // The probe carries no id, so it may be sent again; a real batch may not (see HttpRequest.idempotent).
  const postBatch = (ids: number[], comment: string) =>
    http.send({
      method: 'POST',
      path: BATCH_PATH,
      body: JSON.stringify({ ids, comment }),
      contentType: JSON_TYPE,
      idempotent: ids.length === 0,
    });
  return {
    async listViolations(query) {
      const wire = toWireQuery(query, { sort: 'id,DESC' });
      const res = await http.send({ method: 'GET', path: '/api/violations', query: wire });
      return toViolationPage(parseJson(res.text, 'the violation list', res.request));
    },
    async getViolation(id) {
      const res = await http.send({ method: 'GET', path: `/api/violations/${id}` });
      return toViolation(parseJson(res.text, `violation ${id}`, res.request));
    },
    async resolveViolation(id, comment) {
      await http.send({
        method: 'POST',
        path: `/api/violations/${id}/resolution`,
        body: comment,
        contentType: 'text/plain; charset=utf-8',
      });
    },
    supportsBatchResolution() {
      batchProbe ??= postBatch([], 'capability probe').then(
        (res) => (toBatchOutcomes(parseJson(res.text, 'the batch resolution', res.request)), true),
        (error: unknown) => {
          if (error instanceof ApiError && NO_BATCH_ENDPOINT.has(error.status)) return false;
          throw error;
        },
      );
      return batchProbe;
    },
    async resolveViolations(ids, comment) {
      const res = await postBatch(ids, comment);
      try {
        return toBatchOutcomes(parseJson(res.text, 'the batch resolution', res.request));
      } catch (error) {
        // A 2xx answer: the server acted on the batch, but which ids it resolved cannot be read.
        throw error instanceof InvalidResponseError ? new OutcomeUnknownError(error) : error;
      }
    },
    async listViolationTypes() {
      const res = await http.send({ method: 'GET', path: '/api/violation-types' });
      const body = parseJson(res.text, 'the violation types', res.request);
      if (!Array.isArray(body)) throw new InvalidResponseError('the server sent violation types that are not a list');
      return body.map(toViolationType);
    },
    async countByAccountAndType(query) {
      const res = await http.send({ method: 'GET', path: '/api/violation-count', query: toWireQuery(query) });
      return toCountsByAccountAndType(parseJson(res.text, 'the violation counts', res.request));
    },
    async countByAppVersionAndType(account, query) {
      const { accounts: _ignored, ...rest } = query;
      const path = `/api/violation-count/${encodeURIComponent(account)}`;
      const res = await http.send({ method: 'GET', path, query: toWireQuery(rest) });
      return toCountsByAppVersionAndType(parseJson(res.text, `the violation counts of ${account}`, res.request));
    },
    async listWhitelistingRules() {
      const res = await http.send({ method: 'GET', path: RULES_PATH });
      return toWhitelistingRules(parseJson(res.text, 'the whitelisting rules', res.request));
    },
    async getWhitelistingRule(id) {
      const res = await http.send({ method: 'GET', path: `${RULES_PATH}/${id}` });
      return toWhitelistingRule(parseJson(res.text, `whitelisting rule ${id}`, res.request));
    },
    async createWhitelistingRule(rule) {
      const body = JSON.stringify(rule);
      const res = await http.send({ method: 'POST', path: RULES_PATH, body, contentType: JSON_TYPE });
      return toWhitelistingRule(parseJson(res.text, 'the new whitelisting rule', res.request));
    },
    async replaceWhitelistingRule(id, rule) {
      const body = JSON.stringify(rule);
      const path = `${RULES_PATH}/${id}`;
      const res = await http.send({ method: 'PUT', path, body, contentType: JSON_TYPE });
      return toWhitelistingRule(parseJson(res.text, `the replacement of whitelisting rule ${id}`, res.request));
    },
    async expireWhitelistingRule(id, at) {
      const query = at ? { expiryDate: at.toISOString() } : {};
      await http.send({ method: 'DELETE', path: `${RULES_PATH}/${id}`, query });
    },
    async listLifecycles({ application, version, page, size, sort }) {
      const path = `/api/lifecycles/applications/${encodeURIComponent(application)}/versions${
        version === undefined ? '' : `/${encodeURIComponent(version)}`
      }`;
      const res = await http.send({ method: 'GET', path, query: { page, size, sort } });
      return toLifecyclePage(parseJson(res.text, 'the lifecycle list', res.request));
    },
    close: () => http.close(),
  };
}

/** True when `error` is a 404 answer (the original server sends it with an empty body). */
export function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}
