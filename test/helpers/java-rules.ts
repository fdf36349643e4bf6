/**
 * msw handlers that answer `/api/whitelisting-rules` and `/api/violation-count` as the original Java server does
 * (RuleController, RuleEntityServiceImpl, ViolationsCountController): rules with `violation_type_entity_id` in
 * the answer and `violation_type` in the body (unknown keys dropped), a missing expiry stored as 9999-01-01, PUT
 * expiring the old rule and answering the new one, DELETE 204 or an empty 404 (also for dates in the past), an
 * empty 403 for a caller outside the allowed teams. The server's clock is the CLI tests' NOW.
 */
import { http, HttpResponse } from 'msw';
import type {
  CountByAccountAndType,
  CountByAppVersionAndType,
  Violation,
  WhitelistingRule,
} from '../../src/shared/violation.js';
import { BASE_URL, server, TOKEN } from './msw.js';
import { NOW } from './run-cli.js';

/** A token the server accepts but whose owner is in none of the allowed teams. */
export const OUTSIDER_TOKEN = 'outsider-token-0123456789-0123456789';

export interface JavaRules {
  rules: WhitelistingRule[];
  /** Every request, in order, with its body. */
  requests: Array<{ method: string; url: string; body: string }>;
}

const RULE_FIELDS = [
  'account_id',
  'region',
  'application_id',
  'application_version',
  'image_name',
  'image_owner',
  'reason',
  'meta_info_json_path',
] as const;

/** A stored rule as the Java server serialises it. */
export function javaRule(id: number, fields: Partial<WhitelistingRule> = {}): WhitelistingRule {
  return {
    id,
    account_id: null,
    region: null,
    application_id: null,
    application_version: null,
    image_name: null,
    image_owner: null,
    reason: 'a reason',
    expiry_date: '9999-01-01T00:00:00.000Z',
    violation_type_entity_id: null,
    meta_info_json_path: null,
    created: '2024-05-01T10:00:00.000Z',
    created_by: 'alice',
    last_modified: '2024-05-01T10:00:00.000Z',
    last_modified_by: 'alice',
    version: 0,
    ...fields,
  };
}

/** RuleEntityServiceImpl's mapping of a RuleDTO body onto a new entity. */
function fromBody(id: number, body: Record<string, unknown>): WhitelistingRule {
  const rule = javaRule(id, { created: NOW.toISOString(), created_by: 'tester', last_modified_by: 'tester' });
  for (const field of RULE_FIELDS) rule[field] = (body[field] as string | undefined) ?? null!;
  rule.violation_type_entity_id = (body.violation_type as string | undefined) ?? null;
  rule.expiry_date = body.expiry_date ? new Date(body.expiry_date as string).toISOString() : '9999-01-01T00:00:00.000Z';
  rule.last_modified = rule.created;
  return rule;
}

/** Serves the rule endpoints over `rules`. */
export function javaRules(rules: WhitelistingRule[] = []): JavaRules {
  const state: JavaRules = { rules, requests: [] };
  const now = () => NOW.getTime();
  const guard = async (request: Request) => {
    state.requests.push({ method: request.method, url: request.url, body: await request.clone().text() });
    const auth = request.headers.get('authorization');
    if (auth === `Bearer ${OUTSIDER_TOKEN}`) return new HttpResponse(null, { status: 403 });
    if (auth !== `Bearer ${TOKEN}`) {
      return HttpResponse.json({ error: 'invalid_token', error_description: 'bad token' }, { status: 401 });
    }
    return undefined;
  };
  const find = (id: unknown) => state.rules.find((r) => r.id === Number(id));
  const nextId = () => Math.max(0, ...state.rules.map((r) => r.id)) + 1;
  const path = `${BASE_URL}/api/whitelisting-rules`;
  server.use(
    http.get(path, async ({ request }) => (await guard(request)) ?? HttpResponse.json(state.rules)),
    http.post(path, async ({ request }) => {
      const refused = await guard(request);
      if (refused) return refused;
      const body = (await request.json()) as Record<string, unknown>;
      // The reason column is NOT NULL: the original fails in the database.
      if (!body.reason) return HttpResponse.json({ status: 500, error: 'Internal Server Error' }, { status: 500 });
      const rule = fromBody(nextId(), body);
      state.rules.push(rule);
      return HttpResponse.json(rule, { status: 201 });
    }),
    http.get(`${path}/:id`, async ({ request, params }) => {
      const found = (await guard(request)) ?? find(params.id);
      return found instanceof Response
        ? found
        : found
          ? HttpResponse.json(found)
          : new HttpResponse(null, { status: 404 });
    }),
    http.put(`${path}/:id`, async ({ request, params }) => {
      const refused = await guard(request);
      if (refused) return refused;
      const old = find(params.id);
      if (!old) return new HttpResponse(null, { status: 404 });
      old.expiry_date = NOW.toISOString();
      const rule = fromBody(nextId(), (await request.json()) as Record<string, unknown>);
      state.rules.push(rule);
      return HttpResponse.json(rule);
    }),
    http.delete(`${path}/:id`, async ({ request, params }) => {
      const refused = await guard(request);
      if (refused) return refused;
      const rule = find(params.id);
      const at = new URL(request.url).searchParams.get('expiryDate');
      const expiry = at ? Date.parse(at) : now() + 60_000;
      if (!rule || !(expiry > now() && Date.parse(rule.expiry_date) > now())) {
        return new HttpResponse(null, { status: 404 });
      }
      rule.expiry_date = new Date(expiry).toISOString();
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return state;
}

type State = 'open' | 'resolved' | 'whitelisted';
const stateOf = (v: Violation): State =>
  v.rule_id !== null ? 'whitelisted' : v.comment !== null ? 'resolved' : 'open';

/** Serves both count endpoints over `violations`, grouped and ordered as ViolationRepositoryImpl does. */
export function javaCounts(violations: Violation[]): Request[] {
  const requests: Request[] = [];
  const selected = (request: Request) => {
    requests.push(request.clone());
    const q = new URL(request.url).searchParams;
    const want: State =
      q.get('whitelisted') === 'true' ? 'whitelisted' : q.get('resolved') === 'true' ? 'resolved' : 'open';
    const from = q.get('from');
    return violations.filter(
      (v) => stateOf(v) === want && (from === null || Date.parse(v.created!) > Date.parse(from)),
    );
  };
  const tally = <T>(rows: Violation[], key: (v: Violation) => string, make: (v: Violation, n: number) => T) => {
    const groups = new Map<string, { first: Violation; n: number }>();
    for (const v of rows) {
      const k = key(v);
      const group = groups.get(k);
      if (group) group.n++;
      else groups.set(k, { first: v, n: 1 });
    }
    return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => make(g.first, g.n));
  };
  const refused = (request: Request) =>
    request.headers.get('authorization') === `Bearer ${TOKEN}`
      ? undefined
      : HttpResponse.json({ error: 'invalid_token', error_description: 'bad token' }, { status: 401 });
  server.use(
    http.get(`${BASE_URL}/api/violation-count`, ({ request }) => {
      const denied = refused(request);
      if (denied) return denied;
      const accounts = (new URL(request.url).searchParams.get('accounts') ?? '').split(',').filter(Boolean);
      const rows = selected(request).filter((v) => accounts.length === 0 || accounts.includes(v.account_id!));
      return HttpResponse.json(
        tally<CountByAccountAndType>(
          rows,
          (v) => `${v.account_id} ${v.violation_type.id}`,
          (v, n) => ({
            account: v.account_id!,
            type: v.violation_type.id,
            quantity: n,
          }),
        ),
      );
    }),
    http.get(`${BASE_URL}/api/violation-count/:account`, ({ request, params }) => {
      const denied = refused(request);
      if (denied) return denied;
      const rows = selected(request).filter((v) => v.account_id === params.account);
      return HttpResponse.json(
        tally<CountByAppVersionAndType>(
          rows,
          (v) => `${v.application_id ?? '~'} ${v.application_version_id ?? '~'} ${v.violation_type.id}`,
          (v, n) => ({
            application: v.application_id,
            version: v.application_version_id,
            type: v.violation_type.id,
            quantity: n,
          }),
        ),
      );
    }),
  );
  return requests;
}
